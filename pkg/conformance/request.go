package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// ValidateRequest routes r and checks its path, query and header parameters, its content type and its
// body (the body is read and restored so that the caller can read it again). Security is not checked:
// authentication is the server's business. The error is a *ViolationError; its violations have Kind
// KindRoute when nothing matches, KindParameter, KindContentType or KindBody for a malformed request,
// and KindSchema when the body is valid JSON that breaks its schema.
//
// The Route is returned whenever r matches an operation, even when r breaks the spec. An operation
// that documents no request body accepts an empty body or an empty JSON object "{}", which the
// official clients send on such calls; anything else fails. A body over the Validator's cap
// (WithMaxBodyBytes) gives a violation of Kind KindTooLarge and is not restored: reading it again
// fails with a *http.MaxBytesError.
//
// A body cut short (fewer bytes than its Content-Length, or a chunked body cut before its last
// chunk: the client's connection broke) gives a *TruncatedBodyError, not a *ViolationError, whatever
// else the request breaks; it is not restored either: reading it again fails with that error.
func (v *Validator) ValidateRequest(r *http.Request) (*Route, error) {
	info, params, kr, err := v.route(r, true)
	if err != nil {
		return nil, err
	}
	route := &Route{Operation: info.op.clone(), PathParams: params}
	vs, err := v.checkRequest(info, kr, params, r)
	if err != nil {
		return route, err
	}
	if len(vs) > 0 {
		return route, violations(vs...)
	}
	return route, nil
}

// checkRequest returns the violations of r, or the *TruncatedBodyError of its cut body.
func (v *Validator) checkRequest(info *opInfo, kr *routers.Route, params map[string]string, r *http.Request) ([]*Violation, error) {
	tmpl := Violation{OperationID: info.op.ID, Method: r.Method, Path: requestPath(r), In: "request", Sources: info.op.Sources}
	var out []*Violation
	var input *openapi3filter.RequestValidationInput // built for the first parameter kin-openapi checks
	for i, p := range info.params {
		if c := info.pathChecks[i]; c != nil && c.OKString(params[p.Name]) {
			continue // a plain string path parameter that passes: kin-openapi would decode it as is
		}
		if p.In == openapi3.ParameterInHeader && len(r.Header.Values(p.Name)) > 1 &&
			(p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeArray)) {
			vi := tmpl
			vi.Kind, vi.Pointer, vi.Expected = KindParameter, "header "+p.Name, "one header line"
			vi.Got = fmt.Sprintf("%d lines", len(r.Header.Values(p.Name)))
			out = append(out, &vi)
			continue
		}
		if input == nil {
			input = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: kr, Options: v.filterOpts}
		}
		if err := openapi3filter.ValidateParameter(r.Context(), input, p); err != nil {
			out = append(out, paramViolations(err, p, tmpl)...)
		}
	}
	body, err := v.checkRequestBody(info, r, tmpl)
	if err != nil {
		return nil, err
	}
	return append(out, body...), nil
}

func paramViolations(err error, p *openapi3.Parameter, tmpl Violation) []*Violation {
	where := p.In + " " + p.Name
	mk := func(expected, got string) []*Violation {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindParameter, where, expected, got
		return []*Violation{&vi}
	}
	if errors.Is(err, openapi3filter.ErrInvalidRequired) {
		return mk("required parameter", "missing")
	}
	if errors.Is(err, openapi3filter.ErrInvalidEmptyValue) {
		return mk("a non-empty value", `""`)
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		vs := schemaViolations(err, tmpl, where)
		for _, vi := range vs {
			vi.Kind = KindParameter
			vi.Pointer = where
		}
		return vs
	}
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		expected := "a well-formed value"
		if p.Schema != nil && p.Schema.Value != nil {
			expected = typeName(p.Schema.Value)
		}
		return mk(expected, shorten(strconv.Quote(fmt.Sprint(pe.Value))))
	}
	return mk("a valid value", shorten(err.Error()))
}

// checkRequestBody returns the violations of r's body, or the *TruncatedBodyError of a cut one.
func (v *Validator) checkRequestBody(info *opInfo, r *http.Request, tmpl Violation) ([]*Violation, error) {
	vs, err := v.requestBodyViolations(info, r, tmpl)
	if truncatedAt(err, info, r, "request", 0) {
		return nil, err
	}
	return vs, nil
}

func (v *Validator) requestBodyViolations(info *opInfo, r *http.Request, tmpl Violation) ([]*Violation, error) {
	data, err := readAndRestore(r, v.maxBody)
	if errors.As(err, new(*TruncatedBodyError)) {
		return nil, err
	}
	mk := func(kind Kind, ptr, expected, got string) ([]*Violation, error) {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = kind, ptr, expected, got
		return []*Violation{&vi}, nil
	}
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return mk(KindTooLarge, "", "a body of at most "+sizeName(mbe.Limit), "more")
	}
	if err != nil {
		return mk(KindBody, "", "a readable body", shorten(err.Error()))
	}
	if data, err = decodedForCheck(r.Header, data, v.maxBody); err != nil {
		if errors.As(err, new(*TruncatedBodyError)) {
			return nil, err
		}
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return mk(KindTooLarge, "", "a body of at most "+sizeName(mbe.Limit)+" decompressed", "more")
		}
		return mk(KindBody, "", "a readable gzip body", shorten(err.Error()))
	}
	rb := info.body
	if rb == nil {
		if len(bytes.TrimSpace(data)) == 0 || isEmptyObject(data) {
			return nil, nil
		}
		return mk(KindBody, "", "no body", bodySummary(data))
	}
	if len(data) == 0 {
		if rb.Required {
			return mk(KindBody, "", "a request body", "empty body")
		}
		return nil, nil
	}
	cs := info.reqContent
	if n := len(r.Header.Values("Content-Type")); n > 1 {
		return mk(KindContentType, "header Content-Type", "one header line", fmt.Sprintf("%d lines", n))
	}
	ct := r.Header.Get("Content-Type")
	ci, problem := matchContent(cs, ct)
	if ci == nil {
		expected := expectedTypes(cs)
		if problem != "" {
			expected = problem
		}
		got := shorten(strconv.Quote(ct))
		if ct == "" {
			got = "missing"
		}
		return mk(KindContentType, "header Content-Type", expected, got)
	}
	if ci.kind != contentJSON {
		return nil, nil
	}
	return v.jsonViolations(ci, data, tmpl), nil
}

func isEmptyObject(data []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(data, &m) == nil && m != nil && len(m) == 0
}

// readAndRestore reads r's body, up to limit bytes, and puts an identical one back. A body that
// cannot be read whole (over the limit, cut short, or failing) cannot be given back: it is
// replaced by one whose reads fail with the error returned (*http.MaxBytesError,
// *TruncatedBodyError or the read's own), never by the part that came.
func readAndRestore(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	data, err := readCapped(r.Body, limit, r.ContentLength)
	_ = r.Body.Close()
	if err != nil {
		r.Body = io.NopCloser(failingReader{err})
		r.GetBody = nil
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return data, nil
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
