package contract_test

// The behaviour families: tables generated from the embedded spec, one row per operation (or
// per rule of a request body) the family applies to. A row that the spec gains gets its spec
// without a line here; the catalogue (operations_test.go) only says how to send each operation.
// Each family proves that it can fail in contract/drift (TestFamiliesCatchBehaviourBugs).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// specOp is one operation of the embedded spec: a row of the family tables.
type specOp struct {
	id, method, path string
	op               *openapi3.Operation
}

// specOpList returns the operations of the embedded spec in ID order.
var specOpList = sync.OnceValue(func() []specOp {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("the embedded spec does not load: %v", err))
	}
	var out []specOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, specOp{id: op.OperationID, method: method, path: path, op: op})
		}
	}
	slices.SortFunc(out, func(a, b specOp) int { return strings.Compare(a.id, b.id) })
	return out
})

// specOpByID returns the operation of the spec with that ID.
func specOpByID(id string) (specOp, bool) {
	for _, o := range specOpList() {
		if o.id == id {
			return o, true
		}
	}
	return specOp{}, false
}

// catalogued returns the catalogue's way of sending an operation; a spec fails when the
// catalogue lacks it (the catalogue spec says which).
func catalogued(id string) operation {
	GinkgoHelper()
	i := slices.IndexFunc(operations, func(op operation) bool { return op.id == id })
	Expect(i).NotTo(BeNumerically("<", 0), "the operation catalogue cannot send %s", id)
	return operations[i]
}

// rowLabels are the labels of a family row for operation o: its traffic, its resource, and
// unverified when one client only knows it.
func rowLabels(o specOp, extra ...harness.Label) Labels {
	ls := append([]harness.Label{harness.TrafficLabel(o.method)}, extra...)
	if i := slices.IndexFunc(operations, func(op operation) bool { return op.id == o.id }); i >= 0 {
		ls = append(ls, operations[i].resource)
	}
	if oneClientOnly(o.id) {
		ls = append(ls, harness.Unverified)
	}
	return labels(ls...)
}

// opEntries returns the rows of a family table over operations: one entry per operation, named by
// its ID, with its row labels and extra.
func opEntries(ops []specOp, extra ...harness.Label) []TableEntry {
	entries := make([]TableEntry, 0, len(ops))
	for _, o := range ops {
		entries = append(entries, Entry(o.id, rowLabels(o, extra...), o))
	}
	return entries
}

// databaseScoped reports whether an operation addresses one database, so that the token of
// another database must get 403.
func databaseScoped(o specOp) bool {
	return strings.Contains(o.path, "{database_id}") || strings.Contains(o.path, "{backup_id}")
}

// Tokens that no target grants: one that is no bearer credential at all, and one shaped like the
// real ones (hex) that is nobody's.
const malformedToken = "not a token!"

func wrongToken() string { return "contract" + randomHex(16) }

// authVariant is one way of presenting the wrong credentials.
type authVariant struct {
	when   string
	status int
	// client returns the client that sends these credentials, or skips the spec.
	client func() *dbapi.Client
	// applies says which secured operations the variant is checked on.
	applies func(o specOp) bool
	// stateless: a server that only checks the Authorization header is there (prism mock) holds.
	stateless bool
}

var authVariants = []authVariant{
	{when: "no bearer token", status: http.StatusUnauthorized, stateless: true,
		client: func() *dbapi.Client { return suite.anon }},
	{when: "a malformed bearer token", status: http.StatusUnauthorized,
		client: func() *dbapi.Client { return newRawClient(suite.base, suite.http, malformedToken) }},
	{when: "a well-formed but wrong bearer token", status: http.StatusUnauthorized,
		client: func() *dbapi.Client { return newRawClient(suite.base, suite.http, wrongToken()) }},
	{when: "the bearer token of another database", status: http.StatusForbidden,
		client: func() *dbapi.Client {
			if suite.foreign == nil {
				Skip("set " + harness.EnvForeignToken + " to the token of another database than " + harness.EnvDatabaseID + " to check the 403 answers")
			}
			return suite.foreign
		},
		applies: func(o specOp) bool { return databaseScoped(o) && documents(o.id, "403") }},
}

var _ = Describe("Behaviour: auth", labels(harness.Auth), func() {
	for _, v := range authVariants {
		rows := slices.DeleteFunc(slices.Clone(specOpList()), func(o specOp) bool {
			return !specOperations()[o.id].bearer || (v.applies != nil && !v.applies(o)) || !documents(o.id, fmt.Sprint(v.status))
		})
		var extra []harness.Label
		if v.stateless {
			extra = append(extra, harness.Stateless)
		}
		DescribeTable(fmt.Sprintf("when the request carries %s, answers %d to", v.when, v.status), func(ctx SpecContext, o specOp) {
			op := catalogued(o.id)
			if why, ok := irreversible[o.id]; ok {
				skipOnLive(why + " if the target wrongly granted it")
			}
			c := v.client()
			in := unknownIDs()
			notDeleted := func(int) {}
			if !v.stateless {
				in = sampleIDs()
				if v.status == http.StatusForbidden && op.missing == "backup" {
					// A backup of the database under test: an unknown one is nobody's, and may be 404.
					in.backup = backupOfTarget(ctx)
				}
				in, notDeleted = watchDelete(ctx, o, in)
			} else if suite.db != "" {
				in.db = suite.db
			}
			notCreated := watchCreate(ctx, o, in)
			var sent []byte
			resp, err := op.send(ctx, keepingBody(c, &sent), in)
			expectError(resp, err, v.status)
			notCreated(sent, v.status)
			notDeleted(v.status)
		}, opEntries(rows, extra...))
	}
})

// keepingBody returns a copy of c that keeps in *sent the body of the request it sends.
func keepingBody(c *dbapi.Client, sent *[]byte) *dbapi.Client {
	cc := *c
	cc.RequestEditors = append(slices.Clone(c.RequestEditors), func(_ context.Context, req *http.Request) error {
		if req.GetBody == nil {
			return nil
		}
		body, err := req.GetBody()
		if err != nil {
			return err
		}
		defer body.Close()
		*sent, err = io.ReadAll(body)
		return err
	})
	return &cc
}

// watchCreate returns, for a create that a spec expects refused, the check that it made nothing:
// its collection lists nothing new with the identity the request named (a user's name, a rule's
// range). A server that checks the token after doing the work would let anyone, or the owner of
// another database, create users and open the firewall. What it wrongly created is deleted when
// the spec ends; what was listed before is never touched. Other operations get a check that does
// nothing.
func watchCreate(ctx SpecContext, o specOp, in ids) func(sent []byte, status int) {
	GinkgoHelper()
	f, ok := freshIdentity[o.id]
	if !ok {
		return func([]byte, int) {}
	}
	ptr, _ := f()
	list := fillPath(o.path, in)
	before := getJSON(ctx, list)
	return func(sent []byte, status int) {
		GinkgoHelper()
		value, ok := stringAt(sent, ptr)
		if !ok {
			return
		}
		want := map[string]any{ptr[strings.LastIndexByte(ptr, '/')+1:]: value}
		was := map[string]bool{}
		for _, item := range itemsHolding(before, want) {
			was[string(item)] = true
		}
		for _, item := range itemsHolding(getJSON(ctx, list), want) {
			if was[string(item)] {
				continue
			}
			if key := createdKey(item, nil); key != "" {
				DeferCleanup(deleteQuietly, list+"/"+url.PathEscape(key))
			}
			Expect(was[string(item)]).To(BeTrue(), "%s answered %d, yet %s lists what it was asked to create: %s", o.id, status, list, item)
		}
	}
}

// watchDelete returns, for the deletion of a user or a firewall rule that a spec expects refused,
// identifiers that name one that exists (made for the spec: fixtureIDs) and the check that the
// refusal left it listed: a server that deletes and only then checks the token would let anyone,
// or the owner of another database, delete users and firewall rules. Other operations keep in,
// with a check that does nothing.
func watchDelete(ctx SpecContext, o specOp, in ids) (ids, func(status int)) {
	GinkgoHelper()
	if o.method != http.MethodDelete || !strings.Contains(o.path, "{username}") && !strings.Contains(o.path, "{firewall_rule_id}") {
		return in, func(int) {}
	}
	rb, ok := readBack(o)
	Expect(ok).To(BeTrue(), "no GET lists what %s deletes", o.id)
	in = fixtureIDs(ctx, o.path)
	want := map[string]any{"id": in.rule}
	if strings.Contains(o.path, "{username}") {
		want = map[string]any{"name": in.user}
	}
	return in, func(status int) {
		GinkgoHelper()
		Expect(holds(getJSON(ctx, fillPath(rb.path, in)), want)).To(BeTrue(), "%s answered %d, yet %s no longer lists %v", o.id, status, rb.id, want)
	}
}

// stringAt returns the string at a JSON pointer of a JSON document.
func stringAt(doc []byte, ptr string) (string, bool) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return "", false
	}
	for _, t := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[t]
	}
	s, ok := v.(string)
	return s, ok
}

// itemsHolding returns, as JSON, the objects of doc, at any depth, that hold every pair of want.
func itemsHolding(doc any, want map[string]any) [][]byte {
	switch t := doc.(type) {
	case map[string]any:
		all := true
		for k, v := range want {
			if got, ok := t[k]; !ok || !sameValue(got, v) {
				all = false
				break
			}
		}
		if all {
			b, _ := json.Marshal(t)
			return [][]byte{b}
		}
		var out [][]byte
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, itemsHolding(t[k], want)...)
		}
		return out
	case []any:
		var out [][]byte
		for _, e := range t {
			out = append(out, itemsHolding(e, want)...)
		}
		return out
	}
	return nil
}

// The identity of what a create names: made fresh for each request, so that a live run never
// meets (or deletes) a resource of its own users.
var freshIdentity = map[string]func() (string, any){
	"createDatabaseUser": func() (string, any) { return "/database_user/name", "contract-" + randomHex(4) },
	"createFirewallRule": func() (string, any) { return "/cidr", randomDocumentationCIDR() },
}

// freshBody returns body with the identity of what it creates made fresh, unless the case breaks
// a rule there (keep) or the body is not JSON.
func freshBody(id string, body []byte, keep string) []byte {
	GinkgoHelper()
	f, ok := freshIdentity[id]
	if !ok || !json.Valid(body) {
		return body
	}
	ptr, v := f()
	if ptr == keep {
		return body
	}
	var root map[string]any
	Expect(json.Unmarshal(body, &root)).To(Succeed())
	cur := root
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for _, t := range toks[:len(toks)-1] {
		next, ok := cur[t].(map[string]any)
		if !ok {
			return body
		}
		cur = next
	}
	if _, ok := cur[toks[len(toks)-1]]; !ok {
		return body
	}
	cur[toks[len(toks)-1]] = v
	out, err := json.Marshal(root)
	Expect(err).NotTo(HaveOccurred())
	return out
}

// fixtureIDs returns the identifiers a path needs, creating (and deferring the deletion of) a
// user or a firewall rule when the path names one, so that a write reaches an existing resource.
func fixtureIDs(ctx SpecContext, path string) ids {
	GinkgoHelper()
	in := sampleIDs()
	if strings.Contains(path, "{username}") {
		in.user = "contract-" + randomHex(4)
		answered(suite.api.CreateDatabaseUserWithResponse(ctx, suite.db, dbapi.DatabaseUserCreateRequest{DatabaseUser: dbapi.DatabaseUserCreate{Name: in.user}})).with(http.StatusCreated)
		DeferCleanup(deleteQuietly, "/databases/"+suite.db+"/users/"+in.user)
	}
	if strings.Contains(path, "{firewall_rule_id}") {
		var body dbapi.FirewallRuleCreate
		noError(body.FromCustomRangeFirewallRuleCreate(dbapi.CustomRangeFirewallRuleCreate{Cidr: randomDocumentationCIDR(), Label: ptr("contract suite")}))
		resp := answered(suite.api.CreateFirewallRuleWithResponse(ctx, suite.db, body)).with(http.StatusCreated)
		rule, err := resp.JSON201.Rule.AsCustomRangeFirewallRule()
		noError(err)
		in.rule = rule.ID
		DeferCleanup(deleteQuietly, "/databases/"+suite.db+"/firewall_rules/"+in.rule)
	}
	return in
}

// deleteQuietly deletes what a spec created; it may be gone already.
func deleteQuietly(ctx SpecContext, path string) {
	resp, err := sendRaw(ctx, http.MethodDelete, path, "", "")
	noError(err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	Expect(resp.StatusCode).To(BeElementOf(http.StatusNoContent, http.StatusOK, http.StatusNotFound), "DELETE %s", path)
}

// readBack returns the GET operation that shows what a write at o's path changed: the one of the
// longest prefix of its path, e.g. listDatabaseUsers for updateDatabaseUser, getDatabase for
// enableDatabaseFeature.
func readBack(o specOp) (specOp, bool) {
	best := specOp{}
	for _, c := range specOpList() {
		if c.method != http.MethodGet || len(c.op.Parameters) > 0 && hasRequiredQuery(c.op) {
			continue
		}
		if (o.path == c.path || strings.HasPrefix(o.path, c.path+"/")) && len(c.path) > len(best.path) {
			best = c
		}
	}
	return best, best.id != ""
}

func hasRequiredQuery(op *openapi3.Operation) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "query" && p.Value.Required {
			return true
		}
	}
	return false
}

// getJSON GETs a path of the API and returns its decoded body.
func getJSON(ctx SpecContext, path string) any {
	GinkgoHelper()
	resp, err := sendRaw(ctx, http.MethodGet, path, "", "")
	body := expectStatus(resp, err, http.StatusOK)
	var v any
	Expect(json.Unmarshal(body, &v)).To(Succeed(), "GET %s: %s", path, body)
	return v
}

// sendKept sends a request and returns the answer with its body read, and the body.
func sendKept(ctx SpecContext, method, path string, body []byte) (*http.Response, []byte) {
	GinkgoHelper()
	resp, err := sendRaw(ctx, method, path, jsonType, string(body))
	noError(err)
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	noError(err)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, b
}

// deleteIfCreated registers the deletion of what a create answered with 2xx, so that a target
// that wrongly accepts a refused create leaves nothing behind: the DELETE of the spec at the
// create's path and "/{id}" (the answer's id, else the request's name), or with the query
// parameter the DELETE takes (a feature's name).
func deleteIfCreated(o specOp, in ids, status int, request, answer []byte) {
	GinkgoHelper()
	if o.method != http.MethodPost || status < 200 || status > 299 {
		return
	}
	for _, d := range specOpList() {
		if d.method != http.MethodDelete {
			continue
		}
		switch {
		case strings.HasPrefix(d.path, o.path+"/{") && strings.Count(d.path, "/") == strings.Count(o.path, "/")+1:
			key := createdKey(answer, request)
			if key != "" {
				DeferCleanup(deleteQuietly, fillPath(o.path, in)+"/"+url.PathEscape(key))
			}
			return
		case d.path == o.path && hasRequiredQuery(d.op):
			name := firstString(request, "name")
			for _, p := range d.op.Parameters {
				if p.Value != nil && p.Value.In == "query" && p.Value.Required && name != "" {
					DeferCleanup(deleteQuietly, fillPath(o.path, in)+"?"+p.Value.Name+"="+url.QueryEscape(name))
				}
			}
			return
		}
	}
}

// undoIfAccepted registers, for a create that a spec expects to be refused, the deletion of what
// a target that wrongly accepted it created (deleteIfCreated); resp comes back with its body
// still to read. request is the body sent, as JSON or as a value to marshal.
func undoIfAccepted(createID string, request any, resp *http.Response, err error) (*http.Response, error) {
	GinkgoHelper()
	if err != nil {
		return resp, err
	}
	o, ok := specOpByID(createID)
	Expect(ok).To(BeTrue(), "%s is no operation of the spec", createID)
	req, isRaw := request.([]byte)
	if !isRaw {
		req, err = json.Marshal(request)
		Expect(err).NotTo(HaveOccurred())
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	noError(err)
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	deleteIfCreated(o, sampleIDs(), resp.StatusCode, req, answer)
	return resp, nil
}

// createdKey names what a create made: the answer's id, else the answer's name, else the
// request's name.
func createdKey(answer, request []byte) string {
	for _, k := range []string{firstString(answer, "id"), firstString(answer, "name"), firstString(request, "name")} {
		if k != "" {
			return k
		}
	}
	return ""
}

// firstString returns the first string value of key in a JSON document, depth first.
func firstString(doc []byte, key string) string {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return ""
	}
	var find func(v any) string
	find = func(v any) string {
		switch t := v.(type) {
		case map[string]any:
			if s, ok := t[key].(string); ok {
				return s
			}
			for _, k := range slices.Sorted(maps.Keys(t)) {
				if s := find(t[k]); s != "" {
					return s
				}
			}
		case []any:
			for _, e := range t {
				if s := find(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return find(v)
}

// The negative and positive families compare reads of the database's resources around a write:
// they run alone (Serial), so that against a live target the other processes of a parallel run,
// which share its database, cannot change what they compare.
var _ = Describe("Behaviour: negative data", Serial, labels(harness.Negative), func() {
	for _, o := range specOpList() {
		cases, err := harness.NegativeBodies(o.op)
		if err != nil || len(cases) == 0 {
			continue
		}
		var entries []TableEntry
		for _, c := range cases {
			entries = append(entries, Entry(c.Name(), rowLabels(o), c))
		}
		DescribeTable("refuses a body of "+o.id+" that breaks", func(ctx SpecContext, c harness.BodyCase) {
			if why, ok := irreversible[o.id]; ok {
				skipOnLive(why + " if the target wrongly accepted the body")
			}
			in := fixtureIDs(ctx, o.path)
			rb, ok := readBack(o)
			Expect(ok).To(BeTrue(), "no GET shows what %s changes", o.id)
			before := getJSON(ctx, fillPath(rb.path, in))
			body := freshBody(o.id, c.Body, c.Pointer)
			resp, answer := sendKept(ctx, o.method, fillPath(o.path, in), body)
			deleteIfCreated(o, in, resp.StatusCode, body, answer)
			expectRefused(resp, nil, c.Refusal())
			// What the body named must read the same; the rest may move on its own meanwhile (an
			// operation of an earlier spec ending, another process's spec adding to a list).
			Expect(changedBy(before, getJSON(ctx, fillPath(rb.path, in)), body)).To(BeEmpty(),
				"%s changed what %s shows although it refused the body", o.id, rb.id)
		}, entries)
	}

	// A query parameter that breaks its schema is a malformed request, refused like a body that
	// is not JSON; a server that clamps or ignores it answers a page, a window or a value the
	// client did not ask for.
	for _, o := range specOpList() {
		cases := queryCases(o)
		if len(cases) == 0 {
			continue
		}
		var entries []TableEntry
		for _, c := range cases {
			entries = append(entries, Entry(c.name, rowLabels(o), c))
		}
		DescribeTable("refuses a query parameter of "+o.id+" that breaks", func(ctx SpecContext, c queryCase) {
			resp, err := catalogued(o.id).send(ctx, withQuery(suite.raw, c.param, c.value, c.omit), sampleIDs())
			expectRefused(resp, err, harness.Malformed)
		}, entries)
	}
})

// queryCase is a query parameter of an operation set to a value that breaks one rule of its
// schema (or left out when it is required).
type queryCase struct {
	name, param, value string
	omit               bool
}

// queryCases returns the query cases of o, from the spec: for each query parameter, its
// requiredness, type (integer, boolean), bounds, enum and minimum length. Operations that name
// more than their database (a plan, an instance, a pre-signed link: a lookup may answer first)
// and irreversible ones get none.
func queryCases(o specOp) []queryCase {
	i := slices.IndexFunc(operations, func(op operation) bool { return op.id == o.id })
	if i < 0 || operations[i].access == presignedURL || operations[i].missing != "database" {
		return nil
	}
	if _, ok := irreversible[o.id]; ok {
		return nil
	}
	var out []queryCase
	for _, ref := range o.op.Parameters {
		p := ref.Value
		if p == nil || p.In != "query" || p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		s := p.Schema.Value
		add := func(rule, value string) {
			out = append(out, queryCase{name: fmt.Sprintf("%s=%s (%s)", p.Name, value, rule), param: p.Name, value: value})
		}
		if p.Required {
			out = append(out, queryCase{name: p.Name + " left out (required)", param: p.Name, omit: true})
		}
		switch {
		case s.Type.Is("integer"):
			add("type", "abc")
			if s.Min != nil {
				add("minimum", fmt.Sprint(int64(*s.Min)-1))
			}
			if s.Max != nil {
				add("maximum", fmt.Sprint(int64(*s.Max)+1))
			}
		case s.Type.Is("boolean"):
			add("type", "maybe")
		}
		if len(s.Enum) > 0 {
			add("enum", "contract-not-in-enum")
		}
		if s.MinLength > 0 {
			add("minLength", "")
		}
	}
	return out
}

// withQuery returns a copy of c that sets the query parameter name to value in what it sends, or
// leaves it out.
func withQuery(c *dbapi.Client, name, value string, omit bool) *dbapi.Client {
	cc := *c
	cc.RequestEditors = append(slices.Clone(c.RequestEditors), func(_ context.Context, req *http.Request) error {
		q := req.URL.Query()
		if omit {
			q.Del(name)
		} else {
			q.Set(name, value)
		}
		req.URL.RawQuery = q.Encode()
		return nil
	})
	return &cc
}

// changedBy says how after differs from before in what body named, or "". A list (an envelope
// holding an array) changed when an item that was not there before carries a string the body
// sent under the same name (a fresh name, a range): items other specs add meanwhile carry none,
// while they may share a boolean or a number. A single resource
// changed when a property the body named reads differently.
func changedBy(before, after any, body []byte) string {
	if b, a, ok := listItems(before, after); ok {
		was := map[string]bool{}
		for _, it := range b {
			j, _ := json.Marshal(it)
			was[string(j)] = true
		}
		sent := bodyStrings(body)
		for _, it := range a {
			j, _ := json.Marshal(it)
			m, isMap := it.(map[string]any)
			if was[string(j)] || !isMap {
				continue
			}
			for k, v := range sent {
				if m[k] == v {
					return fmt.Sprintf("a new item has the %s the refused body sent: %s", k, j)
				}
			}
		}
		return ""
	}
	named := bodyKeys(body)
	if pb, pa := project(before, named), project(after, named); !reflect.DeepEqual(pb, pa) {
		return fmt.Sprintf("before %v, after %v", pb, pa)
	}
	return ""
}

// listItems returns the arrays of two list answers (an object whose one property is an array).
func listItems(before, after any) ([]any, []any, bool) {
	one := func(v any) ([]any, bool) {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, false
		}
		for _, x := range m {
			arr, ok := x.([]any)
			return arr, ok
		}
		return nil, false
	}
	b, ok1 := one(before)
	a, ok2 := one(after)
	return b, a, ok1 && ok2
}

// bodyStrings returns the string values a JSON body sets, by property name.
func bodyStrings(body []byte) map[string]any {
	out := map[string]any{}
	if !walkBody(body, func(name string, v any) bool {
		str, ok := v.(string)
		if ok {
			out[name] = str
		}
		return !ok
	}) {
		return nil
	}
	return out
}

// bodyKeys returns the names of the properties a JSON body sets, at every depth.
func bodyKeys(body []byte) map[string]bool {
	keys := map[string]bool{}
	if !walkBody(body, func(name string, _ any) bool {
		keys[name] = true
		return true
	}) {
		return nil
	}
	return keys
}

// walkBody calls visit on every property of a JSON body, in objects and in lists at every depth,
// and goes below a property only when visit returns true. It reports false when body is not JSON.
func walkBody(body []byte, visit func(name string, v any) bool) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if visit(k, x) {
					walk(x)
				}
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return true
}

// project returns v with only the properties named in keys, and the objects and lists on the
// way to them: what a read shows of the fields a request named.
func project(v any, keys map[string]bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			if keys[k] {
				out[k] = x
				continue
			}
			switch x.(type) {
			case map[string]any, []any:
				out[k] = project(x, keys)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = project(x, keys)
		}
		return out
	}
	return v
}

// sentPairs returns the scalar properties of the payload of a request body (the object inside
// its envelope) that a read can show: not those of an x-must-equal pair (a password and its
// confirmation, which no read returns), and only those the read-back answer's schema names.
func sentPairs(o, rb specOp, body []byte) map[string]any {
	var root map[string]any
	if json.Unmarshal(body, &root) != nil {
		return nil
	}
	payload := root
	if len(root) == 1 {
		for _, v := range root {
			if m, ok := v.(map[string]any); ok {
				payload = m
			}
		}
	}
	secret := mustEqualNames(o.op)
	names := responseProperties(rb.op)
	out := map[string]any{}
	for k, v := range payload {
		switch v.(type) {
		case map[string]any, []any:
			continue
		}
		if !secret[k] && names[k] {
			out[k] = v
		}
	}
	return out
}

// mustEqualNames returns the properties of o's request body that an x-must-equal pair holds.
func mustEqualNames(o *openapi3.Operation) map[string]bool {
	out := map[string]bool{}
	_, schema, ok := harness.RequestExample(o)
	if !ok {
		return out
	}
	walkSchema(schema, func(s *openapi3.Schema) {
		for name, p := range s.Properties {
			if other, ok := p.Value.Extensions["x-must-equal"].(string); ok {
				out[name], out[other] = true, true
			}
		}
	})
	return out
}

// responseProperties returns every property name of o's 200 answer's schema.
func responseProperties(o *openapi3.Operation) map[string]bool {
	out := map[string]bool{}
	r := o.Responses.Status(http.StatusOK)
	if r == nil || r.Value == nil {
		return out
	}
	mt := r.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return out
	}
	walkSchema(mt.Schema.Value, func(s *openapi3.Schema) {
		for name := range s.Properties {
			out[name] = true
		}
	})
	return out
}

// walkSchema calls f on s and every schema below it, once each.
func walkSchema(s *openapi3.Schema, f func(*openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		f(s)
		for _, p := range s.Properties {
			walk(p.Value)
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range group {
				if r != nil {
					walk(r.Value)
				}
			}
		}
	}
	walk(s)
}

// holds reports whether doc holds, anywhere, an object with every pair of want.
func holds(doc any, want map[string]any) bool {
	return len(itemsHolding(doc, want)) > 0
}

// sameValue reports whether a value read is the value sent; a read may show as a list of one
// what was sent as a scalar (periodic_backups_scheduled_at: 3 reads [3]).
func sameValue(got, sent any) bool {
	if l, ok := got.([]any); ok && len(l) == 1 {
		if _, isList := sent.([]any); !isList {
			got = l[0]
		}
	}
	return fmt.Sprint(got) == fmt.Sprint(sent)
}

// positiveRows returns the writes whose example sends something the matching read shows.
func positiveRows() []specOp {
	var out []specOp
	for _, o := range specOpList() {
		example, _, ok := harness.RequestExample(o.op)
		if !ok {
			continue
		}
		rb, ok := readBack(o)
		if !ok {
			continue
		}
		body, _ := json.Marshal(example)
		if len(sentPairs(o, rb, body)) > 0 {
			out = append(out, o)
		}
	}
	return out
}

var _ = Describe("Behaviour: positive data", Serial, labels(harness.Positive), func() {
	DescribeTable("shows in the next read what was sent to", func(ctx SpecContext, o specOp) {
		if why, ok := irreversible[o.id]; ok {
			skipOnLive(why)
		}
		if o.id == "enableDatabaseFeature" {
			skipOnLive("the spec's example makes the database publicly available")
		}
		example, _, _ := harness.RequestExample(o.op)
		raw, err := json.Marshal(example)
		noError(err)
		in := fixtureIDs(ctx, o.path)
		rb, _ := readBack(o)
		before := getJSON(ctx, fillPath(rb.path, in))
		body := freshBody(o.id, raw, "")
		resp, answer := sendKept(ctx, o.method, fillPath(o.path, in), body)
		deleteIfCreated(o, in, resp.StatusCode, body, answer)
		restoreIfUpdated(o, in, rb, before, body)
		Expect(resp.StatusCode).To(BeNumerically("~", 250, 50), "%s answered %d: %s", o.id, resp.StatusCode, answer)
		want := sentPairs(o, rb, body)
		Expect(holds(getJSON(ctx, fillPath(rb.path, in)), want)).To(BeTrue(), "%s does not show %v after %s", rb.id, want, o.id)
	}, opEntries(positiveRows()))
})

// restoreIfUpdated registers sending back, after the spec, the values an update of a resource
// that already existed changed: what the read showed before for the keys the body sent.
func restoreIfUpdated(o specOp, in ids, rb specOp, before any, body []byte) {
	if o.method != http.MethodPatch && o.method != http.MethodPut {
		return
	}
	var root map[string]any
	if json.Unmarshal(body, &root) != nil || len(root) != 1 {
		return
	}
	for envelope, v := range root {
		payload, ok := v.(map[string]any)
		if !ok {
			return
		}
		prev, ok := before.(map[string]any)[envelope].(map[string]any)
		if !ok {
			return
		}
		old := map[string]any{}
		for k := range payload {
			if pv, ok := prev[k]; ok {
				old[k] = pv
			}
		}
		if len(old) != len(payload) {
			return
		}
		b, _ := json.Marshal(map[string]any{envelope: old})
		path := fillPath(o.path, in)
		DeferCleanup(func(ctx SpecContext) {
			resp, err := sendRaw(ctx, o.method, path, jsonType, string(b))
			noError(err)
			resp.Body.Close()
		})
	}
}

// lifecycleRows pairs each create of the spec (a POST on a collection) with the DELETE of one of
// its items.
func lifecycleRows() [][2]specOp {
	var out [][2]specOp
	for _, c := range specOpList() {
		if c.method != http.MethodPost {
			continue
		}
		if _, _, ok := harness.RequestExample(c.op); !ok {
			continue
		}
		for _, d := range specOpList() {
			if d.method == http.MethodDelete && strings.HasPrefix(d.path, c.path+"/{") && strings.Count(d.path, "/") == strings.Count(c.path, "/")+1 {
				out = append(out, [2]specOp{c, d})
			}
		}
	}
	return out
}

var _ = Describe("Behaviour: availability and use after delete", labels(harness.Lifecycle), func() {
	var entries []TableEntry
	for _, pair := range lifecycleRows() {
		entries = append(entries, Entry(pair[0].id+" then "+pair[1].id, rowLabels(pair[1]), pair[0].id, pair[1].id))
	}
	DescribeTable("lists what was created, and neither lists nor finds it once deleted:", func(ctx SpecContext, createID, deleteID string) {
		c, _ := specOpByID(createID)
		example, _, _ := harness.RequestExample(c.op)
		raw, err := json.Marshal(example)
		noError(err)
		in := sampleIDs()
		body := freshBody(c.id, raw, "")
		resp, answer := sendKept(ctx, c.method, fillPath(c.path, in), body)
		deleteIfCreated(c, in, resp.StatusCode, body, answer)
		Expect(resp.StatusCode).To(Equal(http.StatusCreated), "%s answered %d: %s", c.id, resp.StatusCode, answer)
		key := createdKey(answer, body)
		Expect(key).NotTo(BeEmpty(), "%s answered no id and was sent no name", c.id)
		list := fillPath(c.path, in)
		Expect(holds(getJSON(ctx, list), identity(key))).To(BeTrue(), "GET %s does not list %s after %s", list, key, c.id)

		item := list + "/" + url.PathEscape(key)
		resp, err = sendRaw(ctx, http.MethodDelete, item, "", "")
		expectStatus(resp, err, http.StatusNoContent)
		resp, err = sendRaw(ctx, http.MethodDelete, item, "", "")
		expectError(resp, err, http.StatusNotFound)
		Expect(holds(getJSON(ctx, list), identity(key))).To(BeFalse(), "GET %s still lists %s after %s", list, key, deleteID)
	}, entries)
})

// identity matches the object an id or a name names.
func identity(key string) map[string]any {
	if strings.HasPrefix(key, "contract-") {
		return map[string]any{"name": key}
	}
	return map[string]any{"id": key}
}

// pagingRows returns the GET operations that take page and per_page.
func pagingRows() []specOp {
	var out []specOp
	for _, o := range specOpList() {
		names := map[string]bool{}
		for _, p := range o.op.Parameters {
			if p.Value != nil && p.Value.In == "query" {
				names[p.Value.Name] = true
			}
		}
		if o.method == http.MethodGet && names["page"] && names["per_page"] {
			out = append(out, o)
		}
	}
	return out
}

// pageOf is what the paging family reads of one page: the IDs it holds and its pagination.
type pageOf struct {
	ids        []string
	pagination map[string]any
}

func readPage(ctx SpecContext, path string, page, perPage int) pageOf {
	GinkgoHelper()
	doc, ok := getJSON(ctx, fmt.Sprintf("%s?page=%d&per_page=%d", path, page, perPage)).(map[string]any)
	Expect(ok).To(BeTrue(), "page %d of %s is no object", page, path)
	var out pageOf
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if items, ok := doc[k].([]any); ok {
			for _, it := range items {
				id, _ := it.(map[string]any)["id"].(string)
				out.ids = append(out.ids, id)
			}
		}
	}
	meta, _ := doc["meta"].(map[string]any)
	out.pagination, _ = meta["pagination"].(map[string]any)
	Expect(out.pagination).NotTo(BeNil(), "page %d of %s has no meta.pagination", page, path)
	return out
}

var _ = Describe("Behaviour: paging", labels(harness.Paging), func() {
	DescribeTable("walks pages that are disjoint, cover the total and say where they are:", func(ctx SpecContext, o specOp) {
		path := fillPath(o.path, sampleIDs())
		const perPage = 2
		seen := map[string]int{}
		first := readPage(ctx, path, 1, perPage)
		total, _ := first.pagination["total_count"].(float64)
		pages, _ := first.pagination["total_pages"].(float64)
		Expect(pages).To(BeNumerically(">=", 2), "%s has %v pages of %d: too few to walk", o.id, pages, perPage)
		for n := 1; n <= int(pages); n++ {
			p := first
			if n > 1 {
				p = readPage(ctx, path, n, perPage)
			}
			Expect(p.pagination["current_page"]).To(BeNumerically("==", n), "page %d of %s says it is page %v", n, o.id, p.pagination["current_page"])
			if n > 1 {
				Expect(p.pagination["prev_page"]).To(BeNumerically("==", n-1), "page %d of %s names previous page %v", n, o.id, p.pagination["prev_page"])
			} else {
				Expect(p.pagination["prev_page"]).To(BeNil(), "the first page of %s names a previous page", o.id)
			}
			if per, ok := p.pagination["per_page"]; ok {
				Expect(per).To(BeNumerically("==", perPage), "page %d of %s says it holds %v per page, %d were asked", n, o.id, per, perPage)
			}
			if n < int(pages) {
				Expect(p.pagination["next_page"]).To(BeNumerically("==", n+1), "page %d of %s names next page %v", n, o.id, p.pagination["next_page"])
				Expect(p.ids).To(HaveLen(perPage), "page %d of %s is not full", n, o.id)
			} else {
				Expect(p.pagination["next_page"]).To(BeNil(), "the last page of %s names a next page", o.id)
			}
			for _, item := range p.ids {
				Expect(seen).NotTo(HaveKey(item), "%s on page %d of %s was on page %d too", item, n, o.id, seen[item])
				seen[item] = n
			}
		}
		Expect(seen).To(HaveLen(int(total)), "the pages of %s hold %d items, total_count says %v", o.id, len(seen), total)
	}, opEntries(pagingRows()))
})

var _ = Describe("Behaviour: bytes", labels(harness.Bytes, harness.Backups), func() {
	It("serves as a range the same bytes as that slice of the whole archive", labels(harness.ReadOnly), func(ctx SpecContext) {
		done := smallestDoneBackup(ctx)
		size := *done.Size
		// The three forms of the spec's Range: bytes=a-b, from an offset to the end (a resumed
		// download), and the last n bytes; the whole archive is read once, keeping those slices.
		n := min(100, size/2)
		ranges := map[string]window{
			"bytes=0-9": {0, 9},
			fmt.Sprintf("bytes=%d-%d", size/3, min(size/3+99, size-1)): {size / 3, min(size/3+99, size-1)},
			fmt.Sprintf("bytes=%d-%d", size-7, size-1):                 {size - 7, size - 1},
			fmt.Sprintf("bytes=%d-", size-n):                           {size - n, size - 1},
			fmt.Sprintf("bytes=-%d", n):                                {size - n, size - 1},
		}
		names := slices.Sorted(maps.Keys(ranges))
		windows := make([]window, len(names))
		for i, r := range names {
			windows[i] = ranges[r]
		}
		whole := readArchive(ctx, archiveURL(ctx, done.ID), "", http.StatusOK, windows, 0)
		Expect(whole.n).To(Equal(size), "the archive of %s is not the backup's size", done.ID)
		for i, r := range names {
			w := windows[i]
			part := readArchive(ctx, archiveURL(ctx, done.ID), r, http.StatusPartialContent, []window{{0, w.to - w.from}}, 0)
			Expect(part.n == w.to-w.from+1 && bytes.Equal(part.parts[0], whole.parts[i])).To(BeTrue(), "%s of %s differs from that slice of the whole archive", r, done.ID)
			// A download over several connections writes each part where its Content-Range says.
			want := fmt.Sprintf("bytes %d-%d/%d", w.from, w.to, size)
			Expect(part.header.Get("Content-Range")).To(Equal(want), "%s of %s: Content-Range names another span", r, done.ID)
		}
	})

	// If-Range is what keeps a resumed download from splicing two versions of an archive: a
	// server that ignores it serves the range of whatever version it has now.
	It("serves the whole archive, not the range, when If-Range names another version", labels(harness.ReadOnly), func(ctx SpecContext) {
		done := smallestDoneBackup(ctx)
		first := readArchive(ctx, archiveURL(ctx, done.ID), "bytes=0-9", http.StatusPartialContent, []window{{0, 9}}, 0)
		head, etag := first.parts[0], first.header.Get("ETag")
		other := `"contract-another-version-` + randomHex(4) + `"`
		whole := readArchive(ctx, archiveURL(ctx, done.ID), "bytes=0-9", http.StatusOK, []window{{0, 9}}, 0, "If-Range", other)
		Expect(whole.n == *done.Size && bytes.Equal(whole.parts[0], head)).To(BeTrue(),
			"If-Range %s with bytes=0-9 did not bring the whole archive of %s (%d bytes, the backup has %d)", other, done.ID, whole.n, *done.Size)
		if etag == "" || strings.HasPrefix(etag, "W/") {
			return // no strong validator to resume with: the matching case has nothing to send
		}
		part := download(ctx, archiveURL(ctx, done.ID), "", http.StatusPartialContent, "Range", "bytes=0-9", "If-Range", etag)
		Expect(bytes.Equal(part, head)).To(BeTrue(), "If-Range %s (the archive's ETag) with bytes=0-9 did not bring that slice of %s", etag, done.ID)
	})

	It("restores the backup it was asked to, and says so", labels(harness.Mutating, harness.Slow, harness.Unverified), func(ctx SpecContext) {
		requireWrites()
		skipOnLive("a restore overwrites the database")
		done := smallestDoneBackup(ctx)
		resp := answered(suite.api.RestoreBackupWithResponse(ctx, suite.db, done.ID)).with(http.StatusCreated)
		Expect(resp.JSON201.SourceBackupID).To(Equal(done.ID), "the restoration names another backup than the one asked")
		got := answered(suite.api.GetBackupRestorationWithResponse(ctx, suite.db, resp.JSON201.ID)).with(http.StatusOK)
		Expect(got.JSON200.BackupRestoration.SourceBackupID).To(Equal(done.ID), "the restoration, read back, names another backup than the one asked")
	})
})

// smallestDoneBackup returns the smallest done backup of the database under test, and skips the
// spec when there is none.
func smallestDoneBackup(ctx SpecContext) dbapi.Backup {
	GinkgoHelper()
	var done dbapi.Backup
	for _, b := range listBackups(ctx) {
		if b.Status == dbapi.BackupStatusDone && b.Size != nil && *b.Size > 16 && (done.Size == nil || *b.Size < *done.Size) {
			done = b
		}
	}
	if done.ID == "" {
		Skip("the database has no done backup")
	}
	return done
}
