package backupsync

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// ManifestName is the name of the manifest in the folder of each database.
const ManifestName = "manifest.json"

// ManifestFormat is the format version a manifest carries.
const ManifestFormat = 1

// maxManifestBytes bounds what is read of a manifest: 16 MiB holds some
// 50,000 entries.
const maxManifestBytes = 16 << 20

// Manifest lists the copies of one database's backups that this tool made
// and checked: the only objects it will ever prune. It is written after the
// objects it lists, atomically (a blob writer commits on Close; a folder's
// manifest is a synced temporary file renamed over the old one).
type Manifest struct {
	// Format is ManifestFormat.
	Format int `json:"format"`
	// DatabaseID is the database whose backups these are.
	DatabaseID string `json:"database_id"`
	// UpdatedAt is when the manifest was written.
	UpdatedAt time.Time `json:"updated_at"`
	// Backups are the copies, oldest first.
	Backups []Entry `json:"backups"`
}

// Entry is one copied backup.
type Entry struct {
	// ID is the backup's ID.
	ID string `json:"id"`
	// Name is the backup's name on the API.
	Name string `json:"name"`
	// CreatedAt is when the backup was made.
	CreatedAt time.Time `json:"created_at"`
	// Size is the archive's size in bytes.
	Size int64 `json:"size"`
	// SHA256 is the hex SHA-256 of the archive, computed as it was copied.
	SHA256 string `json:"sha256"`
	// ETag is the destination's ETag of the object once written (it
	// changes if the object is replaced).
	ETag string `json:"etag,omitempty"`
	// Key is the object's name, relative to the database's folder.
	Key string `json:"key"`
	// CopiedAt is when the copy was complete.
	CopiedAt time.Time `json:"copied_at"`
	// ToolVersion is the version of the tool that made the copy.
	ToolVersion string `json:"tool_version"`
}

// ManifestError is a manifest that cannot be used: unreadable JSON, another
// format, another database, or entries that break the layout. Sync refuses
// to touch such a database (it would not know what it may prune).
type ManifestError struct {
	// Key is the manifest's key in the destination.
	Key string
	// Reason says what is wrong.
	Reason string
}

func (e *ManifestError) Error() string {
	return fmt.Sprintf("backupsync: manifest %s: %s", e.Key, e.Reason)
}

// decodeManifest reads a manifest and checks it: every entry names a key
// of the layout, under the database's folder, once.
func decodeManifest(key, databaseID string, data []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &ManifestError{Key: key, Reason: "not JSON of a manifest: " + err.Error()}
	}
	if m.Format != ManifestFormat {
		return nil, &ManifestError{Key: key, Reason: fmt.Sprintf("format %d, this tool reads %d", m.Format, ManifestFormat)}
	}
	if m.DatabaseID != databaseID {
		return nil, &ManifestError{Key: key, Reason: fmt.Sprintf("lists database %q, not %q", m.DatabaseID, databaseID)}
	}
	seen := map[string]bool{}
	for _, e := range m.Backups {
		if err := checkID(e.ID); err != nil || e.Key != objectName(e.CreatedAt, e.ID, e.Name) {
			return nil, &ManifestError{Key: key, Reason: fmt.Sprintf("entry %q does not follow the layout", e.Key)}
		}
		if seen[e.ID] || e.Size < 0 || len(e.SHA256) != 64 {
			return nil, &ManifestError{Key: key, Reason: fmt.Sprintf("entry %q is listed twice or has no size or sha256", e.Key)}
		}
		seen[e.ID] = true
	}
	return &m, nil
}

// encode returns the manifest's JSON, its entries oldest first.
func (m *Manifest) encode() ([]byte, error) {
	sort.SliceStable(m.Backups, func(i, j int) bool {
		if !m.Backups[i].CreatedAt.Equal(m.Backups[j].CreatedAt) {
			return m.Backups[i].CreatedAt.Before(m.Backups[j].CreatedAt)
		}
		return m.Backups[i].ID < m.Backups[j].ID
	})
	if m.Backups == nil {
		m.Backups = []Entry{}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	return append(data, '\n'), err
}

// entry returns the entry of a backup, or nil.
func (m *Manifest) entry(id string) *Entry {
	for i := range m.Backups {
		if m.Backups[i].ID == id {
			return &m.Backups[i]
		}
	}
	return nil
}

// put adds or replaces the entry of e.ID.
func (m *Manifest) put(e Entry) {
	if old := m.entry(e.ID); old != nil {
		*old = e
		return
	}
	m.Backups = append(m.Backups, e)
}

// remove drops the entry of id.
func (m *Manifest) remove(id string) {
	for i := range m.Backups {
		if m.Backups[i].ID == id {
			m.Backups = append(m.Backups[:i], m.Backups[i+1:]...)
			return
		}
	}
}

// objectName is the name of a backup's object in its database's folder:
// its creation time in UTC, its ID and the extension of its name, such as
// 20261205T031500Z_5bd5c2f04ffb090be1ac3c9b.tar.gz.
func objectName(created time.Time, id, name string) string {
	return created.UTC().Format("20060102T150405Z") + "_" + id + "." + extension(name)
}

// extension is the archive extension of a backup's name: tar.gz unless
// the name ends in .tgz, .gz, .zst or .tar.
func extension(name string) string {
	n := strings.ToLower(name)
	for _, ext := range []string{"tar.gz", "tgz", "tar.zst", "zst", "gz", "tar"} {
		if strings.HasSuffix(n, "."+ext) {
			return ext
		}
	}
	return "tar.gz"
}

// checkID refuses an ID that cannot be a path segment of the layout.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\\") ||
		strings.IndexFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 || len(id) > 200 {
		return &scalingodb.InvalidInputError{Field: "id", Reason: "an ID of the layout is a non-empty path segment without / or control characters"}
	}
	return nil
}

// joinKey joins the prefix, the database and a name.
func joinKey(prefix, databaseID, name string) string {
	if prefix == "" {
		return path.Join(databaseID, name)
	}
	return path.Join(prefix, databaseID, name)
}
