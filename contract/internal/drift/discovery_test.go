package drift

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// embeddedDiscovery builds a recorder over the embedded spec.
func embeddedDiscovery(t testing.TB) *Discovery {
	t.Helper()
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDiscovery(doc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// found renders findings as "op status kind name types in" lines, sorted.
func found(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", f.OperationID, f.Status, f.Kind, f.Name, typeList(f.Types), f.In))
	}
	return out
}

func TestDiscovery_Observe(t *testing.T) {
	jsonCT := http.Header{"Content-Type": {"application/json"}, "Date": {"x"}, "Content-Length": {"9"}}
	with := func(h http.Header, kv ...string) http.Header {
		c := h.Clone()
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], kv[i+1])
		}
		return c
	}
	const db = `"id":"x","app_name":"a","type_name":"postgresql"`
	tests := []struct {
		name   string
		op     string
		status int
		header http.Header
		body   string
		want   []string
	}{
		{name: "documented answer", op: "getDatabaseLag", status: 200, header: jsonCT, body: `{"lag":0}`},
		{name: "open object takes any member", op: "getDatabaseLag", status: 200, header: jsonCT, body: `{"lag":0,"anything":{"a":1}}`},
		{name: "map values are walked under *", op: "getDatabaseMetrics", status: 200, header: jsonCT,
			body: `{"cpu_usage":1,"real_disk_size":1,"memory":{},"instances_metrics":{"i-1":{"new_counter":3}}}`,
			want: []string{"getDatabaseMetrics 200 property /instances_metrics/*/new_counter integer 1× #/components/schemas/InstanceMetrics"}},
		{name: "nested member", op: "getDatabase", status: 200, header: jsonCT, body: `{"database":{` + db + `,"storage_type":"s"}}`,
			want: []string{"getDatabase 200 property /database/storage_type string 1× #/components/schemas/Database"}},
		{name: "top-level member", op: "getDatabase", status: 200, header: jsonCT, body: `{"database":{` + db + `},"cost":1.5}`,
			want: []string{"getDatabase 200 property /cost number 1× #/components/schemas/DatabaseResponse"}},
		{name: "member of array items, counted once per answer", op: "listDatabaseUsers", status: 200, header: jsonCT,
			body: `{"database-users":[{"name":"a","read_only":true,"seen":null},{"name":"b","read_only":false,"seen":"x"}]}`,
			want: []string{"listDatabaseUsers 200 property /database-users/*/seen null 1×, string 1× #/components/schemas/DatabaseUser"}},
		{name: "nested object and its members", op: "listMaintenances", status: 200, header: jsonCT,
			body: `{"maintenance":[],"meta":{"pagination":{"current_page":1,"prev_page":null,"next_page":null,"total_pages":1,"total_count":0},"w":{"a/b":[1],"c":{}}}}`,
			want: []string{
				"listMaintenances 200 property /meta/w object 1× #/components/schemas/MaintenancesResponse/properties/meta",
				"listMaintenances 200 property /meta/w/a~1b array 1× ",
				"listMaintenances 200 property /meta/w/a~1b/* integer 1× ",
				"listMaintenances 200 property /meta/w/c object 1× ",
			}},
		{name: "undocumented header, integer and string", op: "getDatabaseLag", status: 200, header: with(jsonCT, "X-Count", "12", "X-Trace", "abc"), body: `{}`,
			want: []string{
				"getDatabaseLag 200 header X-Count integer 1× #/paths/~1databases~1{database_id}~1lag/get/responses/200",
				"getDatabaseLag 200 header X-Trace string 1× #/paths/~1databases~1{database_id}~1lag/get/responses/200",
			}},
		{name: "header spelled as people write it", op: "getDatabaseLag", status: 200, header: with(jsonCT, "Etag", `"v1"`), body: `{}`,
			want: []string{"getDatabaseLag 200 header ETag string 1× #/paths/~1databases~1{database_id}~1lag/get/responses/200"}},
		{name: "headers of any answer (x-response-headers)", op: "getDatabaseLag", status: 401, header: with(jsonCT, "X-Request-Id", "mock-1", "Www-Authenticate", `Bearer realm="dbapi"`), body: `{"error":"e"}`},
		{name: "headers of any answer, on an undocumented status too", op: "getDatabaseLag", status: 299, header: with(jsonCT, "X-Request-Id", "mock-1"), body: `{}`,
			want: []string{"getDatabaseLag 299 status 299 object 1× #/paths/~1databases~1{database_id}~1lag/get/responses"}},
		{name: "documented header", op: "listMaintenances", status: 429, header: with(jsonCT, "Retry-After", "3"), body: `{"error":"e"}`},
		{name: "undocumented status, its headers inside it", op: "getDatabase", status: 299, header: with(jsonCT, "X-Trace", "abc"), body: `{"database":{}}`,
			want: []string{
				"getDatabase 299 status 299 object 1× #/paths/~1databases~1{database_id}/get/responses",
				"getDatabase 299 header X-Trace string 1× ",
			}},
		{name: "undocumented media type", op: "listBackups", status: 200, header: with(jsonCT, "Content-Type", "text/html; charset=utf-8"), body: `<p>`,
			want: []string{"listBackups 200 content-type text/html string 1× #/paths/~1databases~1{database_id}~1backups/get/responses/200"}},
		{name: "a status under a range key", op: "getDatabase", status: 503, header: jsonCT, body: `{"error":"e","extra":true}`,
			want: []string{"getDatabase 503 property /extra boolean 1× #/components/schemas/Error"}},
		{name: "type mismatch is a violation, not drift", op: "getDatabase", status: 200, header: jsonCT, body: `{"database":[{"x":1}]}`},
		{name: "unknown operation", op: "noSuchOperation", status: 200, header: jsonCT, body: `{"x":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := embeddedDiscovery(t)
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			d.Observe(tt.op, tt.status, tt.header, body)
			got := found(d.Report())
			slices.Sort(got)
			want := append([]string(nil), tt.want...)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// The locations the table above expects must be where the spec says it: a mistake there would
// make the overlay target nothing.
func TestDiscovery_StatusRangeKey(t *testing.T) {
	d := embeddedDiscovery(t)
	key, r := d.ops["getDatabase"].response(503)
	if r == nil || key != "503" && key != "5XX" {
		t.Fatalf("getDatabase 503 files under %q (%v)", key, r != nil)
	}
}

func TestMerge(t *testing.T) {
	dir := t.TempDir()
	a := Report{Answers: 2, Findings: []Finding{{OperationID: "op", Kind: KindHeader, Status: "200", Name: "X-A", Types: map[string]int{"string": 2}, Count: 2}}}
	b := Report{Answers: 3, Dropped: 1, Findings: []Finding{
		{OperationID: "op", Kind: KindHeader, Status: "200", Name: "X-A", Types: map[string]int{"string": 1, "integer": 1}, Count: 2},
		{OperationID: "op", Kind: KindStatus, Status: "299", Name: "299", Count: 1},
	}}
	files := []string{filepath.Join(dir, "p1.json"), filepath.Join(dir, "p2.json")}
	for i, r := range []Report{a, b} {
		if err := Write(files[i], r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Merge(files...)
	if err != nil {
		t.Fatal(err)
	}
	want := Report{Answers: 5, Dropped: 1, Findings: []Finding{
		{OperationID: "op", Kind: KindStatus, Status: "299", Name: "299", Types: map[string]int{}, Count: 1},
		{OperationID: "op", Kind: KindHeader, Status: "200", Name: "X-A", Types: map[string]int{"string": 3, "integer": 1}, Count: 4},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	for _, f := range files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s not removed", f)
		}
	}
	if _, err := Merge(files[0]); err == nil {
		t.Error("a missing process file merged without error")
	}
}

func TestDiscovery_Bounded(t *testing.T) {
	d := embeddedDiscovery(t)
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i < MaxFindings+10; i++ {
		h.Set("X-H"+strconv.Itoa(i), "v")
	}
	d.Observe("getDatabaseLag", 200, h, []byte(`{}`))
	r := d.Report()
	if len(r.Findings) != MaxFindings || r.Dropped != 10 {
		t.Errorf("%d findings, %d dropped; want %d and 10", len(r.Findings), r.Dropped, MaxFindings)
	}
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	d = embeddedDiscovery(t)
	d.Observe("getDatabase", 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"database":{},"x":`+deep+`}`))
	for _, f := range d.Report().Findings {
		if strings.Count(f.Name, "/") > maxDepth+2 {
			t.Errorf("walked deeper than %d: %s", maxDepth, f.Name)
		}
	}
}

// TestTransport_BodyUnchanged proves the transport hands the body on as it came,
// a large one and one cut short included.
func TestTransport_BodyUnchanged(t *testing.T) {
	v, err := conformance.New()
	if err != nil {
		t.Fatal(err)
	}
	big := `{"lag":"` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name    string
		body    string
		readErr error
	}{
		{"small", `{"lag":0,"x":1}`, nil},
		{"larger than the cap", big, nil},
		{"cut short", `{"lag":`, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := embeddedDiscovery(t)
			next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				var body io.Reader = strings.NewReader(tt.body)
				if tt.readErr != nil {
					body = io.MultiReader(body, failing{tt.readErr})
				}
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(body), Request: r}, nil
			})
			req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/databases/my-db-123/lag", nil)
			resp, err := Transport(v, d, next).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			if string(got) != tt.body || !errors.Is(err, tt.readErr) {
				t.Errorf("body %d bytes, err %v; want %d bytes, err %v", len(got), err, len(tt.body), tt.readErr)
			}
			if r := d.Report(); r.Answers != 1 {
				t.Errorf("%d answers observed, want 1", r.Answers)
			}
		})
	}
}

// TestDiscovery_Concurrent observes from several goroutines, as parallel requests of one
// process do: every answer is counted once.
func TestDiscovery_Concurrent(t *testing.T) {
	d := embeddedDiscovery(t)
	h := http.Header{"Content-Type": {"application/json"}}
	body := []byte(`{"database-users":[{"name":"a","read_only":true,"seen":"x"}]}`)
	const n = 8
	done := make(chan struct{})
	for range n {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				d.Observe("listDatabaseUsers", 200, h, body)
			}
		}()
	}
	for range n {
		<-done
	}
	r := d.Report()
	if r.Answers != n*50 || len(r.Findings) != 1 || r.Findings[0].Count != n*50 {
		t.Errorf("%d answers, findings %v; want %d answers and one finding seen in each", r.Answers, found(r), n*50)
	}
}
