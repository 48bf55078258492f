package harness

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// A link to a host the run does not allow is refused before the validator routes it: the
// error names the host and the setting, never "(no operation) ... request route violation", and
// no violation is reported for a request that never left.
func TestNewHTTPClient_HostBeforeRoute(t *testing.T) {
	_, v := embedded(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("a refused request reached the network")
	}))
	t.Cleanup(srv.Close)
	var reported []*conformance.ViolationError
	cfg := Config{Mode: ModeLive, BasePath: "/", Timeout: DefaultTimeout, AllowWrites: true}
	report := func(ve *conformance.ViolationError, _ *Exchange) { reported = append(reported, ve) }
	c := NewHTTPClient(v, http.DefaultTransport, cfg, "http://127.0.0.1:1/api", nil, ExchangeRecorder{}, report)
	tests := []string{
		srv.URL + "/downloads/archive.tar.gz?token=t", // no operation of the spec
		srv.URL + "/api/databases/my-db-123/backups/b1/download?token=t",
	}
	for _, u := range tests {
		t.Run(u, func(t *testing.T) {
			reported = nil
			resp, err := c.Get(u)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s passed", u)
			}
			var hr *HostRefusedError
			if !errors.As(err, &hr) {
				t.Fatalf("error %v is no *HostRefusedError", err)
			}
			if !strings.Contains(err.Error(), strings.TrimPrefix(srv.URL, "http://")) || strings.Contains(err.Error(), "route") {
				t.Errorf("error %q does not name the host, or speaks of routes", err)
			}
			if len(reported) != 0 {
				t.Errorf("violations reported for a refused request: %v", reported)
			}
		})
	}
}
