package cli

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
)

// runTool runs the tool in process with args and the environment vars
// (nothing else), and returns its exit code, stdout and stderr.
func runTool(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return vars[k] }}
	code := Run(context.Background(), args, io)
	return code, out.String(), errOut.String()
}

// TestCommandTree_RefusesUnknownWords walks the whole command tree: a
// group given an unknown word and a leaf given words past its arguments
// fail with exit code 2, say so on stderr, and print nothing on stdout.
func TestCommandTree_RefusesUnknownWords(t *testing.T) {
	// No token: a command that took the words would fail on the settings,
	// never reach a server (and the URL is a closed port anyway).
	vars := map[string]string{env.APIURL: "http://127.0.0.1:1", env.Database: "my-db-123"}
	root := NewRootForDocs()
	root.InitDefaultHelpCmd()
	var commands, accepted int
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if strings.HasPrefix(c.Name(), "__") {
			return // cobra's own completion requests
		}
		commands++
		var args []string
		var want string
		switch {
		case c.Name() == "help":
			// its words name a command
			args = append(slices.Clone(path), "zzunknown")
			want = `unknown command "zzunknown" for "scalingodb"`
		case c.HasSubCommands():
			args = append(slices.Clone(path), "zzunknown")
			want = `unknown command "zzunknown" for "` + c.CommandPath() + `"`
		default:
			args = slices.Clone(path)
			if len(c.ValidArgs) > 0 {
				args = append(args, c.ValidArgs[0])
			}
			for range 6 {
				args = append(args, "zzextra")
			}
			want = `unexpected argument "zzextra" for "` + c.CommandPath() + `"`
		}
		code, stdout, stderr := runTool(t, vars, args...)
		if code != exit.Usage || !strings.Contains(stderr, want) || stdout != "" {
			accepted++
			t.Errorf("scalingodb %s: exit code %d, stdout %q, stderr %q; want exit code 2, %s on stderr only",
				strings.Join(args, " "), code, stdout, stderr, want)
		}
		for _, sub := range c.Commands() {
			walk(sub, append(slices.Clone(path), sub.Name()))
		}
	}
	walk(root, nil)
	t.Logf("%d commands, %d accept an unknown word", commands, accepted)
	if commands < 50 {
		t.Errorf("walked %d commands only", commands)
	}
}

// TestEnvironment_Documented fails when a variable of package env is
// missing from `scalingodb --help`, or when a package of the tool reads a
// variable by a literal name rather than through package env.
func TestEnvironment_Documented(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	code, help, _ := runTool(t, nil, "--help")
	if code != 0 {
		t.Fatalf("--help: exit code %d", code)
	}
	var names []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "env" {
			names = append(names, constValues(f)...)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Getenv" {
				if _, ok := call.Args[0].(*ast.BasicLit); ok {
					t.Errorf("%s: Getenv with a literal name: declare the variable in package env and document it", fset.Position(call.Pos()))
				}
			}
			return true
		})
	}
	if len(names) < 10 {
		t.Fatalf("found %d variables only: %q", len(names), names)
	}
	for _, v := range names {
		if !regexp.MustCompile(`\b` + v + `\b`).MatchString(help) {
			t.Errorf("%s is read but not in --help", v)
		}
	}
}

// constValues returns the string constants that f declares.
func constValues(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		gen, ok := d.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, s)
				}
			}
		}
	}
	return out
}
