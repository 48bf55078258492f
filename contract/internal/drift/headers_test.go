package drift

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// TestDiscovery_ResponseHeadersExtension: the headers the spec's
// x-response-headers names are documented on every answer; without the
// extension the same answer reports them, and a header it does not name is
// reported either way.
func TestDiscovery_ResponseHeadersExtension(t *testing.T) {
	header := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"mock-7"},
		"Www-Authenticate": {`Bearer realm="dbapi"`}, "X-Trace": {"abc"}}
	const in = "#/components/responses/Unauthorized"
	tests := []struct {
		name      string
		extension bool
		want      []string
	}{
		{"with the extension", true, []string{"listBackups 401 header X-Trace string 1× " + in}},
		{"without it", false, []string{
			"listBackups 401 header WWW-Authenticate string 1× " + in,
			"listBackups 401 header X-Request-Id string 1× " + in,
			"listBackups 401 header X-Trace string 1× " + in,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := dbapispec.GetSpec()
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := doc.Extensions[ResponseHeadersExtension]; !ok {
				t.Fatalf("the spec has no %s", ResponseHeadersExtension)
			}
			if !tt.extension {
				delete(doc.Extensions, ResponseHeadersExtension)
			}
			d, err := NewDiscovery(doc)
			if err != nil {
				t.Fatal(err)
			}
			d.Observe("listBackups", http.StatusUnauthorized, header, []byte(`{"error":"unauthorized"}`))
			if diff := cmp.Diff(tt.want, found(d.Report())); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
