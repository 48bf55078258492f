package harness

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Answers of listBackups: the whole one lists two backups; the cut one that happens to be valid
// JSON, one.
const (
	oneBackup  = `{"database_backups":[{"id":"b1","name":"n1","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"}]}`
	twoBackups = `{"database_backups":[{"id":"b1","name":"n1","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"},{"id":"b2","name":"n2","status":"done","database_id":"db","created_at":"2026-01-03T03:04:05Z"}]}`
)

// CutFramings are the ends of the header of a listBackups answer cut short, and the body bytes
// that come before the connection closes: after part of its Content-Length, or before the last
// chunk of a chunked body; the bytes that came are valid JSON that keeps the spec, or not.
var cutFramings = []struct{ name, framing string }{
	{"Content-Length cut, the bytes that came are valid JSON", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(twoBackups), oneBackup)},
	{"Content-Length cut, the bytes that came are not JSON", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(twoBackups), twoBackups[:61])},
	{"chunked cut, the bytes that came are valid JSON", fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(oneBackup), oneBackup)},
	{"chunked cut, the bytes that came are not JSON", fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", 61, twoBackups[:61])},
}

// A cut answer through the suite's validating transport is a broken connection: RequestFailure
// makes it an *UnreachableError (exit code 4) that names the operation and says the connection
// broke, and the transport reports no violation. Before the fix, a cut that was valid JSON passed
// and one that was not was a contract violation (exit code 1).
func TestRequestFailure_CutAnswer(t *testing.T) {
	_, v := embedded(t)
	const timeout = 5 * time.Second
	const path = "/api/databases/my-db-123/backups"
	for _, tt := range cutFramings {
		t.Run(tt.name, func(t *testing.T) {
			base := rawServer(t, cutAnswer(tt.framing))
			var reported []*conformance.ViolationError
			rt := v.Transport(IdleTimeout(timeout, &http.Transport{}), conformance.OnTransportViolation(func(ve *conformance.ViolationError) {
				reported = append(reported, ve)
			}))
			resp, err := (&http.Client{Transport: BodilessCheck(v, rt, nil)}).Get(base + path + "?token=s3cret")
			if err == nil {
				_ = resp.Body.Close()
				t.Fatal("a cut answer passed as whole")
			}
			checkUnreachable(t, RequestFailure(v, err, timeout), "listBackups GET "+base+path+": the connection broke: response body cut short")
			if len(reported) != 0 {
				t.Errorf("%d violations reported for a cut answer, want none", len(reported))
			}
		})
	}
}

// A *conformance.TruncatedBodyError that no *url.Error carries (a body cut while a spec reads it)
// is an *UnreachableError too, named by its own operation and request.
func TestRequestFailure_TruncatedBodyError(t *testing.T) {
	te := &conformance.TruncatedBodyError{In: "response", OperationID: "listBackups", Method: "GET",
		Path: "/api/databases/my-db-123/backups", Status: 200, Read: 61, Announced: 78}
	got := RequestFailure(nil, fmt.Errorf("read: %w", te), time.Second)
	want := "listBackups GET /api/databases/my-db-123/backups: the connection broke: response body cut short: 61 of the 78 bytes of its Content-Length came"
	checkUnreachable(t, got, want)
	if got.Error() != want {
		t.Errorf("message %q, want %q", got.Error(), want)
	}
}
