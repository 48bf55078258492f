package jsonfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type sample struct {
	Name  string         `json:"name"`
	Count int            `json:"count"`
	Types map[string]int `json:"types,omitempty"`
}

// What Write writes, Read reads back, and the file is indented JSON that ends with a newline.
func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	in := sample{Name: "X-A", Count: 2, Types: map[string]int{"string": 2}}
	if err := Write(path, in); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"name\": \"X-A\",\n  \"count\": 2,\n  \"types\": {\n    \"string\": 2\n  }\n}\n"; string(raw) != want {
		t.Errorf("file %q, want %q", raw, want)
	}
	out, err := Read[sample](path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// A file that is missing, not JSON, or JSON of another shape is an error naming the file; a
// value JSON cannot hold is not written.
func TestRead_Errors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		wantNamed     bool
	}{
		{"missing", "", false},
		{"not JSON", "{", true},
		{"another shape", `{"count":"two"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".json")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Read[sample](path)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tt.wantNamed && !strings.Contains(err.Error(), path):
				t.Errorf("error %q does not name the file", err)
			case !tt.wantNamed && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("error %v, want one that is fs.ErrNotExist", err)
			}
		})
	}
	path := filepath.Join(dir, "bad.json")
	if err := Write(path, map[string]any{"f": func() {}}); err == nil {
		t.Error("a func was written as JSON")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed Write left a file: %v", err)
	}
}
