// Package respond writes the answers of the mock: JSON bodies, the spec's Error and ValidationErrors
// bodies, and list bodies encoded once per change of what they list. A Response implements the
// Visit method of every response interface of the generated strict server, so that an operation
// can answer an error (or a body that needs explicit nulls) without one generated type per
// operation and status.
package respond

import (
	"bytes"
	"encoding/json"
	"iter"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// Response is a JSON answer of any operation.
type Response struct {
	Status int
	Body   any               // encoded with encoding/json unless Raw is set
	Raw    []byte            // pre-encoded body
	Header map[string]string // set on the answer before its status
	List   *List             // the cached list Raw comes from: validated once (see Tagger)
}

// List is the JSON body of a list answer, encoded once per change of what it lists. Valid tells
// that the answer passed response validation, so that it is validated once, not on every request.
type List struct {
	Raw   []byte
	Valid atomic.Bool
}

// Tagger is a ResponseWriter that wants to know the cached list an answer is written from: the
// response checker, which validates such a body once.
type Tagger interface {
	TagList(*List)
}

// Cached is a 200 answer of a cached list body.
func Cached(l *List) Response {
	return Response{Status: http.StatusOK, Raw: l.Raw, List: l}
}

// JSON is an answer of status with body encoded as JSON.
func JSON(status int, body any) Response { return Response{Status: status, Body: body} }

// Error is an answer of status with the spec's Error body holding msg.
func Error(status int, msg string) Response {
	return Response{Status: status, Body: dbapi.Error{Error: msg}}
}

// NotFound is a 404 answer naming the resource that is missing.
func NotFound(resource string) Response {
	return NotFoundBecause(resource, "not found")
}

// NotFoundBecause is a 404 answer naming the resource that is missing, with a message saying why.
func NotFoundBecause(resource, msg string) Response {
	return Response{Status: http.StatusNotFound, Body: dbapi.Error{Error: msg, Resource: &resource}}
}

// Forbidden is a 403 answer with the code "forbidden".
func Forbidden(msg string) Response {
	code := "forbidden"
	return Response{Status: http.StatusForbidden, Body: dbapi.Error{Error: msg, Code: &code}}
}

// Invalid is a 422 answer; errs holds field, message pairs.
func Invalid(errs ...string) Response {
	m := map[string][]string{}
	for i := 0; i+1 < len(errs); i += 2 {
		m[errs[i]] = append(m[errs[i]], errs[i+1])
	}
	return Response{Status: http.StatusUnprocessableEntity, Body: dbapi.ValidationErrors{Errors: m}}
}

// Write writes the answer to w.
func (a Response) Write(w http.ResponseWriter) error {
	body := a.Raw
	if body == nil && a.Body != nil {
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(a.Body); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	h := w.Header()
	for k, v := range a.Header {
		h.Set(k, v)
	}
	if body != nil {
		// Canonical keys, set directly: Header.Set would canonicalise them again on every answer.
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	if a.List != nil {
		if t, ok := w.(Tagger); ok {
			t.TagList(a.List)
		}
	}
	w.WriteHeader(a.Status)
	if body == nil {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// WriteError writes the spec's Error body from plain net/http code (never http.Error's plain text).
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteErrorBody(w, status, dbapi.Error{Error: msg})
}

// WriteErrorBody writes e as the answer of status.
func WriteErrorBody(w http.ResponseWriter, status int, e dbapi.Error) {
	b, _ := json.Marshal(e)
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// EncodeList builds the body {"<name>":[<item>,...]} followed by a newline, byte for byte what
// json.Encoder writes for the envelope of those items, from the items already encoded.
func EncodeList[V any](name string, items iter.Seq[V], enc func(V) []byte) *List {
	n := len(name) + 8
	for v := range items {
		n += len(enc(v)) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"`...)
	b = append(b, name...)
	b = append(b, `":[`...)
	first := true
	for v := range items {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, enc(v)...)
	}
	b = append(b, "]}\n"...)
	return &List{Raw: b}
}
