package schemacheck

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// ValidJSON reports whether data is valid JSON that c accepts and that decodes faithfully into the
// generated Go types, by walking the bytes: no map, slice or interface value is built for the
// document. It never accepts a document that decoding with encoding/json and calling c.OK would
// refuse, nor one that Strict finds fault with (see strict.go: integer literals, text,
// repeated and case-folded keys, numbers float64 does not hold, escaped date-times, every branch of
// a union). It refuses irregular documents (an escaped object key), which the
// caller then judges on the slow path, as it does every refused document.
func (c *Checker) ValidJSON(data []byte) bool {
	if !json.Valid(data) || textProblem(data) != "" {
		return false
	}
	w := walker{data: data}
	w.ws()
	return w.value(c) && !w.irregular
}

// walker reads a document already known to be valid JSON.
type walker struct {
	data      []byte
	pos       int
	irregular bool // the walk met a form it does not judge exactly
}

func (w *walker) ws() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value checks the value at the cursor against c and moves past it when it passes.
func (w *walker) value(c *Checker) bool {
	start := w.pos
	switch {
	case c.delegate:
		return w.decoded(c, start)
	case w.data[start] == 'n':
		w.pos += len("null")
		return c.OK(nil)
	case c.empty:
		return w.anyValue()
	}
	for _, a := range c.AllOf {
		w.pos = start
		if !w.value(a) {
			return false
		}
	}
	if len(c.OneOf) > 0 {
		n, matched := 0, -1
		for i, b := range c.OneOf {
			w.pos = start
			if w.value(b) {
				n, matched = n+1, i
			}
		}
		if n != 1 {
			return false
		}
		// Each branch must read the value faithfully, not only the one that matches (whose walk
		// above checked it).
		for i, b := range c.OneOf {
			w.pos = start
			if i != matched && b.admits(w.data[start]) && !w.faithful(b) {
				return false
			}
		}
	}
	w.pos = start
	switch ch := w.data[start]; {
	case ch == '"':
		return w.stringValue(c)
	case ch == 't' || ch == 'f':
		w.skip()
		return c.enum == nil && c.permits("boolean")
	case ch == '[':
		return c.enum == nil && w.array(c)
	case ch == '{':
		return c.enum == nil && w.object(c)
	default:
		raw := w.number()
		if c.intBits != 0 {
			n, ok := intText(raw, c.intBits)
			return ok && c.enum == nil && c.number(float64(n))
		}
		f, err := strconv.ParseFloat(raw, 64)
		return err == nil && c.enum == nil && c.number(f) && float64Faithful(raw, f)
	}
}

// anyValue moves past the value at the cursor, for a schema without constraints (the generated
// type is interface{}): it refuses what would not decode faithfully into one, a number beyond
// float64 or a repeated key.
func (w *walker) anyValue() bool {
	switch w.data[w.pos] {
	case '{':
		return w.members(func([]byte) bool { return w.anyValue() })
	case '[':
		return w.elements(w.anyValue)
	case '"', 't', 'f', 'n':
		w.skip()
		return true
	}
	raw := w.number()
	f, err := strconv.ParseFloat(raw, 64)
	return err == nil && float64Faithful(raw, f)
}

// eachMember calls f for each member of the object at the cursor, with its key token (plain: see
// rawString) and the cursor on its value, which f moves past; it moves past the object. It stops
// when f returns false, and returns whether f always returned true.
func (w *walker) eachMember(f func(raw []byte, plain bool) bool) bool {
	return w.entries('}', func() bool {
		raw, plain := w.rawString()
		w.ws()
		w.pos++ // ':'
		w.ws()
		return f(raw, plain)
	})
}

// members is eachMember for the walks that judge exactly: it refuses a repeated key (encoding/json
// keeps the last value, where a reader of the document may keep the first) and an escaped one,
// which needs decoding: the walk is then irregular, and the slow path judges the document.
func (w *walker) members(f func(key []byte) bool) bool {
	var dups keySet
	return w.eachMember(func(raw []byte, plain bool) bool {
		if !plain {
			w.irregular = true
			return false
		}
		return !dups.add(raw) && f(raw)
	})
}

// elements calls f for each element of the array at the cursor, with the cursor on it, which f
// moves past; it moves past the array. It stops when f returns false, and returns whether f always
// returned true.
func (w *walker) elements(f func() bool) bool { return w.entries(']', f) }

// entries calls f for each entry of the object or array at the cursor, which closes with end, with
// the cursor on the entry, which f moves past; it moves past the closing end.
func (w *walker) entries(end byte, f func() bool) bool {
	w.pos++ // '{' or '['
	w.ws()
	if w.data[w.pos] == end {
		w.pos++
		return true
	}
	for {
		if !f() {
			return false
		}
		w.ws()
		if w.data[w.pos] == end {
			w.pos++
			return true
		}
		w.pos++ // ','
		w.ws()
	}
}

// decoded checks the value at start by decoding it, for delegated schemas.
func (w *walker) decoded(c *Checker, start int) bool {
	w.pos = start
	if ch := w.data[start]; c.intBits != 0 && (ch == '-' || ch >= '0' && ch <= '9') {
		if _, ok := intText(w.number(), c.intBits); !ok {
			return false
		}
		w.pos = start
	}
	if !w.anyValue() { // repeated keys, numbers beyond float64; moves past the value
		return false
	}
	var v any
	if err := json.Unmarshal(w.data[start:w.pos], &v); err != nil {
		return false
	}
	// kin-openapi judges the decoded value; what it cannot see (case-folded keys in a branch, an
	// escaped date-time, an integer's text) faithful does.
	end := w.pos
	w.pos = start
	ok := c.OK(v) && w.faithful(c)
	w.pos = end
	return ok
}

// faithful reports whether the value at the cursor decodes faithfully into the Go type generated
// for c, by the rules of strict.go only (no schema keyword), and moves past it. It answers as
// Strict does, without building problems: the fast path runs it on every branch of a
// union and on delegated values. An escaped key is irregular: the slow path judges it.
func (w *walker) faithful(c *Checker) bool {
	if c == nil {
		w.skip() // the Go type drops the value; its text was checked with the document's
		return true
	}
	if c.empty || c.goAny {
		c = anyChecker
	}
	start := w.pos
	if c != anyChecker && !c.cycle {
		for _, refs := range [3][]*Checker{c.AllOf, c.OneOf, c.AnyOf} {
			for _, b := range refs {
				if !b.admits(w.data[start]) {
					continue
				}
				w.pos = start
				if !w.faithful(b) {
					return false
				}
			}
		}
	}
	w.pos = start
	switch ch := w.data[start]; {
	case ch == '"':
		_, plain := w.rawString()
		return plain || !c.decodedFmt
	case ch == '{':
		return w.faithfulObject(c)
	case ch == '[':
		items := c.Items
		if c == anyChecker {
			items = anyChecker
		}
		return w.elements(func() bool { return w.faithful(items) })
	case ch == 't' || ch == 'f' || ch == 'n':
		w.skip()
		return true
	}
	raw := w.number()
	switch {
	case c.intBits != 0:
		_, ok := intText(raw, c.intBits)
		return ok
	case c == anyChecker || c.permits("number"):
		f, err := strconv.ParseFloat(raw, 64)
		return err == nil && float64Faithful(raw, f)
	}
	return true
}

func (w *walker) faithfulObject(c *Checker) bool {
	return w.members(func(raw []byte) bool {
		var child *Checker
		p, known := c.Props[string(raw)]
		switch {
		case c == anyChecker:
			child = anyChecker
		case known:
			child = p
		case c.Props != nil && folds(c, raw):
			return false
		case c.Addl != nil:
			child = c.Addl
		case c.addlAny:
			child = anyChecker
		}
		return w.faithful(child)
	})
}

// rawString reads a string token. When plain, raw is exactly the decoded string (no escapes; the
// document's text was checked by textProblem) and can be compared or looked up without allocating.
func (w *walker) rawString() (raw []byte, plain bool) {
	start := w.pos + 1
	i := start
	plain = true
	for w.data[i] != '"' {
		if w.data[i] == '\\' {
			plain = false
			i++
		}
		i++
	}
	w.pos = i + 1
	raw = w.data[start:i]
	return raw, plain
}

// decodeString gives the string that encoding/json decodes from the token whose content is raw.
func decodeString(raw []byte, plain bool) (string, bool) {
	if plain {
		return string(raw), true
	}
	var s string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	err := json.Unmarshal(quoted, &s)
	return s, err == nil
}

// stringValue checks a string value against c. A plain token (the usual case) is checked on its
// bytes; only a format validator gets a string.
func (w *walker) stringValue(c *Checker) bool {
	raw, plain := w.rawString()
	if !c.permits("string") {
		return false
	}
	if !plain {
		if c.decodedFmt {
			return false // the generated type's parser does not read escapes: Strict says so
		}
		s, ok := decodeString(raw, plain)
		return ok && (c.enum == nil || c.enum[s]) && c.str(s)
	}
	if c.enum != nil && !c.enum[string(raw)] {
		return false
	}
	if c.minLen != 0 || c.maxLen != nil {
		n := uint64(utf8.RuneCount(raw)) // valid UTF-8 holds no surrogates: kin-openapi counts the same
		if n < c.minLen || (c.maxLen != nil && n > *c.maxLen) {
			return false
		}
	}
	if c.pattern != nil && !c.pattern.Match(raw) {
		return false
	}
	return c.strFmt == nil || c.strFmt.Validate(string(raw)) == nil
}

func (w *walker) number() string {
	start := w.pos
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			w.pos++
			continue
		}
		break
	}
	return string(w.data[start:w.pos])
}

func (w *walker) array(c *Checker) bool {
	if !c.permits("array") {
		return false
	}
	var n uint64
	ok := w.elements(func() bool {
		n++
		if c.Items == nil {
			w.skip()
			return true
		}
		return w.value(c.Items)
	})
	return ok && n >= c.minItems && (c.maxItems == nil || n <= *c.maxItems)
}

func (w *walker) object(c *Checker) bool {
	if !c.permits("object") || len(c.required) > 64 {
		return false
	}
	var seen uint64
	var keys map[string]bool // distinct keys, counted only when a bound needs them
	if c.minProps > 0 || c.maxProps != nil {
		keys = map[string]bool{}
	}
	ok := w.members(func(raw []byte) bool {
		if keys != nil {
			keys[string(raw)] = true
		}
		for i, r := range c.required {
			if r == string(raw) {
				seen |= 1 << i
			}
		}
		p, known := c.Props[string(raw)]
		switch {
		case known:
			return w.value(p)
		case c.Props != nil && folds(c, raw):
			return false // encoding/json would decode it into the declared property
		case c.addlForbidden:
			return false
		case c.Addl != nil:
			return w.value(c.Addl)
		case c.addlAny:
			return w.anyValue()
		}
		w.skip()
		return true
	})
	if !ok || seen != (uint64(1)<<len(c.required))-1 {
		return false
	}
	if keys != nil {
		n := uint64(len(keys))
		if n < c.minProps || (c.maxProps != nil && n > *c.maxProps) {
			return false
		}
	}
	return true
}

// ValueEnd returns the end of the JSON value that starts at pos in data, valid JSON.
func ValueEnd(data []byte, pos int) int {
	w := walker{data: data, pos: pos}
	w.skip()
	return w.pos
}

// skip moves past the value at the cursor.
func (w *walker) skip() {
	switch w.data[w.pos] {
	case '"':
		w.pos++
		for w.data[w.pos] != '"' {
			if w.data[w.pos] == '\\' {
				w.pos++
			}
			w.pos++
		}
		w.pos++
	case '{', '[':
		depth := 0
		for {
			switch w.data[w.pos] {
			case '"':
				w.skip()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			w.pos++
			if depth == 0 {
				return
			}
		}
	case 't', 'n':
		w.pos += 4
	case 'f':
		w.pos += 5
	default:
		w.number()
	}
}

// keySet finds repeated keys in one object, without allocating for the first 16 keys.
type keySet struct {
	small [16][]byte
	n     int
	more  map[string]bool
}

// add records k and reports whether it was already there.
func (ks *keySet) add(k []byte) bool {
	for _, x := range ks.small[:ks.n] {
		if string(x) == string(k) {
			return true
		}
	}
	if ks.more[string(k)] {
		return true
	}
	if ks.n < len(ks.small) {
		ks.small[ks.n] = k
		ks.n++
		return false
	}
	if ks.more == nil {
		ks.more = map[string]bool{}
	}
	ks.more[string(k)] = true
	return false
}
