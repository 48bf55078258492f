package mockserver

import (
	"maps"
	"net/url"
	"path"
	"slices"
	"testing"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// TestLinks_MatchSpecExamples compares the spec's examples of links with the links the mock
// builds from the same base URL: the upgrade's Location (ending with the operation_id of its
// body) and the download_url of getBackupArchive (with its token query parameter). A reader of
// the reference who follows an example lands where a client of the API does.
func TestLinks_MatchSpecExamples(t *testing.T) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	example := func(name, field string) string {
		t.Helper()
		ex := doc.Components.Examples[name]
		if ex == nil || ex.Value == nil {
			t.Fatalf("no example %s", name)
		}
		m, _ := ex.Value.Value.(map[string]any)
		s, _ := m[field].(string)
		if s == "" {
			t.Fatalf("example %s has no %s", name, field)
		}
		return s
	}
	upgrade := doc.Paths.Find("/databases/{database_id}/upgrade").Post.Responses.Status(202).Value
	locExample, _ := upgrade.Headers["Location"].Value.Example.(string)
	if locExample == "" {
		t.Fatal("the upgrade's Location has no example")
	}

	tests := []struct {
		name    string
		example string // the spec's link
		exLast  string // the last path segment the example must end with ("" to compare whole paths)
		request func(c *client) (link, last string)
	}{
		{
			name:    "upgradeDatabase Location",
			example: locExample,
			exLast:  example("UpgradeAccepted", "operation_id"),
			request: func(c *client) (string, string) {
				r := c.do("POST", "/databases/my-db-123/upgrade", nil)
				m := expect(c.t, r, 202)
				id, _ := m["operation_id"].(string)
				return r.header.Get("Location"), id
			},
		},
		{
			name:    "getBackupArchive download_url",
			example: example("BackupArchive", "download_url"),
			request: func(c *client) (string, string) {
				m := expect(c.t, c.do("GET", "/databases/my-db-123/backups/"+DemoBackupID+"/archive", nil), 200)
				s, _ := m["download_url"].(string)
				return s, ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := url.Parse(tt.example)
			if err != nil {
				t.Fatalf("example %q: %v", tt.example, err)
			}
			_, c, _ := start(t, WithPublicURL(ex.Scheme+"://"+ex.Host+"/api"))
			link, last := tt.request(c)
			got, err := url.Parse(link)
			if err != nil {
				t.Fatalf("link %q: %v", link, err)
			}
			exPath, gotPath := ex.Path, got.Path
			if tt.exLast != "" {
				if path.Base(ex.Path) != tt.exLast {
					t.Errorf("example %s ends with %s, not with the operation_id %s of the example body", tt.example, path.Base(ex.Path), tt.exLast)
				}
				if path.Base(got.Path) != last {
					t.Errorf("link %s ends with %s, not with the operation_id %s of the body", link, path.Base(got.Path), last)
				}
				exPath, gotPath = path.Dir(ex.Path), path.Dir(got.Path)
			}
			if got.Scheme != ex.Scheme || got.Host != ex.Host || gotPath != exPath {
				t.Errorf("the mock links to %s, the spec's example to %s", link, tt.example)
			}
			exKeys, gotKeys := slices.Sorted(maps.Keys(ex.Query())), slices.Sorted(maps.Keys(got.Query()))
			if !slices.Equal(exKeys, gotKeys) {
				t.Errorf("query parameters: the mock's %v, the example's %v", gotKeys, exKeys)
			}
		})
	}
}
