package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Kinds of drift: what an answer carried that the spec does not describe.
const (
	KindProperty    = "property"     // a member of a JSON body, named by its JSON pointer
	KindHeader      = "header"       // a response header
	KindStatus      = "status"       // a status the operation does not document
	KindContentType = "content-type" // a media type the documented status does not list
)

// Finding is one thing the target's answers carried that the spec does not describe, and
// how often: never a value, only where it was, its JSON type and how many answers carried it.
type Finding struct {
	OperationID string `json:"operation_id"`
	Method      string `json:"method"`
	Path        string `json:"path"` // the spec's path template
	Kind        string `json:"kind"` // one of the Kind constants
	// Status is the documented status key the answer filed under ("200", "4XX"), or the
	// undocumented status itself.
	Status      string `json:"status"`
	ContentType string `json:"content_type,omitempty"` // the body's media type, for a property, status or content type
	// Name is the JSON pointer of a property (array items as *, e.g. /database-users/*/name), the
	// canonical name of a header, the status or the media type.
	Name  string         `json:"name"`
	Types map[string]int `json:"types,omitempty"` // JSON type → answers that carried it with that type
	Count int            `json:"count"`           // answers that carried it
	// In is where the spec would describe it: a JSON pointer into openapi.yaml of the schema
	// that lacks the property, of the response that lacks the header or media type, or of the
	// operation's responses for a status. It is empty for what sits inside another finding (the
	// members of an undocumented object, the headers of an undocumented status).
	In string `json:"in,omitempty"`
}

// Report is what drift discovery found in a run: drift.json holds it.
type Report struct {
	Answers  int       `json:"answers"`            // answers examined
	Findings []Finding `json:"findings"`           // sorted by operation, kind, status, name
	Dropped  int       `json:"dropped,omitempty"`  // findings beyond MaxFindings, not kept
	Unparsed int       `json:"unparsed,omitempty"` // JSON bodies too large or not JSON, not examined
}

// MaxFindings bounds the distinct findings one process keeps; more are counted as dropped.
const MaxFindings = 2000

// maxBody is the largest JSON body discovery examines; a larger one passes through
// untouched.
const maxBody = 4 << 20

// maxDepth bounds how deep discovery walks a JSON body.
const maxDepth = 32

// transportHeaders are the headers of HTTP itself, which a spec does not describe (OpenAPI
// ignores a Content-Type header definition): never reported.
var transportHeaders = map[string]bool{
	"Connection": true, "Content-Length": true, "Content-Type": true, "Date": true, "Keep-Alive": true,
	"Proxy-Connection": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// ResponseHeadersExtension is the root extension of a spec that documents the headers an answer of
// any operation may carry (OpenAPI 3.0 has no such place): a map from header name to a Header
// Object. Discovery never reports the headers it names.
const ResponseHeadersExtension = "x-response-headers"

// commonHeaders returns the canonical names of the headers of doc's ResponseHeadersExtension.
func commonHeaders(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	m, _ := doc.Extensions[ResponseHeadersExtension].(map[string]any)
	for name := range m {
		out[http.CanonicalHeaderKey(name)] = true
	}
	return out
}

// headerSpelling names the headers whose usual spelling is not Go's canonical form, so that the
// overlay documents them as people write them.
var headerSpelling = map[string]string{
	"Www-Authenticate": "WWW-Authenticate", "Etag": "ETag", "Content-Md5": "Content-MD5", "Dnt": "DNT",
	"X-Xss-Protection": "X-XSS-Protection", "Te": "TE",
}

// Discovery records what the answers of a run carry beyond the spec: undocumented properties,
// headers, statuses and media types, per operation. It is safe for concurrent use.
type Discovery struct {
	ops map[string]*opDoc
	// common are the headers the spec documents for every answer, by canonical name (its
	// x-response-headers extension).
	common map[string]bool
	// views caches what each object or array schema documents (an objectMembers or a located),
	// by *openapi3.Schema: a schema has one location, its $ref's or its place in the spec.
	views sync.Map

	mu       sync.Mutex
	found    map[driftKey]*Finding
	answers  int
	dropped  int
	unparsed int
}

type driftKey struct{ op, kind, status, contentType, name string }

// opDoc is what discovery needs of one operation of the spec.
type opDoc struct {
	method, path string
	responses    map[string]*respDoc // by status key as written: "200", "4XX", "default"
	responsesAt  []string            // location of the operation's responses
}

type respDoc struct {
	at      []string // location of the response object in the spec
	headers map[string]bool
	content map[string]contentDoc // by lower-case media type
}

type contentDoc struct {
	schema *openapi3.SchemaRef
	at     []string
}

// NewDiscovery builds a recorder over doc, the spec the answers are compared with (the embedded
// spec in the suite, dbapispec.GetSpec; an overlaid copy in tests).
func NewDiscovery(doc *openapi3.T) (*Discovery, error) {
	if doc == nil || doc.Paths == nil {
		return nil, fmt.Errorf("drift discovery: no spec")
	}
	d := &Discovery{ops: map[string]*opDoc{}, common: commonHeaders(doc), found: map[driftKey]*Finding{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Responses == nil {
				continue
			}
			od := &opDoc{method: method, path: path, responses: map[string]*respDoc{},
				responsesAt: []string{"paths", path, strings.ToLower(method), "responses"}}
			for key, rr := range op.Responses.Map() {
				if rr == nil || rr.Value == nil {
					continue
				}
				rd := &respDoc{at: refOr(rr.Ref, append(slices.Clone(od.responsesAt), key)), headers: map[string]bool{}, content: map[string]contentDoc{}}
				for name := range rr.Value.Headers {
					rd.headers[http.CanonicalHeaderKey(name)] = true
				}
				for mt, m := range rr.Value.Content {
					cd := contentDoc{}
					if m != nil && m.Schema != nil {
						cd.schema = m.Schema
						cd.at = refOr(m.Schema.Ref, append(slices.Clone(rd.at), "content", mt, "schema"))
					}
					rd.content[strings.ToLower(mt)] = cd
				}
				od.responses[key] = rd
			}
			d.ops[op.OperationID] = od
		}
	}
	return d, nil
}

// refOr returns the location a local $ref names, or at when ref is empty or not local.
func refOr(ref string, at []string) []string {
	if !strings.HasPrefix(ref, "#/") {
		return at
	}
	segs := strings.Split(ref[2:], "/")
	for i, s := range segs {
		segs[i] = unescapePointer(s)
	}
	return segs
}

// response returns the documented response that status files under, and its key.
func (o *opDoc) response(status int) (string, *respDoc) {
	s := strconv.Itoa(status)
	if r := o.responses[s]; r != nil {
		return s, r
	}
	for key, r := range o.responses {
		if len(key) == 3 && strings.EqualFold(key[1:], "XX") && key[0] == s[0] {
			return key, r
		}
	}
	if r := o.responses["default"]; r != nil {
		return "default", r
	}
	return s, nil
}

// match returns the documented content for media type mt ("type/*" and "*/*" match too).
func (r *respDoc) match(mt string) (contentDoc, bool) {
	if c, ok := r.content[mt]; ok {
		return c, true
	}
	if i := strings.IndexByte(mt, '/'); i > 0 {
		if c, ok := r.content[mt[:i]+"/*"]; ok {
			return c, true
		}
	}
	c, ok := r.content["*/*"]
	return c, ok
}

// Observe records one answer of operationID. body is its JSON body, or nil when it was not read
// (not JSON, too large, or none).
func (d *Discovery) Observe(operationID string, status int, header http.Header, body []byte) {
	op := d.ops[operationID]
	if op == nil {
		return
	}
	mt := mediaType(header.Get("Content-Type"))
	var value any
	parsed := false
	if body != nil && isJSONMedia(mt) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		parsed = dec.Decode(&value) == nil
	}
	rec := &recording{d: d, op: operationID, od: op}
	defer rec.flush()
	key, resp := op.response(status)
	bodyType := ""
	switch {
	case parsed:
		bodyType = jsonType(value)
	case mt != "":
		bodyType = "string"
	}
	if resp == nil {
		rec.add(KindStatus, key, mt, key, bodyType, op.responsesAt)
		rec.headers(key, header, nil, nil)
		return
	}
	rec.headers(key, header, resp.headers, resp.at)
	if mt == "" {
		return
	}
	c, ok := resp.match(mt)
	if !ok {
		rec.add(KindContentType, key, mt, mt, bodyType, resp.at)
		return
	}
	if c.schema == nil || !isJSONMedia(mt) {
		return
	}
	if !parsed {
		rec.unparsed = body != nil
		return
	}
	w := walk{rec: rec, status: key, contentType: mt}
	w.documented(c.schema, c.at, "", value, 0)
}

// recording is what one answer adds, flushed under the lock once.
type recording struct {
	d        *Discovery
	op       string
	od       *opDoc
	items    []recorded
	unparsed bool
}

type recorded struct {
	key driftKey
	typ string
	in  []string
}

func (r *recording) add(kind, status, contentType, name, typ string, in []string) {
	r.items = append(r.items, recorded{driftKey{r.op, kind, status, contentType, name}, typ, in})
}

// headers records the headers of an answer that documented does not list.
func (r *recording) headers(status string, h http.Header, documented map[string]bool, in []string) {
	for name, vals := range h {
		name = http.CanonicalHeaderKey(name)
		if transportHeaders[name] || documented[name] || r.d.common[name] {
			continue
		}
		typ := "string"
		if len(vals) > 0 {
			if _, err := strconv.ParseInt(strings.TrimSpace(vals[0]), 10, 64); err == nil {
				typ = "integer"
			}
		}
		if s, ok := headerSpelling[name]; ok {
			name = s
		}
		r.add(KindHeader, status, "", name, typ, in)
	}
}

// flush adds the answer's findings, each counted once per answer.
func (r *recording) flush() {
	d := r.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answers++
	if r.unparsed {
		d.unparsed++
	}
	seen := map[driftKey]map[string]bool{}
	for _, it := range r.items {
		f := d.found[it.key]
		if f == nil {
			if len(d.found) >= MaxFindings {
				d.dropped++
				continue
			}
			f = &Finding{OperationID: it.key.op, Method: r.od.method, Path: r.od.path, Kind: it.key.kind,
				Status: it.key.status, ContentType: it.key.contentType, Name: it.key.name, Types: map[string]int{}}
			if it.in != nil {
				f.In = pointerOf(it.in)
			}
			d.found[it.key] = f
		}
		types := seen[it.key]
		if types == nil {
			types = map[string]bool{}
			seen[it.key] = types
			f.Count++
		}
		if it.typ != "" && !types[it.typ] {
			types[it.typ] = true
			f.Types[it.typ]++
		}
	}
}

// walk compares a JSON body with its schema.
type walk struct {
	rec         *recording
	status      string
	contentType string
}

// documented walks value where the spec describes it with ref, at location at.
func (w *walk) documented(ref *openapi3.SchemaRef, at []string, ptr string, value any, depth int) {
	if ref == nil || ref.Value == nil || depth > maxDepth {
		return
	}
	at = refOr(ref.Ref, at)
	switch x := value.(type) {
	case map[string]any:
		v := w.rec.d.objectView(ref.Value, at)
		for k, member := range x {
			p := ptr + "/" + escapePointer(k)
			switch prop, ok := v.props[k]; {
			case ok:
				w.documented(prop.ref, prop.at, p, member, depth+1)
			case v.extra.ref != nil:
				w.documented(v.extra.ref, v.extra.at, ptr+"/*", member, depth+1)
			case !v.open:
				w.rec.add(KindProperty, w.status, w.contentType, p, jsonType(member), at)
				w.undocumented(p, member, depth+1)
			}
		}
	case []any:
		items := w.rec.d.itemsOf(ref.Value, at)
		for _, e := range x {
			w.documented(items.ref, items.at, ptr+"/*", e, depth+1)
		}
	}
}

// undocumented records what lies inside an undocumented member.
func (w *walk) undocumented(ptr string, value any, depth int) {
	if depth > maxDepth {
		return
	}
	switch x := value.(type) {
	case map[string]any:
		for k, member := range x {
			p := ptr + "/" + escapePointer(k)
			w.rec.add(KindProperty, w.status, w.contentType, p, jsonType(member), nil)
			w.undocumented(p, member, depth+1)
		}
	case []any:
		for _, e := range x {
			w.rec.add(KindProperty, w.status, w.contentType, ptr+"/*", jsonType(e), nil)
			w.undocumented(ptr+"/*", e, depth+1)
		}
	}
}

type located struct {
	ref *openapi3.SchemaRef
	at  []string
}

// objectMembers is what an object schema documents: its properties (its allOf, oneOf and anyOf
// branches' included), the schema of any other member (additionalProperties), and whether any
// member is welcome (no properties described, or additionalProperties: true).
type objectMembers struct {
	props map[string]located
	extra located
	open  bool
}

// objectView returns what the object schema s, at location at, documents.
func (d *Discovery) objectView(s *openapi3.Schema, at []string) *objectMembers {
	if v, ok := d.views.Load(s); ok {
		if om, ok := v.(*objectMembers); ok {
			return om
		}
	}
	om := objectView(s, at)
	d.views.Store(s, &om)
	return &om
}

// itemsOf returns the items schema of the array schema s, at location at.
func (d *Discovery) itemsOf(s *openapi3.Schema, at []string) located {
	type items struct{ located }
	if v, ok := d.views.Load(s); ok {
		if it, ok := v.(items); ok {
			return it.located
		}
	}
	it := itemsOf(s, at)
	d.views.Store(s, items{it})
	return it
}

func objectView(s *openapi3.Schema, at []string) objectMembers {
	v := objectMembers{props: map[string]located{}}
	var collect func(s *openapi3.Schema, at []string, depth int)
	collect = func(s *openapi3.Schema, at []string, depth int) {
		if s == nil || depth > maxDepth {
			return
		}
		for name, p := range s.Properties {
			if _, dup := v.props[name]; !dup {
				v.props[name] = located{p, append(slices.Clone(at), "properties", name)}
			}
		}
		if ap := s.AdditionalProperties; ap.Schema != nil && v.extra.ref == nil {
			v.extra = located{ap.Schema, append(slices.Clone(at), "additionalProperties")}
		} else if ap.Has != nil && *ap.Has {
			v.open = true
		}
		for _, br := range branchesOf(s) {
			for i, b := range br.refs {
				if b != nil {
					collect(b.Value, refOr(b.Ref, append(slices.Clone(at), br.keyword, strconv.Itoa(i))), depth+1)
				}
			}
		}
	}
	collect(s, at, 0)
	if len(v.props) == 0 && v.extra.ref == nil {
		v.open = true // a free-form object: its members are whatever the server says
	}
	return v
}

// itemsOf returns the schema of the items of an array schema, looking through its branches.
func itemsOf(s *openapi3.Schema, at []string) located {
	if s == nil {
		return located{}
	}
	if s.Items != nil {
		return located{s.Items, append(slices.Clone(at), "items")}
	}
	for _, br := range branchesOf(s) {
		for i, b := range br.refs {
			if b != nil && b.Value != nil {
				if it := itemsOf(b.Value, refOr(b.Ref, append(slices.Clone(at), br.keyword, strconv.Itoa(i)))); it.ref != nil {
					return it
				}
			}
		}
	}
	return located{}
}

type branches struct {
	keyword string
	refs    openapi3.SchemaRefs
}

// branchesOf returns the allOf, oneOf and anyOf branches of s, in that order.
func branchesOf(s *openapi3.Schema) []branches {
	return []branches{{"allOf", s.AllOf}, {"oneOf", s.OneOf}, {"anyOf", s.AnyOf}}
}

// jsonType names the JSON type of a value decoded with UseNumber; a number without a fraction
// or exponent is an integer.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "number"
		}
		return "integer"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isJSONMedia(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

// The replacers of JSON pointer tokens (RFC 6901); a Replacer is safe for concurrent use.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// pointerOf renders a location as a URI fragment JSON pointer: #/components/schemas/Database.
func pointerOf(at []string) string {
	var b strings.Builder
	b.WriteString("#")
	for _, s := range at {
		b.WriteString("/" + escapePointer(s))
	}
	return b.String()
}

// Report returns what was found so far, sorted.
func (d *Discovery) Report() Report {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := Report{Answers: d.answers, Dropped: d.dropped, Unparsed: d.unparsed, Findings: make([]Finding, 0, len(d.found))}
	for _, f := range d.found {
		c := *f
		c.Types = map[string]int{}
		for k, n := range f.Types {
			c.Types[k] = n
		}
		r.Findings = append(r.Findings, c)
	}
	sortFindings(r.Findings)
	return r
}

var kindOrder = map[string]int{KindStatus: 0, KindContentType: 1, KindHeader: 2, KindProperty: 3}

func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		for _, c := range []int{
			strings.Compare(a.OperationID, b.OperationID), kindOrder[a.Kind] - kindOrder[b.Kind],
			strings.Compare(a.Status, b.Status), strings.Compare(a.ContentType, b.ContentType), strings.Compare(a.Name, b.Name),
		} {
			if c != 0 {
				return c
			}
		}
		return 0
	})
}
