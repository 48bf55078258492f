package drift

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/overlaytest"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/mutate"
)

// driftRun is what a discovery over the mock found, and the files written from it.
type driftRun struct {
	report Report
	files  map[string]string // name → content
}

// additionNames are every addition of the catalogue.
func additionNames() []string {
	var out []string
	for _, m := range mutate.Catalogue() {
		if m.Kind == mutate.Addition {
			out = append(out, m.Name)
		}
	}
	return out
}

// discoverMock runs a fixed set of calls against a mock with mutations, through
// Transport over d, and renders drift.json, the overlay, the lines the summary and stdout
// show, and the HTML section.
func discoverMock(t *testing.T, v *conformance.Validator, d *Discovery, mutations ...string) driftRun {
	t.Helper()
	_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()), mockserver.WithMutations(mutations...),
		mockserver.WithValidator(v))
	client := &http.Client{Transport: Transport(v, d, http.DefaultTransport)}
	calls := []struct{ path, token string }{
		{"/databases/my-db-123", mockserver.DefaultToken},
		{"/databases/my-db-123/backups", mockserver.DefaultToken},
		{"/databases/my-db-123/users", mockserver.DefaultToken},
		{"/backups/" + mockserver.DemoBackupID, mockserver.DefaultToken},
		{"/databases/my-db-123/backups/" + mockserver.DemoBackupID + "/archive", mockserver.DefaultToken},
		{"/databases/my-db-123/maintenance", mockserver.DefaultToken},
		{"/databases/my-db-123/instances_status", mockserver.DefaultToken},
		{"/databases/my-db-123/users", ""}, // 401
	}
	for _, c := range calls {
		req, err := http.NewRequest(http.MethodGet, base+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", c.path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	r := d.Report()
	dir := t.TempDir()
	if err := Write(filepath.Join(dir, "drift.json"), r); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "drift.json"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	return driftRun{report: r, files: map[string]string{
		"drift.json": string(js), "drift-overlay.yaml": string(r.Overlay()), "html": string(page),
		"lines": r.Headline() + "\n" + strings.Join(r.Lines(0), "\n"),
	}}
}

// TestDiscovery_Mock proves every addition of the mutation catalogue, an undocumented status and
// an undocumented media type are found with the right pointer and JSON type, that no planted
// value reaches drift.json, the overlay, the lines or the HTML section, and that the overlay
// applies to openapi.yaml, which then still validates and leaves nothing to discover.
func TestDiscovery_Mock(t *testing.T) {
	muts := append(additionNames(), "undocumented-status", "wrong-content-type")
	if len(muts) < 7 {
		t.Fatalf("the catalogue has %d additions, want 5", len(muts)-2)
	}
	v, err := conformance.New()
	if err != nil {
		t.Fatal(err)
	}
	run := discoverMock(t, v, embeddedDiscovery(t), muts...)
	got := map[string]bool{}
	for _, l := range found(run.report) {
		got[l] = true
	}
	for _, want := range []string{
		"getBackupArchive 200 property /expires_in integer 1× #/components/schemas/BackupArchive",
		"getBackup 200 property /database_backup/storage_type string 1× #/components/schemas/Backup",
		"listDatabaseUsers 200 property /database-users/*/last_login_at string 1× #/components/schemas/DatabaseUser",
		"listMaintenances 200 property /meta/window object 1× #/components/schemas/MaintenancesResponse/properties/meta",
		"listMaintenances 200 property /meta/window/starts_at string 1× ",
		"listMaintenances 200 property /meta/window/enforced boolean 1× ",
		"getDatabaseInstancesStatus 200 header X-Drift-Probe string 1× #/paths/~1databases~1{database_id}~1instances_status/get/responses/200",
		"getDatabase 299 status 299 object 1× #/paths/~1databases~1{database_id}/get/responses",
		"listBackups 200 content-type text/html string 1× #/paths/~1databases~1{database_id}~1backups/get/responses/200",
	} {
		if !got[want] {
			t.Errorf("not found: %s", want)
		}
	}
	if t.Failed() {
		t.Logf("found:\n%s", strings.Join(found(run.report), "\n"))
	}
	for name, content := range run.files {
		if !strings.Contains(content, "X-Drift-Probe") {
			t.Errorf("%s does not name the drift: %.300s", name, content)
		}
		for _, value := range []string{mutate.Sentinel, strconv.Itoa(mutate.SentinelNumber), "my-db-123", mockserver.DemoBackupID} {
			if strings.Contains(content, value) {
				t.Errorf("%s holds the value %q", name, value)
			}
		}
	}

	doc, _, err := overlaytest.Apply(filepath.Join("..", "..", "..", "openapi.yaml"), []byte(run.files["drift-overlay.yaml"]))
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewDiscovery(doc)
	if err != nil {
		t.Fatal(err)
	}
	if rerun := discoverMock(t, v, again, muts...); len(rerun.report.Findings) != 0 {
		t.Errorf("the overlaid spec still leaves drift:\n%s", strings.Join(found(rerun.report), "\n"))
	}
}

// TestApplyOverlay_FailsOnBadOverlay shows the applier check above can fail: an overlay whose
// target selects nothing warns, and one that breaks the spec fails validation.
func TestApplyOverlay_FailsOnBadOverlay(t *testing.T) {
	spec := filepath.Join("..", "..", "..", "openapi.yaml")
	nowhere := Report{Findings: []Finding{{OperationID: "x", Kind: KindHeader, Status: "200", Name: "X-A",
		Types: map[string]int{"string": 1}, Count: 1, In: "#/components/responses/NoSuchResponse"}}}.Overlay()
	if _, _, err := overlaytest.Apply(spec, nowhere); err == nil {
		t.Error("an overlay whose target selects nothing applied without an error")
	}
	broken := Report{Findings: []Finding{{OperationID: "x", Kind: KindProperty, Status: "200", Name: "/a",
		Types: map[string]int{"string": 1}, Count: 1, In: "#/components/schemas/Database"}}}.Overlay()
	if _, _, err := overlaytest.Apply(spec, broken); err != nil {
		t.Fatalf("a good overlay fails: %v", err)
	}
	broken = []byte(strings.Replace(string(broken), "type: string", "type: array", 1)) // an array without items
	if _, _, err := overlaytest.Apply(spec, broken); err == nil {
		t.Error("a spec with an array property without items validates")
	}
}
