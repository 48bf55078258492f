// The differential test is about what each validator accepts, not about
// concurrency; it is left out of race builds, which would otherwise compile
// libopenapi-validator and its dependencies (3.5 of the 5 minutes a cold
// `make test-race` took on the 2-core CI machine). `make test` runs it.

//go:build !race

package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// corpusItem is one request or response to judge, and the class of change that made it.
type corpusItem struct {
	op      *opInfo
	class   string // "example", "drop", "value:null", "text:integer as 1.0", ...
	request bool
	status  int // responses
	header  http.Header
	body    []byte
}

// oracleAllowed lists every class of item on which pkg/conformance and libopenapi-validator (format
// assertions on) may disagree, keyed by class and by which side accepts, with the reason. Any other
// disagreement fails TestValidator_AgreesWithLibopenapi.
var oracleAllowed = map[string]string{
	// Stricter on purpose: the body would not decode faithfully into the generated types.
	"text:integer as 1.0/we refuse":                  "an integer literal with a fraction does not decode into a Go integer; JSON Schema counts 1.0 as an integer",
	"text:integer as 1e0/we refuse":                  "an integer literal with an exponent does not decode into a Go integer; JSON Schema counts 1e0 as an integer",
	"text:integer of 2^63/we refuse":                 "2^63 is beyond int64 and Go int, which the generated types use; libopenapi does not bound integers without format",
	"text:integer rounding to 2^63/we refuse":        "the literal is beyond int64 even though its float64 rounding is not",
	"value:100000000000000000000/we refuse":          "10^20 is beyond Go int, the type of integers without format in the generated code; libopenapi does not bound them",
	"text:invalid UTF-8/we refuse":                   "encoding/json replaces invalid UTF-8 by U+FFFD: the string would change",
	"text:lone surrogate/we refuse":                  "encoding/json replaces a lone surrogate escape by U+FFFD: the string would change",
	"text:repeated key, first value wrong/we refuse": "encoding/json keeps the last value of a repeated key, other readers the first: refused whatever the values",
	"text:key folded to upper case/we refuse":        "encoding/json decodes a key that differs only by case into the declared property, which a JSON Schema reading takes for an extra property",
	"text:leap second/we refuse":                     "time.Time refuses a leap second, which RFC 3339 allows",
	"text:lower-case t in a date-time/we refuse":     "time.Time refuses a lower-case t, which RFC 3339 allows",
	"text:escaped date-time/we refuse":               "time.Time reads the text between the quotes as it is and cannot decode an escaped date-time (golang/go#47353)",
	"text:fraction of 10 digits/we refuse":           "time.Time cuts a fraction of a second after 9 digits: the instant would change",
	"text:number beyond float64/we refuse":           "more digits than float64 (a number) or time.Time (a date-time fraction) holds: the value would change",
	"text:nested key folded to upper case/we refuse": "encoding/json decodes a key that differs only by case into the declared property, in nested objects and union branches too",
	"text:duplicated Retry-After/we refuse":          "a second line of a single-value header is joined by some readers and ignored by others; libopenapi does not check response headers",
	"text:duplicated Content-Type/we refuse":         "a second Content-Type line makes the media type ambiguous; libopenapi reads the first",
	// Checks libopenapi does not make.
	"text:empty body/we refuse":    "a documented JSON body that is empty: libopenapi skips the body check",
	"body:null/we refuse":          "a null where an object is documented: libopenapi skips a null body",
	"text:null body/we refuse":     "a null where an object is documented: libopenapi skips a null body",
	"text:body on a 204/we refuse": "a body where the spec documents none: libopenapi does not check it",
}

// oracle wraps libopenapi-validator, built from the same embedded spec.
func oracle(t testing.TB) validator.Validator {
	t.Helper()
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Servers = openapi3.Servers{{URL: apiPrefix}}
	spec, err := doc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	lv, errs := validator.NewValidator(ld, config.WithFormatAssertions(), config.WithoutSecurityValidation())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return lv
}

// requestURL fills an operation's path and required query parameters with their examples.
func requestURL(o *opInfo) string {
	path := o.op.Path
	q := url.Values{}
	for _, p := range o.params {
		val := "p1"
		if p.Example != nil {
			val = fmt.Sprint(p.Example)
		} else if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Example != nil {
			val = fmt.Sprint(p.Schema.Value.Example)
		}
		switch {
		case p.In == openapi3.ParameterInPath:
			path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(val), 1)
		case p.In == openapi3.ParameterInQuery && p.Required:
			q.Set(p.Name, val)
		}
	}
	u := "http://127.0.0.1" + apiPrefix + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

var uriRE = regexp.MustCompile(`"https?://[^"]+"`)

// corpusTexts are the changes of text made to every example, beyond textMutations.
var corpusTexts = []struct {
	name string
	f    func([]byte) []byte
}{
	{"leap second", func(b []byte) []byte {
		return dateTimeRE.ReplaceAllFunc(b, once(func([]byte) []byte { return []byte(`"2016-12-31T23:59:60Z"`) }))
	}},
	{"lower-case t in a date-time", func(b []byte) []byte {
		return dateTimeRE.ReplaceAllFunc(b, once(func(m []byte) []byte { return bytes.Replace(m, []byte("T"), []byte("t"), 1) }))
	}},
	{"URI without a host", func(b []byte) []byte {
		return uriRE.ReplaceAllFunc(b, once(func([]byte) []byte { return []byte(`"https:///backups/b1"`) }))
	}},
	{"trailing garbage", func(b []byte) []byte { return append(slices.Clone(b), " x"...) }},
	{"byte order mark", func(b []byte) []byte { return append([]byte("\xef\xbb\xbf"), b...) }},
	{"empty body", func([]byte) []byte { return nil }},
	{"null body", func([]byte) []byte { return []byte("null") }},
	{"whitespace around", func(b []byte) []byte { return slices.Concat([]byte(" \n"), b, []byte("\n")) }},
	{"escaped slash", func(b []byte) []byte { return bytes.Replace(b, []byte(`"id":"`), []byte(`"id":"\/`), 1) }},
}

// buildCorpus makes the items of every operation: its documented request and response examples,
// their broken variants and changes of text, and header and framing cases.
func buildCorpus(t testing.TB, v *Validator) []corpusItem {
	t.Helper()
	var out []corpusItem
	for _, o := range v.ops {
		addAll := func(base corpusItem, examples []any) {
			for _, ex := range examples {
				for _, m := range labeledMutations(ex) {
					it := base
					it.class = m.class
					it.body, _ = json.Marshal(m.doc)
					out = append(out, it)
				}
				b, _ := json.Marshal(ex)
				for _, m := range textMutations {
					if mb := m.f(b); !bytes.Equal(mb, b) {
						it := base
						it.class, it.body = "text:"+m.name, mb
						out = append(out, it)
					}
				}
				for _, m := range slices.Concat(corpusTexts, faithfulMutations) {
					if mb := m.f(b); !bytes.Equal(mb, b) {
						it := base
						it.class, it.body = "text:"+m.name, mb
						out = append(out, it)
					}
				}
				it := base
				it.class, it.body, it.header = "text:wrong content type", b, cloneWith(base.header, "Content-Type", "text/html")
				out = append(out, it)
				it.class, it.header = "text:duplicated Content-Type", cloneHeader(base.header)
				it.header["Content-Type"] = append(it.header["Content-Type"], "text/html")
				out = append(out, it)
				if _, ok := base.header["Retry-After"]; ok {
					it.class, it.header = "text:duplicated Retry-After", cloneHeader(base.header)
					it.header["Retry-After"] = append(it.header["Retry-After"], "60")
					out = append(out, it)
				}
			}
		}
		if o.body != nil {
			for i := range o.reqContent {
				ci := &o.reqContent[i]
				if ci.kind == contentJSON {
					addAll(corpusItem{op: o, request: true, header: http.Header{"Content-Type": {ci.mediaType}}},
						mediaExamples(o.body.Content.Get(ci.mediaType)))
				}
			}
		}
		for _, key := range o.op.Statuses {
			status := atoiOrZero(key)
			if status == 0 && len(key) == 3 && key[1:] == "XX" {
				status = int(key[0]-'0')*100 + 3 // 503, 403...: one status of the range
			}
			ri := o.response(status)
			if ri == nil {
				continue
			}
			header := http.Header{}
			for _, h := range ri.headers {
				if h.required && h.schema != nil && h.schema.Type.Is("integer") {
					header.Set(h.name, "5")
				}
			}
			if len(ri.content) == 0 {
				out = append(out, corpusItem{op: o, class: "example", status: status, header: header})
				out = append(out, corpusItem{op: o, class: "text:body on a 204", status: status,
					header: cloneWith(header, "Content-Type", "application/json"), body: []byte(`{}`)})
				continue
			}
			for i := range ri.content {
				ci := &ri.content[i]
				if ci.kind != contentJSON {
					continue
				}
				addAll(corpusItem{op: o, status: status, header: cloneWith(header, "Content-Type", ci.mediaType)},
					mediaExamples(o.kin.Responses.Value(key).Value.Content.Get(ci.mediaType)))
			}
		}
	}
	return out
}

func cloneHeader(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h.Clone()
}

func cloneWith(h http.Header, k, val string) http.Header {
	c := cloneHeader(h)
	c.Set(k, val)
	return c
}

// judge runs both validators on an item and reports whether each accepts it, with libopenapi's
// first error.
func judge(v *Validator, lv validator.Validator, it corpusItem) (ours, theirs bool, why string) {
	u := requestURL(it.op)
	if it.request {
		mk := func() *http.Request {
			r, _ := http.NewRequest(it.op.op.Method, u, bytes.NewReader(it.body))
			r.Header = cloneHeader(it.header)
			return r
		}
		_, err := v.ValidateRequest(mk())
		ok, errs := lv.ValidateHttpRequestSync(mk())
		if len(errs) > 0 {
			why = errs[0].Error()
		}
		return err == nil, ok, why
	}
	req, _ := http.NewRequest(it.op.op.Method, u, nil)
	ours = v.ValidateResponse(req, it.status, it.header, it.body) == nil
	resp := &http.Response{StatusCode: it.status, Header: cloneHeader(it.header), Request: req,
		Body: io.NopCloser(bytes.NewReader(it.body)), ContentLength: int64(len(it.body))}
	ok, errs := lv.ValidateHttpResponse(req, resp)
	if len(errs) > 0 {
		why = errs[0].Error()
	}
	return ours, ok, why
}

// TestValidator_AgreesWithLibopenapi is the differential test: an independent validator
// (libopenapi-validator, format assertions on) and this package judge a corpus built from every
// operation's examples; every disagreement must be a class of oracleAllowed, which says why.
func TestValidator_AgreesWithLibopenapi(t *testing.T) {
	start := time.Now()
	v := mustNew(t)
	lv := oracle(t)
	corpus := buildCorpus(t, v)
	if len(corpus) < 10000 {
		t.Fatalf("the corpus has %d items, want at least 10000", len(corpus))
	}
	res := compareWithOracle(corpus, func(it corpusItem) (bool, bool, string) { return judge(v, lv, it) })
	agreeAccept, agreeRefuse, allowed, unexplained := res.agreeAccept, res.agreeRefuse, res.allowed, res.unexplained
	t.Logf("%d corpus items in %v: both accept %d, both refuse %d, allowed disagreements %d",
		len(corpus), time.Since(start).Round(time.Millisecond), agreeAccept, agreeRefuse, sumValues(allowed))
	for _, k := range sortedKeys(allowed) {
		t.Logf("  allowed %-55s %5d  (%s)", k, allowed[k], oracleAllowed[k])
	}
	for _, k := range sortedKeys(unexplained) {
		t.Errorf("unexplained disagreement %s, %d items, e.g. %s", k, unexplained[k].n, unexplained[k].example)
	}
	for _, k := range sortedKeys(oracleAllowed) {
		if allowed[k] == 0 {
			t.Errorf("oracleAllowed[%q] explains no disagreement of this corpus: remove it", k)
		}
	}
	if agreeAccept < 100 || agreeRefuse < 1000 {
		t.Errorf("the corpus is one-sided: %d accepted, %d refused by both", agreeAccept, agreeRefuse)
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, x := range m {
		n += x
	}
	return n
}

// BenchmarkDifferentialCorpus measures the differential test: building both validators and the
// corpus, then judging every item with both (seconds per run, goal < 20; items, goal >= 10,000).
func BenchmarkDifferentialCorpus(b *testing.B) {
	var items int
	start := time.Now()
	for b.Loop() {
		v, err := New()
		if err != nil {
			b.Fatal(err)
		}
		lv := oracle(b)
		corpus := buildCorpus(b, v)
		for _, it := range corpus {
			judge(v, lv, it)
		}
		items = len(corpus)
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(items), "items")
}

// oracleTally counts the disagreements of one class.
type oracleTally struct {
	n       int
	example string
}

// oracleResult sums up a differential run.
type oracleResult struct {
	agreeAccept, agreeRefuse int
	allowed                  map[string]int          // by oracleAllowed key
	unexplained              map[string]*oracleTally // by class and side
}

// compareWithOracle judges every item and sorts the disagreements into allowed and unexplained.
func compareWithOracle(corpus []corpusItem, judge func(corpusItem) (ours, theirs bool, why string)) oracleResult {
	res := oracleResult{allowed: map[string]int{}, unexplained: map[string]*oracleTally{}}
	for _, it := range corpus {
		ours, theirs, why := judge(it)
		if ours == theirs {
			if ours {
				res.agreeAccept++
			} else {
				res.agreeRefuse++
			}
			continue
		}
		side := "we refuse"
		if ours {
			side = "we accept"
		}
		key := it.class + "/" + side
		if _, ok := oracleAllowed[key]; ok {
			res.allowed[key]++
			continue
		}
		tl := res.unexplained[key]
		if tl == nil {
			where := fmt.Sprintf("%s response %d", it.op.op.ID, it.status)
			if it.request {
				where = it.op.op.ID + " request"
			}
			tl = &oracleTally{example: fmt.Sprintf("%s: %s (libopenapi: %s)", where, shorten(string(it.body)), shorten(why))}
			res.unexplained[key] = tl
		}
		tl.n++
	}
	return res
}

// TestCompareWithOracle_FlagsUnexplainedDisagreements shows that the differential test fails when
// this package drifts: a checker that accepts what it should not, or refuses a class that no entry
// explains, yields unexplained disagreements.
func TestCompareWithOracle_FlagsUnexplainedDisagreements(t *testing.T) {
	v := mustNew(t)
	o := v.byID["createBackup"]
	items := []corpusItem{
		{op: o, class: "example", status: 201},
		{op: o, class: "text:integer as 1.0", status: 201},
		{op: o, class: "drop", status: 201},
	}
	tests := []struct {
		name  string
		judge func(corpusItem) (bool, bool, string)
		want  []string
	}{
		{"agreement", func(corpusItem) (bool, bool, string) { return true, true, "" }, nil},
		{"an allowed stricter class", func(it corpusItem) (bool, bool, string) { return it.class != "text:integer as 1.0", true, "" }, nil},
		{"looser than the oracle", func(it corpusItem) (bool, bool, string) { return true, it.class != "drop", "missing" }, []string{"drop/we accept"}},
		{"an allowed class, the other way round", func(it corpusItem) (bool, bool, string) { return it.class == "text:integer as 1.0", false, "" }, []string{"text:integer as 1.0/we accept"}},
		{"stricter without a reason", func(it corpusItem) (bool, bool, string) { return it.class != "example", true, "" }, []string{"example/we refuse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := compareWithOracle(items, tt.judge)
			if diff := cmp.Diff(tt.want, sortedKeys(res.unexplained), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("unexplained disagreements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCorpus_AcceptedResponsesDecodeFaithfully runs the differential's corpus through the oracle of
// FuzzDecodesFaithfully: every JSON response body the validator accepts decodes with the generated
// client to the same value.
func TestCorpus_AcceptedResponsesDecodeFaithfully(t *testing.T) {
	v := mustNew(t)
	targets := decodeTargetsByName(t, v)
	accepted, unfaithful := 0, 0
	for _, it := range buildCorpus(t, v) {
		if it.request {
			continue
		}
		ri := it.op.response(it.status)
		dt, ok := targets[it.op.op.ID+" "+ri.key]
		if !ok || !strings.EqualFold(it.header.Get("Content-Type"), dt.ci.mediaType) {
			continue
		}
		req, _ := http.NewRequest(it.op.op.Method, requestURL(it.op), nil)
		if v.ValidateResponse(req, it.status, it.header, it.body) != nil {
			continue
		}
		accepted++
		dt.status = it.status
		if err := dt.roundTrip(it.body); err != nil {
			unfaithful++
			if unfaithful <= 5 {
				t.Errorf("%s (%s) accepts %s, but %v", dt.name, it.class, shorten(string(it.body)), err)
			}
		}
	}
	t.Logf("%d accepted JSON responses of the corpus, %d decoded unfaithfully", accepted, unfaithful)
	if accepted < 1000 {
		t.Errorf("only %d accepted responses: the check proves little", accepted)
	}
}
