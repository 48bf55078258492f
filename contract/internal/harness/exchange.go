package harness

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Bounds of what an Exchange keeps: a report of a hundred violations stays small, whatever the
// target sends.
const (
	maxExchangeBody   = 2048 // bytes of a request or response body
	maxExchangeHeader = 24   // header lines
	maxHeaderValue    = 200  // bytes of one header value
)

// Exchange is the request a violation was met on and the answer that broke the contract, as
// the reports show them: bounded, and without a secret (the Authorization header is never kept,
// only which token it held; URLs and bodies go through the Redactor before a report is written).
type Exchange struct {
	Method string `json:"method"`
	URL    string `json:"url"` // as it went on the wire (DBAPI_BASE_PATH applied)
	// Token names the credential the request carried: "DB_BEARER_TOKEN", "DBAPI_FOREIGN_TOKEN",
	// another name the run gave, or "" for none.
	Token         string       `json:"token,omitempty"`
	RequestHeader []HeaderLine `json:"request_header,omitempty"` // Content-Type, Accept, If-*, Range
	RequestBody   string       `json:"request_body,omitempty"`
	Status        int          `json:"status,omitempty"` // 0 when no answer came (the request matched no operation)
	Header        []HeaderLine `json:"header,omitempty"`
	Body          string       `json:"body,omitempty"`          // its first bytes
	BodyCut       bool         `json:"body_cut,omitempty"`      // Body is only the start of the answer's body
	BodyNotRead   bool         `json:"body_not_read,omitempty"` // the body was not read: a binary body, streamed
}

// HeaderLine is one header field of an Exchange.
type HeaderLine struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// exchangeKey carries the *exchangeSlot of a request from ExchangeRecorder.Outer to Inner.
type exchangeKey struct{}

// exchangeSlot is filled by Inner while the request is on the wire.
type exchangeSlot struct {
	mu   sync.Mutex
	x    Exchange
	body *capBuffer
}

// ExchangeRecorder keeps, for each request of the suite's client, what a report needs to show
// the exchange: Outer goes above the validating transport, Inner below it (where the answer
// comes before the validator reads it). A *conformance.ViolationError that comes out of Outer
// is passed to report with its Exchange.
type ExchangeRecorder struct {
	// Tokens names the bearer tokens of the run ("DB_BEARER_TOKEN" -> its value), so that the
	// Exchange says which one a request carried without keeping it.
	Tokens map[string]string
}

// Outer wraps next (the validating transport chain) so that every *conformance.ViolationError
// it returns is passed to report (which must be safe for concurrent use) with the exchange it
// was met on; the error is returned unchanged.
func (r ExchangeRecorder) Outer(next http.RoundTripper, report func(*conformance.ViolationError, *Exchange)) http.RoundTripper {
	return outer{r: r, next: next, report: report}
}

// Inner wraps next (the transport that puts the request on the wire) so that Outer learns what
// went out and what came back. It keeps the first bytes of the answer's body as the body is read,
// and so never holds up a streamed download.
func (r ExchangeRecorder) Inner(next http.RoundTripper) http.RoundTripper {
	return inner{next: next}
}

type outer struct {
	r      ExchangeRecorder
	next   http.RoundTripper
	report func(*conformance.ViolationError, *Exchange)
}

func (o outer) RoundTrip(req *http.Request) (*http.Response, error) {
	slot := &exchangeSlot{}
	slot.x = o.r.request(req)
	resp, err := o.next.RoundTrip(req.WithContext(context.WithValue(req.Context(), exchangeKey{}, slot)))
	var ve *conformance.ViolationError
	if err != nil && errors.As(err, &ve) {
		x := slot.snapshot()
		o.report(ve, &x)
	}
	return resp, err
}

// request records what Outer sees of req: the URL as the spec addresses it, until Inner sees
// it on the wire.
func (r ExchangeRecorder) request(req *http.Request) Exchange {
	x := Exchange{Method: req.Method, URL: req.URL.String()}
	if auth := req.Header.Get("Authorization"); auth != "" {
		x.Token = "a token the run does not name"
		cred := strings.TrimSpace(auth[strings.IndexByte(auth, ' ')+1:])
		names := make([]string, 0, len(r.Tokens))
		for n := range r.Tokens {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if r.Tokens[n] != "" && r.Tokens[n] == cred {
				x.Token = n
			}
		}
	}
	for _, name := range []string{"Content-Type", "Accept", "If-None-Match", "If-Match", "If-Modified-Since", "If-Range", "Range"} {
		if v := req.Header.Get(name); v != "" {
			x.RequestHeader = append(x.RequestHeader, HeaderLine{name, bound(v, maxHeaderValue)})
		}
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, maxExchangeBody+1))
			_ = body.Close()
			x.RequestBody = string(b)
			if len(b) > maxExchangeBody {
				x.RequestBody = string(b[:maxExchangeBody]) + "…"
			}
		}
	}
	return x
}

// snapshot returns the exchange as it stands.
func (s *exchangeSlot) snapshot() Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.x
	if s.body != nil {
		x.Body, x.BodyCut = s.body.String()
		x.BodyNotRead = !s.body.read
	}
	return x
}

type inner struct{ next http.RoundTripper }

func (i inner) RoundTrip(req *http.Request) (*http.Response, error) {
	slot, _ := req.Context().Value(exchangeKey{}).(*exchangeSlot)
	if slot != nil {
		slot.mu.Lock()
		slot.x.URL = req.URL.String()
		slot.mu.Unlock()
	}
	resp, err := i.next.RoundTrip(req)
	if err != nil || slot == nil {
		return resp, err
	}
	buf := &capBuffer{max: maxExchangeBody}
	slot.mu.Lock()
	slot.x.Status = resp.StatusCode
	slot.x.Header = headerLines(resp)
	slot.body = buf
	slot.mu.Unlock()
	resp.Body = &teeBody{ReadCloser: resp.Body, buf: buf, mu: &slot.mu}
	return resp, nil
}

// headerLines returns the answer's header, sorted and bounded, Content-Length included (net/http
// moves it out of the map).
func headerLines(resp *http.Response) []HeaderLine {
	h := resp.Header.Clone()
	if resp.ContentLength >= 0 && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	names := make([]string, 0, len(h))
	for n := range h {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []HeaderLine
	for _, n := range names {
		for _, v := range h[n] {
			if len(out) == maxExchangeHeader {
				return append(out, HeaderLine{"…", "more header lines not kept"})
			}
			if strings.EqualFold(n, "Set-Cookie") || strings.EqualFold(n, "Authorization") {
				v = Redacted
			}
			out = append(out, HeaderLine{n, bound(v, maxHeaderValue)})
		}
	}
	return out
}

// bound cuts s to n bytes on a rune boundary, marking the cut.
func bound(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// capBuffer keeps the first max bytes written to it and counts the rest.
type capBuffer struct {
	max   int
	b     []byte
	total int64
	read  bool
}

func (c *capBuffer) write(p []byte) {
	c.read = true
	c.total += int64(len(p))
	if room := c.max - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
}

// String returns the kept bytes (a rune cut at the end dropped) and whether more came.
func (c *capBuffer) String() (string, bool) {
	return strings.ToValidUTF8(string(c.b), ""), c.total > int64(len(c.b))
}

// teeBody copies the first bytes read from the body into the slot's buffer.
type teeBody struct {
	io.ReadCloser
	buf *capBuffer
	mu  *sync.Mutex
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.mu.Lock()
	t.buf.write(p[:n])
	t.mu.Unlock()
	return n, err
}
