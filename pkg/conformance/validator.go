package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/conformance/internal/schemacheck"
)

// apiPrefix is the path prefix of every operation: the base URL of the API ends in /api.
const apiPrefix = "/api"

// Option configures a Validator built by New.
type Option func(*options)

type options struct {
	coverage *Coverage
	maxBody  int64
}

// WithCoverage makes the Validator record in c the operation and status of every response it
// validates, through ValidateResponse, Transport or Middleware, whether the response keeps the
// spec or not. Responses to requests that match no operation are not recorded. c must have been
// built by NewCoverage.
func WithCoverage(c *Coverage) Option {
	return func(o *options) { o.coverage = c }
}

// apply calls each of opts on o: the options of New, Middleware and Transport.
func apply[O any, F ~func(*O)](o *O, opts []F) {
	for _, opt := range opts {
		opt(o)
	}
}

// Validator checks HTTP requests and responses against the embedded Database API description.
// It is built once by New and is safe for concurrent use.
type Validator struct {
	doc        *openapi3.T
	router     *router
	ops        []*opInfo // sorted by Path then Method
	byID       map[string]*opInfo
	schemaOpts []openapi3.SchemaValidationOption // for responses and full request checks
	probeOpts  []openapi3.SchemaValidationOption // fail fast, for trying a oneOf branch
	filterOpts *openapi3filter.Options           // for kin-openapi's parameter decoding
	coverage   *Coverage
	maxBody    int64 // the cap on every body read, in decompressed bytes
}

// Operation describes one operation of the spec.
type Operation struct {
	ID       string   // operationId, e.g. "listDatabaseUsers"
	Method   string   // "GET"
	Path     string   // template without the /api prefix, e.g. "/databases/{database_id}/users"
	Statuses []string // documented response keys, sorted: "200", "401", ..., "5XX"
	// Sources lists the clients the operation's shape is known from (its x-sources extension, as in
	// [js-client]); nil when the spec does not mark it.
	Sources []string
}

// Route is an operation matched by a request, with the values of its path parameters.
type Route struct {
	Operation  Operation
	PathParams map[string]string // as they appear in the escaped URL path (percent-encoded)
}

// opInfo is everything about one operation that validation needs, computed once.
type opInfo struct {
	op         Operation
	kin        *openapi3.Operation
	kinRoute   *routers.Route // for kin-openapi parameter decoding
	params     []*openapi3.Parameter
	pathChecks []*schemacheck.Checker // for plain string path parameters, by index in params
	pathNames  []string               // names of the path parameters, for OperationMiddleware
	pattern    string                 // "METHOD /api/path", the http.ServeMux pattern of the operation
	body       *openapi3.RequestBody
	reqContent []contentInfo
	exact      map[int]*respInfo
	ranges     [6]*respInfo // index 1..5 for "1XX".."5XX"
	statusSet  map[string]bool
}

// respInfo is one documented response of an operation.
type respInfo struct {
	key     string
	headers []headerInfo
	content []contentInfo // empty when no body is documented
}

type headerInfo struct {
	name     string // canonical
	required bool
	schema   *openapi3.Schema
	check    *schemacheck.Checker
}

type contentKind int

const (
	contentJSON contentKind = iota
	contentText
	contentBinary
)

type contentInfo struct {
	mediaType string
	kind      contentKind
	schema    *openapi3.Schema
	check     *schemacheck.Checker
}

// New builds a Validator from the embedded spec (dbapispec.GetSpec). The spec's servers are replaced by
// the single relative server "/api", so that requests to any host, and path-only server-side requests,
// are routed alike.
func New(opts ...Option) (*Validator, error) {
	o := options{maxBody: DefaultMaxBodyBytes}
	apply(&o, opts)
	doc, err := dbapispec.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("conformance: load embedded spec: %w", err)
	}
	doc.Servers = openapi3.Servers{{URL: apiPrefix}}
	anyJSON := schemacheck.NullUntyped(doc)
	formats := schemacheck.NewFormats()
	v := &Validator{
		doc:      doc,
		byID:     map[string]*opInfo{},
		coverage: o.coverage,
		maxBody:  o.maxBody,
		schemaOpts: []openapi3.SchemaValidationOption{
			openapi3.MultiErrors(),
			openapi3.DisableSchemaErrorDetails(),
			openapi3.WithStringFormatValidators(formats.Strings),
			openapi3.WithIntegerFormatValidators(formats.Integers),
		},
		probeOpts: []openapi3.SchemaValidationOption{
			openapi3.FailFast(),
			openapi3.DisableSchemaErrorDetails(),
			openapi3.WithStringFormatValidators(formats.Strings),
			openapi3.WithIntegerFormatValidators(formats.Integers),
		},
	}
	v.filterOpts = &openapi3filter.Options{
		SkipSettingDefaults:     true, // never rewrite the caller's query
		SchemaValidationOptions: v.schemaOpts,
	}
	for path, item := range doc.Paths.Map() {
		for method, kop := range item.Operations() {
			info, err := newOpInfo(doc, path, method, item, kop)
			if err != nil {
				return nil, err
			}
			if _, dup := v.byID[info.op.ID]; dup {
				return nil, fmt.Errorf("conformance: duplicate operationId %q", info.op.ID)
			}
			v.ops = append(v.ops, info)
			v.byID[info.op.ID] = info
		}
	}
	slices.SortFunc(v.ops, func(a, b *opInfo) int {
		if c := strings.Compare(a.op.Path, b.op.Path); c != 0 {
			return c
		}
		return strings.Compare(a.op.Method, b.op.Method)
	})
	v.router = newRouter(v.ops)
	cp := schemacheck.NewCompiler(formats, anyJSON, v.probeOpts)
	for _, o := range v.ops {
		o.compile(cp)
	}
	return v, nil
}

func newOpInfo(doc *openapi3.T, path, method string, item *openapi3.PathItem, kop *openapi3.Operation) (*opInfo, error) {
	info := &opInfo{
		kin:       kop,
		kinRoute:  &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: kop},
		exact:     map[int]*respInfo{},
		statusSet: map[string]bool{},
		op:        Operation{ID: kop.OperationID, Method: method, Path: path, Sources: sources(kop)},
		pattern:   method + " " + apiPrefix + path,
	}
	if info.op.ID == "" {
		return nil, fmt.Errorf("conformance: %s %s has no operationId", method, path)
	}
	// Operation parameters override path-level ones with the same name and location.
	seen := map[string]bool{}
	for _, ref := range kop.Parameters {
		if p := ref.Value; p != nil {
			seen[p.In+" "+p.Name] = true
			info.params = append(info.params, p)
		}
	}
	for _, ref := range item.Parameters {
		if p := ref.Value; p != nil && !seen[p.In+" "+p.Name] {
			info.params = append(info.params, p)
		}
	}
	for _, p := range info.params {
		if p.In == openapi3.ParameterInPath {
			info.pathNames = append(info.pathNames, p.Name)
		}
	}
	if kop.RequestBody != nil {
		info.body = kop.RequestBody.Value
		if info.body != nil {
			info.reqContent = contentInfos(info.body.Content)
		}
	}
	if kop.Responses != nil {
		for key, ref := range kop.Responses.Map() {
			if ref.Value == nil {
				return nil, fmt.Errorf("conformance: %s response %s is unresolved", info.op.ID, key)
			}
			ri := newRespInfo(key, ref.Value)
			info.op.Statuses = append(info.op.Statuses, key)
			info.statusSet[key] = true
			switch {
			case key == "default":
				// Never used: an undocumented status fails even when a default exists.
			case len(key) == 3 && key[1:] == "XX" && key[0] >= '1' && key[0] <= '5':
				info.ranges[key[0]-'0'] = ri
			default:
				code, err := strconv.Atoi(key)
				if err != nil {
					return nil, fmt.Errorf("conformance: %s has a bad response key %q", info.op.ID, key)
				}
				info.exact[code] = ri
			}
		}
	}
	slices.Sort(info.op.Statuses)
	return info, nil
}

func newRespInfo(key string, r *openapi3.Response) *respInfo {
	ri := &respInfo{key: key}
	for name, ref := range r.Headers {
		if ref.Value == nil || http.CanonicalHeaderKey(name) == "Content-Type" {
			continue
		}
		h := headerInfo{name: http.CanonicalHeaderKey(name), required: ref.Value.Required}
		if ref.Value.Schema != nil {
			h.schema = ref.Value.Schema.Value
		}
		ri.headers = append(ri.headers, h)
	}
	slices.SortFunc(ri.headers, func(a, b headerInfo) int { return strings.Compare(a.name, b.name) })
	ri.content = contentInfos(r.Content)
	return ri
}

func contentInfos(content openapi3.Content) []contentInfo {
	var out []contentInfo
	for mt, m := range content {
		ci := contentInfo{mediaType: strings.ToLower(mt), kind: contentKindOf(mt)}
		if m != nil && m.Schema != nil {
			ci.schema = m.Schema.Value
		}
		if s := ci.schema; ci.kind == contentBinary && s != nil && s.Type.Is(openapi3.TypeString) &&
			s.Format != "binary" && s.Format != "byte" {
			// A string that is not binary (a PEM certificate): text, judged against its schema.
			ci.kind = contentText
		}
		out = append(out, ci)
	}
	slices.SortFunc(out, func(a, b contentInfo) int { return strings.Compare(a.mediaType, b.mediaType) })
	return out
}

func contentKindOf(mediaType string) contentKind {
	mt := strings.ToLower(mediaType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return contentJSON
	case strings.HasPrefix(mt, "text/"):
		return contentText
	default:
		return contentBinary
	}
}

// compile builds the checkers of every schema the operation validates.
func (o *opInfo) compile(cp *schemacheck.Compiler) {
	compileContent := func(cs []contentInfo) {
		for i := range cs {
			if cs[i].schema != nil {
				cs[i].check = cp.Compile(cs[i].schema)
			}
		}
	}
	compileContent(o.reqContent)
	o.pathChecks = make([]*schemacheck.Checker, len(o.params))
	for i, p := range o.params {
		if p.In == openapi3.ParameterInPath && p.Schema != nil && p.Schema.Value != nil &&
			p.Schema.Value.Type.Is(openapi3.TypeString) && p.Content == nil {
			o.pathChecks[i] = cp.Compile(p.Schema.Value)
		}
	}
	resps := make([]*respInfo, 0, len(o.exact)+len(o.ranges))
	for _, r := range o.exact {
		resps = append(resps, r)
	}
	for _, r := range o.ranges {
		if r != nil {
			resps = append(resps, r)
		}
	}
	for _, r := range resps {
		compileContent(r.content)
		for i := range r.headers {
			if r.headers[i].schema != nil {
				r.headers[i].check = cp.Compile(r.headers[i].schema)
			}
		}
	}
}

// response finds the documented response for status: an exact key first, then its "NXX" range.
// A "default" response is never used.
func (o *opInfo) response(status int) *respInfo {
	if r, ok := o.exact[status]; ok {
		return r
	}
	if status >= 100 && status < 600 {
		return o.ranges[status/100]
	}
	return nil
}

// Operations returns every operation of the spec, sorted by Path then Method.
func (v *Validator) Operations() []Operation {
	out := make([]Operation, len(v.ops))
	for i, o := range v.ops {
		out[i] = o.op.clone()
	}
	return out
}

// Operation returns the operation whose operationId is id.
func (v *Validator) Operation(id string) (Operation, bool) {
	o, ok := v.byID[id]
	if !ok {
		return Operation{}, false
	}
	return o.op.clone(), true
}

func (o Operation) clone() Operation {
	o.Statuses = slices.Clone(o.Statuses)
	o.Sources = slices.Clone(o.Sources)
	return o
}

// sources reads an operation's x-sources extension: a list of client names.
func sources(kop *openapi3.Operation) []string {
	list, _ := kop.Extensions["x-sources"].([]any)
	var out []string
	for _, s := range list {
		if name, ok := s.(string); ok {
			out = append(out, name)
		}
	}
	return out
}

// Route finds the operation of a request; the error is a *ViolationError holding one Violation of Kind
// KindRoute when nothing matches.
func (v *Validator) Route(r *http.Request) (*Route, error) {
	info, params, _, err := v.route(r, true)
	if err != nil {
		return nil, err
	}
	return &Route{Operation: info.op.clone(), PathParams: params}, nil
}

// route finds the operation of r, and its path parameters when wantParams is set.
func (v *Validator) route(r *http.Request, wantParams bool) (*opInfo, map[string]string, *routers.Route, error) {
	var params map[string]string
	if wantParams {
		params = map[string]string{}
	}
	info, kr, err := v.routeInto(r, params)
	if err != nil {
		return nil, nil, nil, err
	}
	return info, params, kr, nil
}

// routeInto is route writing the path parameters into params, unless params is nil; params must be
// empty.
func (v *Validator) routeInto(r *http.Request, params map[string]string) (*opInfo, *routers.Route, error) {
	if r.URL == nil {
		return nil, nil, violations(&Violation{Method: r.Method, In: "request", Kind: KindRoute,
			Expected: "a request URL", Got: "none"})
	}
	info, miss := v.router.findInto(r.Method, r.URL, params)
	if miss != 0 {
		expected := "a documented path"
		if miss == missMethod {
			expected = "a documented method for this path"
		}
		return nil, nil, violations(&Violation{
			Method:   r.Method,
			Path:     r.URL.Path,
			In:       "request",
			Kind:     KindRoute,
			Expected: expected,
			Got:      shorten(r.Method + " " + r.URL.Path),
		})
	}
	return info, info.kinRoute, nil
}

func requestPath(r *http.Request) string {
	if r.URL == nil {
		return ""
	}
	return r.URL.Path
}
