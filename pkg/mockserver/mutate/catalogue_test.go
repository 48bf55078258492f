package mutate_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/mutate"
)

// mutationCall is the request that shows a mutation: method, path (relative to the base URL, or
// "archive" for the download URL of a done backup), body and headers.
type mutationCall struct {
	method, path string
	body         any
	header       []string
	before       []mutationCall // calls that make what the call names exist
}

var mutationCalls = map[string]mutationCall{
	"listDatabaseUsers":          {method: http.MethodGet, path: "/databases/my-db-123/users"},
	"listBackups":                {method: http.MethodGet, path: "/databases/my-db-123/backups"},
	"getDatabase":                {method: http.MethodGet, path: "/databases/my-db-123"},
	"deleteDatabaseUser":         {method: http.MethodDelete, path: "/databases/my-db-123/users/metabase"},
	"getBackup":                  {method: http.MethodGet, path: "/backups/5b8b36104ffb090be1ac3ce1"},
	"getBackupArchive":           {method: http.MethodGet, path: "/databases/my-db-123/backups/5b8b36104ffb090be1ac3ce1/archive"},
	"createDatabaseUser":         {method: http.MethodPost, path: "/databases/my-db-123/users", body: map[string]any{"database_user": map[string]any{"name": "new-user"}}},
	"getDatabaseInstancesStatus": {method: http.MethodGet, path: "/databases/my-db-123/instances_status"},
	"listMaintenances":           {method: http.MethodGet, path: "/databases/my-db-123/maintenance"},
	"enableDatabaseFeature":      {method: http.MethodPost, path: "/databases/my-mysql-123/features", body: map[string]any{"feature": map[string]any{"name": "force-ssl"}}},
	"downloadBackup":             {method: http.MethodGet, path: "archive", header: []string{"Range", "bytes=0-99"}},
}

// Some mutations only show on an error answer.
var mutationCallOverrides = map[string]mutationCall{
	"wrong-error-shape":       {method: http.MethodGet, path: "/backups/does-not-exist"},
	"empty-validation-errors": {method: http.MethodPost, path: "/databases/my-db-123/users", body: map[string]any{"database_user": map[string]any{"name": "Bad Name!"}}},
}

// rawCall sends a request over its own TCP connection and reads the answer as it is on the wire,
// body included even on a 204 (which net/http's client drops).
func rawCall(t *testing.T, req *http.Request) (status int, header http.Header, body []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req.Close = true
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if len(body) == 0 && resp.ContentLength <= 0 {
		rest, _ := io.ReadAll(br) // a body after a 204 stays on the wire
		body = rest
	}
	return resp.StatusCode, resp.Header, body
}

// callFor builds the request of call against the mock at base.
func callFor(t *testing.T, base string, call mutationCall) *http.Request {
	t.Helper()
	url := base + call.path
	if call.path == "archive" {
		url = archiveURL(t, base, "my-db-123", "5b8b36104ffb090be1ac3ce1")
	}
	var body io.Reader
	if call.body != nil {
		data, _ := json.Marshal(call.body)
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(call.method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if call.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+mockserver.DefaultToken)
	for i := 0; i+1 < len(call.header); i += 2 {
		req.Header.Set(call.header[i], call.header[i+1])
	}
	return req
}

// TestMutations proves each breach of the catalogue breaks the spec: the validator rejects the
// mutated answer, and accepts the same call's answer without the mutation. Each addition keeps
// the spec and plants its sentinel, which the answer without the mutation does not carry.
func TestMutations(t *testing.T) {
	v, err := validator()
	if err != nil {
		t.Fatalf("conformance.New: %v", err)
	}
	muts := mutate.Catalogue()
	if len(muts) < 25 {
		t.Errorf("%d mutations, want at least 25", len(muts))
	}
	for i := 1; i < len(muts); i++ {
		if muts[i-1].Name >= muts[i].Name {
			t.Errorf("catalogue not sorted: %s before %s", muts[i-1].Name, muts[i].Name)
		}
	}
	for _, m := range muts {
		t.Run(m.Name, func(t *testing.T) {
			call, ok := mutationCallOverrides[m.Name]
			if !ok {
				call, ok = mutationCalls[m.OperationID]
			}
			if !ok {
				t.Fatalf("no call for operation %s", m.OperationID)
			}
			for _, mutated := range []bool{false, true} {
				var opts []mockserver.Option
				if mutated {
					opts = append(opts, mockserver.WithMutations(m.Name))
				}
				_, base := start(t, opts...)
				made := ""
				for _, b := range call.before {
					_, _, body := rawCall(t, callFor(t, base, b))
					if m := firstID.FindSubmatch(body); m != nil {
						made = string(m[1])
					}
				}
				call := call
				call.path = strings.ReplaceAll(call.path, "{id}", made)
				req := callFor(t, base, call)
				status, header, body := rawCall(t, req)
				err := v.ValidateResponse(req, status, header, body)
				var ve *conformance.ViolationError
				planted := strings.Contains(string(body)+fmt.Sprint(header), mutate.Sentinel) ||
					strings.Contains(string(body), strconv.Itoa(mutate.SentinelNumber))
				switch {
				case m.Kind != mutate.Breach && m.Kind != mutate.Addition:
					t.Errorf("kind %q", m.Kind)
				case m.Kind == mutate.Addition && err != nil:
					t.Errorf("answer (mutated %t) fails validation: %v", mutated, err)
				case m.Kind == mutate.Addition && planted != mutated:
					t.Errorf("sentinel in the answer: %t, want %t: %d %v %s", planted, mutated, status, header, shorten(body))
				case m.Kind == mutate.Addition:
				case mutated && !errors.As(err, &ve):
					t.Errorf("mutated answer passes validation (err %v): %d %s", err, status, shorten(body))
				case !mutated && err != nil:
					t.Errorf("answer without the mutation fails validation: %v", err)
				}
			}
		})
	}
}

// firstID finds the first "id" member of a JSON answer.
var firstID = regexp.MustCompile(`"id":"([^"]+)"`)

func shorten(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

func TestMutations_DoNotChangeState(t *testing.T) {
	s, base := start(t, mockserver.WithMutations("create-user-missing-password", "body-on-204"))
	create := mutationCall{method: http.MethodPost, path: "/databases/my-db-123/users",
		body: map[string]any{"database_user": map[string]any{"name": "mutant-user"}}}
	status, _, body := rawCall(t, callFor(t, base, create))
	if status != http.StatusCreated || strings.Contains(string(body), `"password":`) {
		t.Fatalf("mutated create: %d %s", status, body)
	}
	found := false
	for _, u := range s.Users("my-db-123") {
		found = found || u.Name == "mutant-user"
	}
	if !found {
		t.Error("the mutated create did not create the user")
	}
}

// validator is built once for the whole test binary: conformance.New is expensive.
var validator = sync.OnceValues(func() (*conformance.Validator, error) { return conformance.New() })

// t0 is the mock's clock in every test.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// start runs a demo-seeded mock on a manual clock and returns it with its base URL; answers that
// break the spec without a mutation fail the test.
func start(t testing.TB, opts ...mockserver.Option) (*mockserver.Server, string) {
	t.Helper()
	v, err := validator()
	if err != nil {
		t.Fatalf("conformance.New: %v", err)
	}
	return mockserver.Start(t, append([]mockserver.Option{mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithClock(mockserver.NewManualClock(t0)), mockserver.WithValidator(v)}, opts...)...)
}

// archiveURL returns the pre-signed download URL of a backup.
func archiveURL(t *testing.T, base, db, id string) string {
	t.Helper()
	status, _, body := rawCall(t, callFor(t, base, mutationCall{method: http.MethodGet, path: "/databases/" + db + "/backups/" + id + "/archive"}))
	var m struct {
		DownloadURL string `json:"download_url"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &m) != nil {
		t.Fatalf("archive link: %d %s", status, body)
	}
	if !strings.HasPrefix(m.DownloadURL, base+"/databases/"+db+"/backups/"+id+"/download?token=") {
		t.Fatalf("download_url %q is not on the mock (%s)", m.DownloadURL, base)
	}
	return m.DownloadURL
}
