package report

import (
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Records redacts what an exchange holds: the tokens the run knows, a password in a body, the
// userinfo of a URL, a pre-signed token.
func TestRecords_RedactExchange(t *testing.T) {
	r := &harness.Redactor{}
	r.Add("main-token-123")
	x := &harness.Exchange{
		Method: "GET", URL: "https://h/api/backups/b/download?token=presigned-abc",
		RequestBody: `{"database_user":{"password":"chosen-pass"}}`,
		Header:      []harness.HeaderLine{{Name: "X-Echo", Value: "Bearer main-token-123"}},
		Body:        `{"database_user":{"password" : "s3\"cret","url":"postgres://u:hunter2@db:5432/x"},"token":"main-token-123"}`,
	}
	e := &conformance.ViolationError{Violations: []*conformance.Violation{{OperationID: "op", Status: 200, Kind: conformance.KindSchema}}}
	recs := Records("spec", e, x, r)
	if len(recs) != 1 || recs[0].Exchange == nil {
		t.Fatalf("records %+v", recs)
	}
	b, _ := jsonString(recs[0].Exchange)
	for _, secret := range []string{"main-token-123", "presigned-abc", "chosen-pass", `s3\"cret`, "hunter2"} {
		if strings.Contains(b, secret) {
			t.Errorf("the record keeps %q: %s", secret, b)
		}
	}
	for _, kept := range []string{"postgres://u:[redacted]@db:5432/x", `"password" : "[redacted]"`, "token=[redacted]"} {
		if !strings.Contains(recs[0].Exchange.Body+recs[0].Exchange.URL, kept) {
			t.Errorf("the record does not show %q: %s", kept, b)
		}
	}
	if x.Body == recs[0].Exchange.Body {
		t.Error("Records changed the exchange it was given instead of a copy")
	}
}
