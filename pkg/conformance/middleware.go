package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"
)

// MiddlewareOption configures the handler returned by Validator.Middleware.
type MiddlewareOption func(*middlewareOptions)

// middleware is the handler of Middleware and OperationMiddleware.
type middleware struct {
	v     *Validator
	next  http.Handler
	o     middlewareOptions
	bound *opInfo // set by OperationMiddleware: the only operation served, already routed
}

type middlewareOptions struct {
	onResponse   func(*ViolationError)
	skipRequest  bool
	skipResponse bool
}

// OnResponseViolation makes the middleware call f for each response of the wrapped handler that
// breaks the spec. The response is sent anyway. f may be called from several goroutines at once.
func OnResponseViolation(f func(*ViolationError)) MiddlewareOption {
	return func(o *middlewareOptions) { o.onResponse = f }
}

// SkipRequestValidation makes the middleware pass every request to the handler unchecked.
func SkipRequestValidation() MiddlewareOption {
	return func(o *middlewareOptions) { o.skipRequest = true }
}

// SkipResponseValidation makes the middleware leave the handler's responses unchecked.
func SkipResponseValidation() MiddlewareOption {
	return func(o *middlewareOptions) { o.skipResponse = true }
}

// Middleware validates requests on their way into next and responses on their way out.
//
// A request that breaks the spec never reaches next; it gets a JSON answer that the spec documents:
// 404 {"error":"not found"} when no operation matches (405 is not documented); 422
// {"errors":{"<field>":["..."]}} when the body is valid JSON that breaks its schema, keyed by the
// property that failed; 400 {"error":"..."} for anything else (malformed JSON, wrong content type,
// bad or missing parameters). An operation that documents only one of 400 and 422 gets that one.
// An operation that documents neither takes no input that can be malformed (its only possible fault
// is an unexpected body), so it is served as a real server would: the handler ignores the body.
//
// JSON responses are buffered, validated, then written unchanged; binary responses
// (application/octet-stream) are streamed through and only their status and headers are checked.
// Response violations go to OnResponseViolation.
//
// Bodies are read up to the Validator's cap (DefaultMaxBodyBytes unless WithMaxBodyBytes), counted
// in decompressed bytes. A larger request gets 413 {"error":"request body too large: ..."} and never
// reaches next. A larger response is sent unchecked, streamed from the byte where it passed the cap,
// and reported as a KindTooLarge violation.
//
// A request whose body is cut short (fewer bytes than its Content-Length, or a chunked body cut
// before its last chunk: the client's connection broke) never reaches next, whatever its operation
// documents: it gets 400 {"error":"request body cut short: ..."}, or 422 {"errors":{"base":["..."]}}
// where the operation documents 422 and not 400.
func (v *Validator) Middleware(next http.Handler, opts ...MiddlewareOption) http.Handler {
	m := &middleware{v: v, next: next}
	apply(&m.o, opts)
	return m
}

// OperationMiddleware is Middleware for the one operation whose operationId is id, mounted where
// requests are already routed to it: on the operation's http.ServeMux pattern, or behind Match. It
// does not route again; it reads the path parameters with Request.PathValue. The error says that the
// spec has no operation id.
func (v *Validator) OperationMiddleware(id string, next http.Handler, opts ...MiddlewareOption) (http.Handler, error) {
	info, ok := v.byID[id]
	if !ok {
		return nil, fmt.Errorf("conformance: the spec has no operation %q", id)
	}
	m := &middleware{v: v, next: next, bound: info}
	apply(&m.o, opts)
	return m, nil
}

// route finds the operation of r and fills params (unless nil) with its path parameters, escaped.
func (m *middleware) route(r *http.Request, params map[string]string) (*opInfo, *routers.Route, error) {
	if m.bound == nil {
		return m.v.routeInto(r, params)
	}
	if params != nil {
		for _, name := range m.bound.pathNames {
			params[name] = url.PathEscape(r.PathValue(name))
		}
	}
	return m.bound, m.bound.kinRoute, nil
}

// ServeHTTP checks r, serves it with the wrapped handler and checks the answer.
func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.o.skipRequest && m.o.skipResponse {
		m.next.ServeHTTP(w, r)
		return
	}
	var params map[string]string
	if !m.o.skipRequest {
		params = paramsPool.Get().(map[string]string)
	}
	info, kr, err := m.route(r, params)
	if err != nil {
		if m.o.skipRequest {
			m.next.ServeHTTP(w, r)
			return
		}
		releaseParams(params)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	if !m.o.skipRequest {
		vs, cut := m.v.checkRequest(info, kr, params, r)
		releaseParams(params) // nothing keeps it: violations hold copies of what they report
		if te := (*TruncatedBodyError)(nil); errors.As(cut, &te) {
			rejectCut(w, info, te)
			return
		}
		if tooLarge(vs) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
				"error": "request body too large: at most " + sizeName(m.v.maxBody)})
			return
		}
		if len(vs) > 0 && documentsClientErrors(info) {
			rejectRequest(w, info, vs)
			return
		}
	}
	if m.o.skipResponse {
		m.next.ServeHTTP(w, r)
		return
	}
	rw := &responseRecorder{w: w, m: m, info: info, req: r}
	m.next.ServeHTTP(rw, r)
	rw.finish()
}

// paramsPool recycles the path parameter maps of the middleware, which live only while a request is
// checked: a fresh map per request was two of the middleware's allocations and most of its bytes.
var paramsPool = sync.Pool{New: func() any { return map[string]string{} }}

func releaseParams(params map[string]string) {
	clear(params)
	paramsPool.Put(params)
}

func (m *middleware) reportResponse(err error) {
	if err == nil || m.o.onResponse == nil {
		return
	}
	if ve := (*ViolationError)(nil); errors.As(err, &ve) {
		m.o.onResponse(ve)
	}
}

func tooLarge(vs []*Violation) bool {
	for _, vi := range vs {
		if vi.Kind == KindTooLarge {
			return true
		}
	}
	return false
}

// rejectCut answers a request whose body was cut short: 400 {"error":"request body cut short: ..."},
// or 422 {"errors":{"base":["..."]}} for an operation that documents 422 and not 400.
func rejectCut(w http.ResponseWriter, info *opInfo, te *TruncatedBodyError) {
	msg := te.Problem()
	if info.statusSet["422"] && !info.statusSet["400"] {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": map[string][]string{"base": {msg}}})
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}

// rejectRequest answers a request that breaks the spec with 400 or 422.
func rejectRequest(w http.ResponseWriter, info *opInfo, vs []*Violation) {
	schemaOnly := true
	for _, vi := range vs {
		if vi.Kind != KindSchema {
			schemaOnly = false
		}
	}
	status := http.StatusBadRequest
	if schemaOnly {
		status = http.StatusUnprocessableEntity
	}
	if !info.statusSet[statusKey(status)] {
		alt := http.StatusUnprocessableEntity + http.StatusBadRequest - status
		if info.statusSet[statusKey(alt)] {
			status = alt
		}
	}
	if status == http.StatusUnprocessableEntity {
		fields := map[string][]string{}
		for _, vi := range vs {
			f := fieldOf(vi)
			fields[f] = append(fields[f], requestMessage(vi))
		}
		writeJSON(w, status, map[string]any{"errors": fields})
		return
	}
	msgs := make([]string, len(vs))
	for i, vi := range vs {
		msgs[i] = requestMessage(vi)
		if vi.Pointer != "" {
			msgs[i] = vi.Pointer + ": " + msgs[i]
		}
	}
	writeJSON(w, status, map[string]string{"error": strings.Join(msgs, "; ")})
}

// documentsClientErrors reports whether the operation can refuse a malformed request with a
// documented status.
func documentsClientErrors(info *opInfo) bool {
	return info.statusSet["400"] || info.statusSet["422"]
}

func statusKey(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "400"
	case http.StatusUnprocessableEntity:
		return "422"
	}
	return ""
}

// fieldOf names the body property a violation is about: the last property of its JSON pointer,
// followed by the indexes of the array items below it, as Rails names nested attributes
// (/database/periodic_backups_scheduled_at/1 is periodic_backups_scheduled_at[1]).
func fieldOf(vi *Violation) string {
	p := strings.TrimRight(vi.Pointer, "/")
	if p == "" {
		return "base"
	}
	if p[0] != '/' {
		// A parameter or a header ("query type"): its name.
		if _, name, ok := strings.Cut(p, " "); ok && name != "" {
			return name
		}
		return p
	}
	toks := strings.Split(p[1:], "/")
	i := len(toks) - 1
	for i > 0 && isIndex(toks[i]) {
		i--
	}
	if isIndex(toks[i]) {
		return "base" // a body that is itself a list
	}
	f := strings.ReplaceAll(strings.ReplaceAll(toks[i], "~1", "/"), "~0", "~")
	for _, idx := range toks[i+1:] {
		f += "[" + idx + "]"
	}
	return f
}

// isIndex reports whether a JSON pointer token is an array index.
func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for _, c := range tok {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// requestMessage is the text of a violation sent back to a client: what was expected, never the
// value that came (it may be a secret).
func requestMessage(vi *Violation) string {
	switch vi.Expected {
	case "required property", "required parameter":
		return "is required"
	}
	if vi.Kind == KindBody || vi.Kind == KindContentType {
		return "expected " + vi.Expected + ", got " + vi.Got
	}
	if rest, ok := strings.CutPrefix(vi.Expected, "matching "); ok {
		return "must match " + rest
	}
	return "must be " + vi.Expected
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// responseRecorder buffers a JSON response until the handler returns, or streams a binary one after
// checking its status and headers.
type responseRecorder struct {
	w    http.ResponseWriter
	m    *middleware
	info *opInfo
	req  *http.Request

	status    int
	wrote     bool // WriteHeader was called
	streaming bool
	buf       bytes.Buffer
}

// Header returns the header map of the underlying writer.
func (rw *responseRecorder) Header() http.Header { return rw.w.Header() }

// WriteHeader records the status; a documented binary response is checked and sent at once.
func (rw *responseRecorder) WriteHeader(status int) {
	if rw.wrote {
		return
	}
	if status >= 100 && status < 200 {
		rw.w.WriteHeader(status) // informational responses pass through
		return
	}
	rw.wrote = true
	rw.status = status
	ri := rw.info.response(status)
	if ri == nil {
		return
	}
	if ci, _ := matchContent(ri.content, rw.w.Header().Get("Content-Type")); ci != nil && ci.kind == contentBinary {
		rw.streaming = true
		rw.m.reportResponse(rw.m.v.checkResponse(rw.info, rw.req, status, rw.w.Header(), nil, true))
		rw.w.WriteHeader(status)
	}
}

// Write buffers b, or sends it at once for a streamed response.
func (rw *responseRecorder) Write(b []byte) (int, error) {
	if !rw.wrote {
		sniff(rw.w.Header(), b)
		rw.WriteHeader(http.StatusOK)
	}
	if rw.streaming {
		return rw.w.Write(b)
	}
	if int64(rw.buf.Len()+len(b)) > rw.m.v.maxBody {
		rw.overflow()
		return rw.w.Write(b)
	}
	return rw.buf.Write(b)
}

// overflow gives up checking a response larger than the cap: it reports it, sends what was
// buffered and streams the rest.
func (rw *responseRecorder) overflow() {
	vi := &Violation{OperationID: rw.info.op.ID, Method: rw.req.Method, Path: requestPath(rw.req),
		Status: rw.status, In: "response", Kind: KindTooLarge,
		Expected: "a body of at most " + sizeName(rw.m.v.maxBody), Got: "more"}
	rw.m.reportResponse(violations(vi))
	rw.streaming = true
	sniff(rw.w.Header(), rw.buf.Bytes())
	rw.w.WriteHeader(rw.status)
	_, _ = rw.w.Write(rw.buf.Bytes())
	rw.buf = bytes.Buffer{}
}

// Flush sends buffered data of a streamed response; buffered JSON waits for the handler to return.
func (rw *responseRecorder) Flush() {
	if rw.streaming {
		if f, ok := rw.w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (rw *responseRecorder) Unwrap() http.ResponseWriter { return rw.w }

// finish validates a buffered response and sends it unchanged.
func (rw *responseRecorder) finish() {
	if rw.streaming {
		return
	}
	if !rw.wrote {
		rw.status = http.StatusOK
	}
	h := rw.w.Header()
	sniff(h, rw.buf.Bytes())
	rw.m.reportResponse(rw.m.v.checkResponse(rw.info, rw.req, rw.status, h, rw.buf.Bytes(), false))
	rw.w.WriteHeader(rw.status)
	if rw.buf.Len() > 0 {
		_, _ = rw.w.Write(rw.buf.Bytes())
	}
}

// sniff sets the Content-Type that net/http would send for a body starting with b: the detected
// one, unless the handler set the header (even to nothing, which suppresses it).
func sniff(h http.Header, b []byte) {
	if _, set := h["Content-Type"]; !set && len(b) > 0 {
		h.Set("Content-Type", http.DetectContentType(b))
	}
}
