package scalingodb

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// apiLine matches the operation line of a method's doc comment.
var apiLine = regexp.MustCompile(`(?m)^API: (GET|POST|PUT|PATCH|DELETE) (\S+) \((\w+)\)$`)

// documentedOperations reads the "API: METHOD /path (operationId)" lines of
// the doc comments of the exported methods in the given files.
func documentedOperations(t *testing.T, files []string) map[string]string {
	t.Helper()
	ops := map[string]string{}
	for _, f := range parseFiles(t, token.NewFileSet(), files, parser.ParseComments) {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Doc == nil || !fn.Name.IsExported() {
				continue
			}
			for _, m := range apiLine.FindAllStringSubmatch(fn.Doc.Text(), -1) {
				ops[m[3]] = m[1] + " " + m[2]
			}
		}
	}
	return ops
}

// specOperations returns the route ("GET /path") of every operation of
// the spec by ID, read from the operation table, which the tests of
// internal/apicall compare with the spec route for route.
func specOperations(t *testing.T) map[string]string {
	t.Helper()
	ops := map[string]string{}
	for _, o := range apicall.Table {
		ops[o.ID] = o.Method + " " + o.Path
	}
	return ops
}

func missingOperations(spec, documented map[string]string) []string {
	var missing []string
	for id, route := range spec {
		if documented[id] != route {
			missing = append(missing, id+" ("+route+")")
		}
	}
	sort.Strings(missing)
	return missing
}

func TestEveryOperationHasAMethod(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			src = append(src, f)
		}
	}
	spec := specOperations(t)
	if len(spec) != 44 {
		t.Errorf("the spec has %d operations, want 44", len(spec))
	}
	documented := documentedOperations(t, src)
	if missing := missingOperations(spec, documented); len(missing) > 0 {
		t.Errorf("operations without a method (or with a wrong route in the doc comment): %v", missing)
	}
	for id := range documented {
		if _, ok := spec[id]; !ok {
			t.Errorf("doc comment names %q, which the spec does not have", id)
		}
	}
}

// TestEveryOperationHasAMethod_FailsOnGap proves the check catches a
// method that is missing or names a wrong route.
func TestEveryOperationHasAMethod_FailsOnGap(t *testing.T) {
	dir := t.TempDir()
	src := `package x

type S struct{}

// Get does it.
//
// API: GET /databases/{database_id} (getDatabase)
func (S) Get() {}

// Wrong names the wrong route.
//
// API: GET /databases/{database_id}/userz (listDatabaseUsers)
func (S) Wrong() {}
`
	name := filepath.Join(dir, "x.go")
	if err := os.WriteFile(name, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := specOperations(t)
	missing := missingOperations(spec, documentedOperations(t, []string{name}))
	if len(missing) != len(spec)-1 {
		t.Fatalf("got %d missing operations, want %d", len(missing), len(spec)-1)
	}
	for _, m := range missing {
		if strings.HasPrefix(m, "getDatabase ") {
			t.Errorf("getDatabase is documented but reported missing")
		}
	}
}
