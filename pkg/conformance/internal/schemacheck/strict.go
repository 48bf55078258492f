package schemacheck

import (
	"bytes"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The rules of this file close the gap between "valid against the schema" and "decodes faithfully
// into the generated Go types with encoding/json". A JSON Schema reading of a document judges the
// values a generic decoder produces, so it cannot see what encoding/json does with the text:
//
//   - an integer literal with a fraction or an exponent ("1.0", "1e3") does not decode into a Go
//     integer, and one beyond the Go type's range (2^63 for int64 and int) fails too, even when it
//     rounds, as a float64, to a value in range;
//   - invalid UTF-8 and lone UTF-16 surrogates ("\ud800") decode to U+FFFD: the string changes;
//   - of a repeated key, encoding/json keeps the last value, where other readers keep the first;
//   - a key that differs from a declared property only by case ("STATUS") is decoded into that
//     property, while a schema reading sees an extra property; in a oneOf or anyOf, the property
//     of any branch counts, as the generated union decodes the value into the branch the caller
//     asks for;
//   - a number with more digits than float64 holds ("0.30000000000000000001") changes when
//     decoded into a float64 (type number, format double) or an interface{};
//   - a date-time written with an escape ("\u002B02:00") is valid JSON for the same text, but
//     time.Time reads the bytes between the quotes as they are and cannot decode it
//     (golang/go#47353).
//
// ValidJSON (scan.go) refuses all of these on its fast path; Strict reports them, with their JSON
// pointer, on the slow path.

// textProblem says what is wrong with the text of a JSON document, or "" when its bytes are valid
// UTF-8 and its escapes hold no lone surrogate. data must be valid JSON.
func textProblem(data []byte) string {
	if !utf8.Valid(data) {
		return "invalid UTF-8"
	}
	if loneSurrogate(data) {
		return "a lone UTF-16 surrogate escape"
	}
	return ""
}

// loneSurrogate reports whether the escapes of data, valid JSON text or the content of one of its
// string tokens, hold a \uXXXX surrogate that is not half of a pair.
func loneSurrogate(data []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\\')
		if j < 0 {
			return false
		}
		i += j + 1
		if data[i] != 'u' {
			i++
			continue
		}
		r := hex4(data[i+1 : i+5])
		i += 5
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r >= 0xDC00 {
			return true // a low surrogate first
		}
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return true
		}
		if r2 := hex4(data[i+2 : i+6]); r2 < 0xDC00 || r2 > 0xDFFF {
			return true
		}
		i += 6
	}
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// intText parses a JSON number literal that must decode into a Go integer of the given bits: no
// fraction, no exponent, within range.
func intText(raw string, bits int) (int64, bool) {
	if strings.ContainsAny(raw, ".eE") {
		return 0, false
	}
	n, err := strconv.ParseInt(raw, 10, bits)
	return n, err == nil
}

// foldsOnto returns the declared property of c that encoding/json would decode key into although
// key is not that property's name (it differs only by case), or "".
func foldsOnto(c *Checker, key string) string {
	for name := range c.Props {
		if name != key && strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

// folds reports whether foldsOnto(c, string(raw)) would find a property, without allocating for an
// ASCII key: encoding/json folds an ASCII key only onto a name that is the same in lower case, as
// the names of c.lowerProps are ASCII.
func folds(c *Checker, raw []byte) bool {
	var buf [64]byte
	if c.lowerProps == nil || len(raw) > len(buf) {
		return foldsOnto(c, string(raw)) != ""
	}
	for i, b := range raw {
		if b >= utf8.RuneSelf {
			return foldsOnto(c, string(raw)) != "" // "\u212a" (the Kelvin sign) folds onto "k"
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		buf[i] = b
	}
	name, ok := c.lowerProps[string(buf[:len(raw)])]
	return ok && name != string(raw)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// A Problem is one thing that keeps a document from decoding faithfully into its generated Go type.
type Problem struct {
	Pointer  string // JSON pointer to the value ("/database_backup/size")
	Expected string // what the generated type needs
	Got      string // what the document holds, in full: the caller shortens it
}

// Strict reports what keeps data, valid JSON, from decoding faithfully into the type generated for
// c, with JSON pointers. It judges only the rules above; the schema's keywords are kin-openapi's
// business, and the caller adds what it finds.
func (c *Checker) Strict(data []byte) []Problem {
	s := strictWalk{walker: walker{data: data}, seen: map[string]bool{}}
	s.ws()
	s.value(c)
	return s.out
}

// strictWalk walks a valid JSON document along its schema and collects problems. It reads the
// document with walker's methods; its own value, object and array judge what they read.
type strictWalk struct {
	walker
	path []string
	out  []Problem
	seen map[string]bool // pointer and expectation of each problem, reported once
}

func (s *strictWalk) report(expected, got string) {
	ptr := Pointer(s.path)
	if s.seen[ptr+"\x00"+expected] {
		return
	}
	s.seen[ptr+"\x00"+expected] = true
	s.out = append(s.out, Problem{Pointer: ptr, Expected: expected, Got: got})
}

// value walks the value at the cursor. c is nil where the generated type does not look (the value
// of an undeclared property): there only the text of strings is checked. A delegated Checker is
// walked like any other: only its verdict is kin-openapi's; its properties, items and branches are
// compiled for this walk.
func (s *strictWalk) value(c *Checker) {
	if c != nil && (c.empty || c.goAny) {
		c = anyChecker
	}
	start := s.pos
	if c != nil && !c.cycle {
		for _, a := range c.AllOf {
			s.pos = start
			s.value(a)
		}
		s.branches(c.OneOf, start)
		s.branches(c.AnyOf, start)
	}
	s.pos = start
	switch ch := s.data[start]; {
	case ch == '"':
		raw, _ := s.rawString()
		s.text(raw)
		if c != nil && c.decodedFmt && bytes.IndexByte(raw, '\\') >= 0 {
			s.report("a "+c.Schema.Format+" written without escapes (the generated type reads the text between the quotes as it is: golang/go#47353)",
				`"`+string(raw)+`"`)
		}
	case ch == '{':
		s.object(c)
	case ch == '[':
		s.array(c)
	case ch == 't' || ch == 'f' || ch == 'n':
		s.skip()
	default:
		raw := s.number()
		switch {
		case c == nil:
		case c.intBits != 0:
			if strings.ContainsAny(raw, ".eE") {
				s.report("integer ("+intRange(c)+") written without fraction or exponent", raw)
			} else if _, ok := intText(raw, c.intBits); !ok {
				s.report("integer within "+intRange(c), raw)
			}
		case c == anyChecker || c.permits("number"):
			into := "a float64"
			if c == anyChecker {
				into = "interface{} as a float64"
			}
			if f, err := strconv.ParseFloat(raw, 64); err != nil {
				s.report("a number within float64", raw)
			} else if !float64Faithful(raw, f) {
				s.report("a number that float64 holds as written (it decodes into "+into+")", raw)
			}
		}
	}
}

// branches walks the value at start with every branch of a oneOf or anyOf whose type admits it:
// the generated union keeps the JSON text and decodes it into whichever branch the caller asks
// for (a discriminator names one), so each branch must read it faithfully.
func (s *strictWalk) branches(bs []*Checker, start int) {
	for _, b := range bs {
		if b.admits(s.data[start]) {
			s.pos = start
			s.value(b)
		}
	}
}

// admits reports whether c's type admits a JSON value that starts with ch.
func (c *Checker) admits(ch byte) bool {
	switch ch {
	case '"':
		return c.permits("string")
	case '{':
		return c.permits("object")
	case '[':
		return c.permits("array")
	case 't', 'f':
		return c.permits("boolean")
	case 'n':
		return c.types == nil || c.nullable || (c.Schema != nil && c.Schema.Nullable)
	}
	return c.permits("number") || c.permits("integer")
}

// float64Faithful reports whether the JSON number raw, decoded into an interface{} as f, encodes
// back to the same number: short integers always do; otherwise f's shortest form is compared
// with raw exactly.
func float64Faithful(raw string, f float64) bool {
	if len(raw) <= 15 && !strings.ContainsAny(raw, ".eE") {
		return true
	}
	want, ok := new(big.Rat).SetString(raw)
	if !ok {
		return false
	}
	got, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return ok && want.Cmp(got) == 0
}

// anyChecker stands for a schema without constraints (decoded into interface{}).
var anyChecker = &Checker{empty: true}

func intRange(c *Checker) string {
	switch {
	case c.intBits == 32:
		return "int32"
	case c.Schema != nil && c.Schema.Format == "int64":
		return "int64"
	}
	return "Go int (" + strconv.Itoa(c.intBits) + " bits)"
}

func (s *strictWalk) text(raw []byte) {
	switch {
	case !utf8.Valid(raw):
		s.report("valid UTF-8 text", "invalid UTF-8")
	case loneSurrogate(raw):
		s.report("text without lone UTF-16 surrogates", "a lone surrogate escape")
	}
}

func (s *strictWalk) object(c *Checker) {
	var keys map[string]bool
	if c != nil {
		keys = map[string]bool{}
	}
	s.eachMember(func(raw []byte, plain bool) bool {
		key, _ := decodeString(raw, plain)
		s.path = append(s.path, key)
		s.text(raw)
		var child *Checker
		if c != nil {
			if keys[key] {
				s.report("a key that appears once (encoding/json keeps the last value)", "a repeated key")
			}
			keys[key] = true
			p, known := c.Props[key]
			switch {
			case c == anyChecker:
				child = anyChecker
			case known:
				child = p
			case c.Props != nil && foldsOnto(c, key) != "":
				s.report(strconv.Quote(foldsOnto(c, key))+", not a key that differs from it only by case", strconv.Quote(key))
			case c.Addl != nil:
				child = c.Addl
			case c.addlAny:
				child = anyChecker
			}
		}
		s.value(child)
		s.path = s.path[:len(s.path)-1]
		return true
	})
}

func (s *strictWalk) array(c *Checker) {
	var items *Checker
	if c == anyChecker {
		items = anyChecker
	} else if c != nil {
		items = c.Items
	}
	i := 0
	s.elements(func() bool {
		s.path = append(s.path, strconv.Itoa(i))
		s.value(items)
		s.path = s.path[:len(s.path)-1]
		i++
		return true
	})
}

// Pointer builds a JSON pointer from its reference tokens.
func Pointer(tokens []string) string {
	if len(tokens) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}
