package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/pkg/conformance/internal/schemacheck"
)

// ValidateResponse checks a response to req against the spec: the status is documented (a "default"
// response never covers an undocumented status; "5XX" covers 500-599), documented headers are present
// when required and match their schemas, the content type is documented, and the body matches: a body
// where none is documented fails, an empty body where one is documented fails, JSON bodies match their
// schemas, formats included. body is neither consumed nor modified. With WithCoverage, every routed
// response is recorded. The error is a *ViolationError.
//
// body is the body as it came, in the framing that header describes: when header announces a
// Content-Length and body is shorter (the connection broke), the error is a *TruncatedBodyError
// that names the operation, not a *ViolationError, and the response is not recorded. (A status
// that has no body, 1xx, 204 and 304, and the answer to a HEAD are not held to their
// Content-Length.) A chunked body cut short cannot be told from a byte slice: the caller that reads
// it gets net/http's io.ErrUnexpectedEOF, and must not call ValidateResponse with what came.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	info, _, _, err := v.route(req, false)
	if err != nil {
		setIn(err, "response", status)
		return err
	}
	if n, ok := announcedLength(req, status, header); ok && int64(len(body)) < n {
		te := &TruncatedBodyError{Read: int64(len(body)), Announced: n}
		truncatedAt(te, info, req, "response", status)
		return te
	}
	return v.checkResponse(info, req, status, header, body, false)
}

// announcedLength returns the Content-Length of a response that must carry that many bytes.
func announcedLength(req *http.Request, status int, header http.Header) (int64, bool) {
	if req.Method == http.MethodHead || status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		return 0, false
	}
	vals := header.Values("Content-Length")
	if len(vals) != 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(vals[0]), 10, 64)
	return n, err == nil && n >= 0
}

// checkResponse validates a routed response. With headOnly, the body is not looked at (it is streamed
// elsewhere): only status, headers and content type are checked.
func (v *Validator) checkResponse(info *opInfo, req *http.Request, status int, header http.Header, body []byte, headOnly bool) error {
	if v.coverage != nil {
		v.coverage.Record(info.op.ID, status)
	}
	tmpl := Violation{
		OperationID: info.op.ID,
		Method:      req.Method,
		Path:        requestPath(req),
		Status:      status,
		In:          "response",
		Sources:     info.op.Sources,
	}
	ri := info.response(status)
	if ri == nil {
		vi := tmpl
		vi.Kind = KindStatus
		vi.Expected = shorten("one of " + strings.Join(info.op.Statuses, " "))
		vi.Got = strconv.Itoa(status)
		return violations(&vi)
	}
	var out []*Violation
	for _, h := range ri.headers {
		out = append(out, v.checkHeader(h, header, tmpl)...)
	}
	out = append(out, v.checkContent(ri, header, body, headOnly, tmpl)...)
	if len(out) > 0 {
		return violations(out...)
	}
	return nil
}

func (v *Validator) checkHeader(h headerInfo, header http.Header, tmpl Violation) []*Violation {
	vals := header[h.name]
	where := "header " + h.name
	if len(vals) == 0 {
		if !h.required {
			return nil
		}
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindHeader, where, "required header", "missing"
		return []*Violation{&vi}
	}
	if len(vals) > 1 && (h.schema == nil || !h.schema.Type.Is("array")) {
		// A second line is joined to the first by some readers and ignored by others (Header.Get).
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindHeader, where, "one header line", fmt.Sprintf("%d lines", len(vals))
		return []*Violation{&vi}
	}
	if h.schema == nil {
		return nil
	}
	value, err := headerValue(h.schema, strings.TrimSpace(vals[0]))
	if err != nil {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindHeader, where, typeName(h.schema), shorten(strconv.Quote(vals[0]))
		return []*Violation{&vi}
	}
	if h.check != nil && h.check.OK(value) {
		return nil
	}
	if err := h.schema.VisitJSON(value, v.schemaOpts...); err != nil {
		vs := schemaViolations(err, tmpl, where)
		for _, vi := range vs {
			vi.Kind = KindHeader
		}
		return vs
	}
	return nil
}

// headerValue converts a header's text to the JSON type its schema describes.
func headerValue(s *openapi3.Schema, raw string) (any, error) {
	switch {
	case s.Type.Is("integer"):
		n, err := strconv.ParseInt(raw, 10, 64)
		return float64(n), err
	case s.Type.Is("number"):
		return strconv.ParseFloat(raw, 64)
	case s.Type.Is("boolean"):
		return strconv.ParseBool(raw)
	}
	return raw, nil
}

func (v *Validator) checkContent(ri *respInfo, header http.Header, body []byte, headOnly bool, tmpl Violation) []*Violation {
	if len(ri.content) == 0 {
		if len(body) > 0 {
			vi := tmpl
			vi.Kind, vi.Expected, vi.Got = KindBody, "no body", bodySummary(body)
			return []*Violation{&vi}
		}
		// net/http clients drop the body of a 204 before any RoundTripper sees it: the framing
		// header is what is left of a body sent where none is documented.
		if cl := header.Get("Content-Length"); cl != "" && cl != "0" {
			vi := tmpl
			vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindBody, "header Content-Length", "no body", shorten("Content-Length: "+cl)
			return []*Violation{&vi}
		}
		return nil
	}
	if n := len(header["Content-Type"]); n > 1 {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindContentType, "header Content-Type", "one header line", fmt.Sprintf("%d lines", n)
		return []*Violation{&vi}
	}
	ct := header.Get("Content-Type")
	ci, problem := matchContent(ri.content, ct)
	if ci == nil {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected = KindContentType, "header Content-Type", expectedTypes(ri.content)
		if problem != "" {
			vi.Expected = problem
		}
		vi.Got = shorten(strconv.Quote(ct))
		if ct == "" {
			vi.Got = "missing"
		}
		return []*Violation{&vi}
	}
	if headOnly || ci.kind == contentBinary {
		return nil
	}
	if len(body) == 0 {
		vi := tmpl
		vi.Kind, vi.Expected, vi.Got = KindBody, "a "+ci.mediaType+" body", "empty body"
		return []*Violation{&vi}
	}
	if ci.kind == contentText {
		if !utf8.Valid(body) {
			vi := tmpl
			vi.Kind, vi.Expected, vi.Got = KindBody, "UTF-8 text", bodySummary(body)
			return []*Violation{&vi}
		}
		if ci.schema != nil {
			return v.visit(ci.schema, ci.check, string(body), tmpl) // a PEM file's pattern
		}
		return nil
	}
	return v.jsonViolations(ci, body, tmpl)
}

// jsonViolations judges a JSON body against its documented content. The checker answers first, on
// the bytes; only a body it refuses is decoded and explained, by kin-openapi and by the rules of
// decoding faithfully into the generated types.
func (v *Validator) jsonViolations(ci *contentInfo, data []byte, tmpl Violation) []*Violation {
	if ci.check != nil && ci.check.ValidJSON(data) {
		return nil // the usual case: no decoding into interface values, no error building
	}
	var value any
	if err := json.Unmarshal(data, &value); err != nil {
		vi := tmpl
		vi.Kind, vi.Expected, vi.Got = KindBody, "valid JSON", shorten(err.Error())
		return []*Violation{&vi}
	}
	if ci.schema == nil {
		return nil
	}
	return mergeViolations(strictViolations(ci.check, data, tmpl), v.visit(ci.schema, ci.check, value, tmpl))
}

func bodySummary(body []byte) string {
	s := string(body)
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%d bytes of binary data", len(body))
	}
	return shorten(fmt.Sprintf("%d bytes: %s", len(body), strings.TrimSpace(s)))
}

func expectedTypes(cs []contentInfo) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.mediaType
	}
	return "one of [" + strings.Join(names, " ") + "]"
}

// matchContent finds the documented media type of a Content-Type value. JSON types accept only a
// UTF-8 charset parameter. problem explains a refusal that is not a plain mismatch.
func matchContent(cs []contentInfo, ct string) (ci *contentInfo, problem string) {
	if ct == "" {
		return nil, ""
	}
	base, params, hasParams := strings.Cut(ct, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	for i := range cs {
		if cs[i].mediaType != base {
			continue
		}
		if hasParams && cs[i].kind != contentBinary {
			if p := strings.TrimSpace(params); strings.EqualFold(p, "charset=utf-8") || strings.EqualFold(p, `charset="utf-8"`) {
				return &cs[i], ""
			}
			_, ps, err := mime.ParseMediaType(base + ";" + params)
			if err != nil {
				return nil, "a well-formed media type"
			}
			if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
				return nil, base + " with charset utf-8"
			}
		}
		return &cs[i], ""
	}
	return nil, ""
}

// visit validates a decoded JSON value against a schema. The checker c (which may be nil) answers
// first, without building errors; only when it refuses does kin-openapi run to build them. A schema
// that is only a oneOf is handled here: the branches that cannot match (a required property is missing, or the JSON type differs)
// are skipped without building errors, so the usual case costs one branch visit and a miss reports
// the errors of the one plausible branch instead of every branch's.
func (v *Validator) visit(s *openapi3.Schema, c *schemacheck.Checker, value any, tmpl Violation) []*Violation {
	if c != nil && c.OK(value) {
		return nil
	}
	if len(s.OneOf) > 0 && onlyOneOf(s) && value != nil {
		return v.visitOneOf(s, value, tmpl)
	}
	if err := s.VisitJSON(value, v.schemaOpts...); err != nil {
		return schemaViolations(err, tmpl, "")
	}
	return nil
}

func (v *Validator) visitOneOf(s *openapi3.Schema, value any, tmpl Violation) []*Violation {
	var candidates []*openapi3.Schema
	for _, ref := range s.OneOf {
		if ref.Value != nil && schemacheck.Plausible(ref.Value, value) {
			candidates = append(candidates, ref.Value)
		}
	}
	switch len(candidates) {
	case 0:
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindSchema, "/", branchNames("oneOf", s), render(value)
		return []*Violation{&vi}
	case 1:
		return v.visit(candidates[0], nil, value, tmpl)
	}
	var matched []*openapi3.Schema
	for _, c := range candidates {
		if c.VisitJSON(value, v.probeOpts...) == nil {
			matched = append(matched, c)
		}
	}
	switch len(matched) {
	case 1:
		return nil
	case 0:
		return v.visit(candidates[0], nil, value, tmpl)
	}
	vi := tmpl
	vi.Kind, vi.Pointer, vi.Expected = KindSchema, "/", "exactly one of "+branchNames("oneOf", s)
	vi.Got = fmt.Sprintf("a value matching %d branches", len(matched))
	return []*Violation{&vi}
}

// onlyOneOf reports whether the schema has no keyword but oneOf (and annotations).
func onlyOneOf(s *openapi3.Schema) bool {
	return (s.Type == nil || len(*s.Type) == 0) && len(s.AnyOf) == 0 && len(s.AllOf) == 0 &&
		s.Not == nil && len(s.Properties) == 0 && len(s.Required) == 0 && len(s.Enum) == 0 &&
		s.Discriminator == nil && !s.Nullable
}

// setIn marks the violations of err as found in a response with status.
func setIn(err error, in string, status int) {
	if ve := (*ViolationError)(nil); errors.As(err, &ve) {
		for _, vi := range ve.Violations {
			vi.In = in
			vi.Status = status
		}
	}
}
