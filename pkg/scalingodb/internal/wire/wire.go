// Package wire holds the JSON shapes of the Database API's answers that
// package scalingodb decodes before it converts them to its public models:
// the answers no public model matches field for field, with a pointer or
// an OptBool where a required field may be missing, and the check that
// names the missing ones. The shapes that hold a public model (a Backup,
// a Maintenance) stay with their service in package scalingodb; the drift
// test there compares every shape with the spec.
package wire

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/url"
	"reflect"
	"time"
)

// OptBool is a boolean that remembers whether it was present.
type OptBool struct {
	// V is the value, false when absent or null.
	V bool
	// Set says whether the answer held true or false.
	Set bool
}

// UnmarshalJSON decodes true, false or null (which leaves Set false).
func (b *OptBool) UnmarshalJSON(p []byte) error {
	switch string(p) {
	case "true":
		b.V, b.Set = true, true
	case "false":
		b.V, b.Set = false, true
	case "null":
	default:
		return &json.UnmarshalTypeError{Value: "non-boolean", Type: reflect.TypeFor[bool]()}
	}
	return nil
}

// ActionResult is the spec's ActionResult: a pointer tells a missing
// "ok", and the result stays raw JSON for the caller to decode.
type ActionResult struct {
	OK     *int            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// Message is the spec's Message; a pointer tells a missing message.
type Message struct {
	Message *string `json:"message"`
}

// Missing names the required field missing, or is "".
func (m *Message) Missing() string {
	if m.Message == nil {
		return `"message"`
	}
	return ""
}

// Text is the message, or "" when there is none.
func (m *Message) Text() string {
	if m.Message == nil {
		return ""
	}
	return *m.Message
}

// LogsArchives is a page of the spec's LogsArchives; pointers tell the
// required fields that are missing.
type LogsArchives struct {
	NextCursor string         `json:"next_cursor"`
	HasMore    *bool          `json:"has_more"`
	Archives   *[]LogsArchive `json:"archives"`
}

// LogsArchive is the spec's LogsArchive.
type LogsArchive struct {
	URL  *string   `json:"url"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Size int64     `json:"size"`
}

// Missing names the required fields missing from the page, or is "". An
// archive's url must be an absolute http or https link, as Logs.URL's:
// one that is not could not be downloaded.
func (w *LogsArchives) Missing() string {
	if w.HasMore == nil || w.Archives == nil {
		return `"has_more" or "archives"`
	}
	for _, a := range *w.Archives {
		if a.URL == nil || !isLink(*a.URL) {
			return `"url" of an archive`
		}
	}
	return ""
}

// isLink reports whether s is an absolute http or https URL with a host
// (the rule of httpx.CheckDownloadURL, which this package does not import).
func isLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// PageMeta is the "meta" object of a paginated list.
type PageMeta struct {
	Pagination *Pagination `json:"pagination"`
}

// Pagination is the spec's PaginationMeta; a pointer tells a missing
// current page, and a null previous or next page.
type Pagination struct {
	CurrentPage *int  `json:"current_page"`
	PrevPage    *int  `json:"prev_page"`
	NextPage    *int  `json:"next_page"`
	TotalPages  int   `json:"total_pages"`
	TotalCount  int64 `json:"total_count"`
	// absent names a required key the answer lacked, or is "" (see
	// UnmarshalJSON): a pointer cannot tell a missing "next_page" from a
	// null one, and an iterator that took the first for the second would
	// end after one page without a word.
	absent string
}

// paginationKeys are the required keys of PaginationMeta that decode into
// a pointer (null is a value) or a number (0 is one).
type paginationKeys struct {
	PrevPage   json.RawMessage `json:"prev_page"`
	NextPage   json.RawMessage `json:"next_page"`
	TotalPages json.RawMessage `json:"total_pages"`
	TotalCount json.RawMessage `json:"total_count"`
}

// UnmarshalJSON decodes the object and notes which required key it lacks.
func (p *Pagination) UnmarshalJSON(b []byte) error {
	type plain Pagination
	var keys paginationKeys
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	p.absent = ""
	for _, k := range [...]struct {
		name string
		raw  json.RawMessage
	}{{"prev_page", keys.PrevPage}, {"next_page", keys.NextPage}, {"total_pages", keys.TotalPages}, {"total_count", keys.TotalCount}} {
		if k.raw == nil {
			p.absent = `"meta.pagination.` + k.name + `"`
			break
		}
	}
	return nil
}

// Missing names the required fields missing from the meta object, or is "".
func (m *PageMeta) Missing() string {
	if m == nil || m.Pagination == nil || m.Pagination.CurrentPage == nil {
		return `"meta.pagination"`
	}
	return m.Pagination.absent
}

// IsPEMCertificates reports whether b, the body of getCaCertificate, holds
// one or more PEM certificates and nothing else but white space. Each block
// must hold an X.509 certificate that parses: a CERTIFICATE block of other
// bytes (a corrupted or substituted answer) would be saved over a working
// file and fail only when a connection verifies with it.
func IsPEMCertificates(b []byte) bool {
	found := false
	for {
		// pem.Decode skips any text before a block: only white space may stand there.
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 || !bytes.HasPrefix(b, []byte("-----BEGIN ")) {
			return found && len(b) == 0
		}
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" {
			return false
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return false
		}
		found = true
	}
}
