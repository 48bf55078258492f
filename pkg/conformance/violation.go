package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scalingodb/dbapi-go/pkg/conformance/internal/schemacheck"
)

// Kind says which rule of the spec a Violation breaks.
type Kind string

// The kinds of Violation.
const (
	KindRoute       Kind = "route"        // no operation matches the method and path
	KindStatus      Kind = "status"       // the response status is not documented
	KindContentType Kind = "content-type" // the Content-Type is not documented (or missing)
	KindHeader      Kind = "header"       // a documented header is missing or malformed
	KindBody        Kind = "body"         // a body is present where none is documented, absent, or not JSON
	KindSchema      Kind = "schema"       // a JSON body breaks its schema
	KindParameter   Kind = "parameter"    // a path, query or header parameter is missing or malformed
	KindTooLarge    Kind = "too-large"    // a body is larger than the Validator reads (WithMaxBodyBytes)
)

// maxGot is the length beyond which Violation.Got is truncated.
const maxGot = 80

// Violation is one broken rule, readable in a few lines: operation, method and path, status, JSON
// pointer, what was expected and what came. It never holds a dump of the whole schema.
type Violation struct {
	OperationID string
	Method      string
	Path        string // the request's actual path
	Status      int    // 0 for a request violation
	In          string // "request" or "response"
	Kind        Kind
	Pointer     string // JSON pointer into the body ("/database_backup/status"), or "header Retry-After", "query page"
	Expected    string // short: `one of [scheduled pending ...]`, `string, format date-time with offset`, `required property`
	Got         string // short rendering of the value, truncated to ~80 chars
	// Sources are the clients the operation's shape is known from (Operation.Sources). When there is
	// only one, the message says so: the spec may be what is wrong.
	Sources []string
}

// Error renders the violation on two or three short lines.
func (v *Violation) Error() string {
	var b strings.Builder
	writeExchange(&b, v.OperationID, v.Method, v.Path, v.Status)
	fmt.Fprintf(&b, ": %s %s violation", v.In, v.Kind)
	if v.Pointer != "" {
		fmt.Fprintf(&b, " at %s", v.Pointer)
	}
	fmt.Fprintf(&b, "\n  expected: %s\n  got:      %s", v.Expected, v.Got)
	if len(v.Sources) == 1 {
		fmt.Fprintf(&b, "\n  note:     this operation's shape comes from one client only (%s): the spec may be wrong", v.Sources[0])
	}
	return b.String()
}

// writeExchange names what a message is about: "operationID METHOD path -> status", without the
// status when it is 0 (a request), and "(no operation)" when nothing matched.
func writeExchange(b *strings.Builder, operationID, method, path string, status int) {
	if operationID == "" {
		operationID = "(no operation)"
	}
	fmt.Fprintf(b, "%s %s %s", operationID, method, path)
	if status != 0 {
		fmt.Fprintf(b, " -> %d", status)
	}
}

// ViolationError holds every violation found in one request or response. Every function of this
// package that reports broken rules returns a *ViolationError, even for a single violation, so that
// callers can find it with errors.As.
type ViolationError struct {
	Violations []*Violation
}

// Error joins the violations, one block of lines each.
func (e *ViolationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap gives the violations to errors.Is and errors.As, so that errors.As(err, &v) with v a
// *Violation finds the first one.
func (e *ViolationError) Unwrap() []error {
	errs := make([]error, len(e.Violations))
	for i, v := range e.Violations {
		errs[i] = v
	}
	return errs
}

func violations(vs ...*Violation) *ViolationError {
	return &ViolationError{Violations: vs}
}

// shorten truncates s to about maxGot characters, on a rune boundary.
func shorten(s string) string {
	if len(s) <= maxGot {
		return s
	}
	cut := maxGot
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// render gives a short rendering of a decoded JSON value.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return shorten(strconv.Quote(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return shorten(fmt.Sprintf("object with keys %v", keys))
	case []any:
		return fmt.Sprintf("array of %d items", len(x))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return shorten(fmt.Sprint(v))
	}
	return shorten(string(b))
}

// schemaViolations turns the error tree of a kin-openapi schema validation into short violations,
// each based on tmpl with Kind, Pointer, Expected and Got filled in. prefix is prepended to pointers
// (it is used for parameters and headers, whose values are not JSON documents).
//
// A value that breaks both its format and a pattern that restates the format (the spec gives URI
// fields both, for tools that do not check formats) yields the format violation alone.
func schemaViolations(err error, tmpl Violation, prefix string) []*Violation {
	var out []*Violation
	var patterns []*Violation    // pattern violations, kept unless a format violation has their pointer
	formats := map[string]bool{} // pointers with a format violation
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) && !isSchemaError(err) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if !errors.As(err, &se) {
			v := tmpl
			v.Kind = KindSchema
			v.Pointer = prefix
			v.Expected = "a value matching the schema"
			v.Got = shorten(err.Error())
			out = append(out, &v)
			return
		}
		if causes := branchCauses(se); len(causes) > 0 {
			for _, c := range causes {
				walk(c)
			}
			return
		}
		v := fromSchemaError(se, tmpl, prefix)
		switch se.SchemaField {
		case "pattern":
			patterns = append(patterns, v)
			return
		case "format":
			formats[v.Pointer] = true
		}
		out = append(out, v)
	}
	walk(err)
	for _, v := range patterns {
		if !formats[v.Pointer] {
			out = append(out, v)
		}
	}
	return out
}

// branchCauses returns the errors that make a value miss an allOf, or every branch of a oneOf,
// so that a violation names the deepest pointer and its reason rather than the combinator. For a
// oneOf, the causes are those of the branch that went deepest into the value (the one the value
// was most likely meant for); none when no branch went below the value itself, or when several
// branches matched.
func branchCauses(se *openapi3.SchemaError) []error {
	if se.SchemaField != "allOf" && se.SchemaField != "oneOf" {
		return nil
	}
	var branches openapi3.MultiError
	for e := se.Origin; e != nil; e = errors.Unwrap(e) {
		if me, ok := e.(openapi3.MultiError); ok { //nolint:errorlint // the loop unwraps the chain itself, one link at a time
			branches = me
			break
		}
	}
	if len(branches) == 0 {
		return nil
	}
	if se.SchemaField == "allOf" {
		return branches
	}
	best, depth := -1, len(se.JSONPointer())
	for i, b := range branches {
		if d := errorDepth(b); d > depth {
			best, depth = i, d
		}
	}
	if best < 0 {
		return nil // every branch refuses the value itself: the oneOf names them
	}
	return []error{branches[best]}
}

// errorDepth is the length of the longest JSON pointer in an error tree.
func errorDepth(err error) int {
	var me openapi3.MultiError
	if errors.As(err, &me) && !isSchemaError(err) {
		d := 0
		for _, e := range me {
			d = max(d, errorDepth(e))
		}
		return d
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return 0
	}
	d := len(se.JSONPointer())
	for _, c := range branchCauses(se) {
		d = max(d, errorDepth(c))
	}
	return d
}

func isSchemaError(err error) bool {
	_, ok := err.(*openapi3.SchemaError) //nolint:errorlint // a node of kin-openapi's error tree, not the head of a chain
	return ok
}

// expectations says, for each schema keyword, what a value breaking it
// should have been, from the schema that holds the keyword; "" falls back
// to kin-openapi's reason. "required" is not here: it needs no schema.
var expectations = map[string]func(s *openapi3.Schema) string{
	"enum":          func(s *openapi3.Schema) string { return shorten(fmt.Sprintf("one of %v", s.Enum)) },
	"format":        formatExpectation,
	"type":          typeName,
	"nullable":      func(s *openapi3.Schema) string { return typeName(s) + ", not null" },
	"oneOf":         func(s *openapi3.Schema) string { return branchNames("oneOf", s) },
	"anyOf":         func(s *openapi3.Schema) string { return branchNames("anyOf", s) },
	"pattern":       func(s *openapi3.Schema) string { return shorten("matching " + s.Pattern) },
	"minLength":     func(s *openapi3.Schema) string { return fmt.Sprintf("at least %d characters", s.MinLength) },
	"maxLength":     func(s *openapi3.Schema) string { return bound("at most %d characters", s.MaxLength) },
	"minimum":       func(s *openapi3.Schema) string { return bound("at least %g", s.Min) },
	"maximum":       func(s *openapi3.Schema) string { return bound("at most %g", s.Max) },
	"minItems":      func(s *openapi3.Schema) string { return fmt.Sprintf("at least %d items", s.MinItems) },
	"minProperties": func(s *openapi3.Schema) string { return fmt.Sprintf("at least %d properties", s.MinProps) },
}

// bound formats an optional bound of a schema, or returns "" when it is unset.
func bound[T any](format string, v *T) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf(format, *v)
}

func fromSchemaError(se *openapi3.SchemaError, tmpl Violation, prefix string) *Violation {
	v := tmpl
	v.Kind = KindSchema
	disc := discriminatorOf(se)
	v.Pointer = schemaPointer(se, disc, prefix)
	v.Got = render(se.Value)
	if str, ok := se.Value.(string); ok && isSecret(v.Pointer) {
		v.Got = fmt.Sprintf("(redacted, %d characters)", utf8.RuneCountInString(str))
	}
	switch {
	case se.SchemaField == "required":
		v.Expected, v.Got = "required property", "missing"
	case disc != nil:
		// kin-openapi's only word for a missing discriminator property is its reason; its
		// Value is then nil, as it is for a null property.
		if strings.HasPrefix(se.Reason, "input does not contain") {
			v.Expected, v.Got = "required property", "missing"
		} else {
			v.Expected = shorten(fmt.Sprintf("one of %v", slices.Sorted(maps.Keys(disc.Mapping))))
		}
	case expectations[se.SchemaField] != nil && se.Schema != nil:
		v.Expected = expectations[se.SchemaField](se.Schema)
	}
	if v.Expected == "" {
		reason := se.Reason
		if reason == "" {
			reason = "schema keyword " + se.SchemaField
		}
		v.Expected = shorten(reason)
	}
	return &v
}

// schemaPointer is the pointer of a schema error's value, after prefix
// (a parameter or header name) when there is one. For a discriminator
// error (disc not nil), it is the discriminator property's: that is what
// is wrong, not the object that holds it.
func schemaPointer(se *openapi3.SchemaError, disc *openapi3.Discriminator, prefix string) string {
	toks := se.JSONPointer()
	if disc != nil {
		toks = append(slices.Clip(toks), disc.PropertyName)
	}
	if prefix == "" {
		return schemacheck.Pointer(toks)
	}
	if len(toks) == 0 {
		return strings.TrimSpace(prefix)
	}
	return strings.TrimSpace(prefix + " " + schemacheck.Pointer(toks))
}

// discriminatorOf returns the discriminator a schema error is about: that of a oneOf whose
// discriminator property is missing or names no branch.
func discriminatorOf(se *openapi3.SchemaError) *openapi3.Discriminator {
	if se.SchemaField != "discriminator" || se.Schema == nil || se.Schema.Discriminator == nil ||
		se.Schema.Discriminator.PropertyName == "" {
		return nil
	}
	return se.Schema.Discriminator
}

func typeName(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "any value"
	}
	return strings.Join(s.Type.Slice(), " or ")
}

func formatExpectation(s *openapi3.Schema) string {
	switch s.Format {
	case "date-time":
		return "string, format date-time with offset (RFC 3339)"
	case "uri":
		return "string, format uri (absolute, with scheme and host)"
	case "int64":
		return "integer, format int64 (whole number within int64)"
	}
	return typeName(s) + ", format " + s.Format
}

// branchNames describes the branches of a oneOf or anyOf by their component names.
func branchNames(keyword string, s *openapi3.Schema) string {
	refs := s.OneOf
	if keyword == "anyOf" {
		refs = s.AnyOf
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = schemaName(r)
	}
	return shorten(keyword + " [" + strings.Join(names, ", ") + "]")
}

func schemaName(r *openapi3.SchemaRef) string {
	if r.Ref != "" {
		return r.Ref[strings.LastIndexByte(r.Ref, '/')+1:]
	}
	if r.Value != nil {
		if r.Value.Title != "" {
			return r.Value.Title
		}
		return typeName(r.Value)
	}
	return "?"
}

// isSecret reports whether a pointer names a property whose value must not appear in messages.
func isSecret(ptr string) bool {
	last := strings.ToLower(ptr[strings.LastIndexByte(ptr, '/')+1:])
	return strings.Contains(last, "password") || strings.Contains(last, "token")
}

// strictViolations reports, as violations based on tmpl, what keeps data from decoding faithfully
// into the type generated for c (schemacheck's rules, which kin-openapi cannot see).
func strictViolations(c *schemacheck.Checker, data []byte, tmpl Violation) []*Violation {
	ps := c.Strict(data)
	out := make([]*Violation, len(ps))
	for i, p := range ps {
		vi := tmpl
		vi.Kind, vi.Pointer, vi.Expected, vi.Got = KindSchema, p.Pointer, p.Expected, shorten(p.Got)
		out[i] = &vi
	}
	return out
}

// mergeViolations joins the violations of strictViolations and of the schema check: where both
// found fault with the same value, the strict one says more (kin-openapi saw the value as decoded,
// "1e20" as 100000000000000000000) and is kept alone.
func mergeViolations(strict, schema []*Violation) []*Violation {
	if len(strict) == 0 {
		return schema
	}
	at := map[string]bool{}
	for _, vi := range strict {
		at[vi.Pointer] = true
	}
	for _, vi := range schema {
		if !at[vi.Pointer] {
			strict = append(strict, vi)
		}
	}
	return strict
}
