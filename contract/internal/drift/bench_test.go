package drift

import (
	"net/http"
	"testing"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// BenchmarkNewDiscovery is what drift discovery adds to the start of a run: loading the
// embedded spec and indexing its responses.
func BenchmarkNewDiscovery(b *testing.B) {
	for b.Loop() {
		doc, err := dbapispec.GetSpec()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewDiscovery(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiscovery_Observe is what drift discovery adds to one answer: a list of two users
// with one undocumented member each.
func BenchmarkDiscovery_Observe(b *testing.B) {
	d := embeddedDiscovery(b)
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r"}}
	body := []byte(`{"database-users":[{"name":"a","read_only":true,"seen":"x"},{"name":"b","read_only":false,"seen":"y"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		d.Observe("listDatabaseUsers", 200, h, body)
	}
}
