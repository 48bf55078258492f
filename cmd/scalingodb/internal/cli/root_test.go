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
)

// runTool runs the tool in process with args and the environment env
// (nothing else), and returns its exit code, stdout and stderr.
func runTool(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return env[k] }}
	code := Run(context.Background(), args, io)
	return code, out.String(), errOut.String()
}

// TestCommandTree_RefusesUnknownWords walks the whole command tree: a
// group given an unknown word and a leaf given words past its arguments
// fail with exit code 2, say so on stderr, and print nothing on stdout.
func TestCommandTree_RefusesUnknownWords(t *testing.T) {
	// No token: a command that took the words would fail on the settings,
	// never reach a server (and the URL is a closed port anyway).
	env := map[string]string{envAPIURL: "http://127.0.0.1:1", envDatabase: "my-db-123"}
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
		code, stdout, stderr := runTool(t, env, args...)
		if code != ExitUsage || !strings.Contains(stderr, want) || stdout != "" {
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

// TestEnvironment_Documented fails when a variable the package reads (an
// env… constant) is missing from `scalingodb --help`, or when a variable
// is read by a literal name rather than through such a constant.
func TestEnvironment_Documented(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
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
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if strings.HasPrefix(id.Name, "env") && i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							v, _ := strconv.Unquote(lit.Value)
							names = append(names, v)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Getenv" && len(n.Args) == 1 {
					if _, ok := n.Args[0].(*ast.BasicLit); ok {
						t.Errorf("%s: Getenv with a literal name: declare an env constant and document it", fset.Position(n.Pos()))
					}
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

// TestStatus_Timestamps checks that status lines start with an RFC 3339
// timestamp when stderr is not a terminal, and are bare on a terminal.
func TestStatus_Timestamps(t *testing.T) {
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) backup b1: running\n$`)
	for _, tty := range []bool{false, true} {
		var errOut bytes.Buffer
		a := &app{io: &IO{Err: &errOut, ErrTTY: tty}}
		a.status("backup %s: %s", "b1", "running")
		got := errOut.String()
		if tty && got != "backup b1: running\n" {
			t.Errorf("on a terminal: %q", got)
		}
		if !tty && !stamp.MatchString(got) {
			t.Errorf("without a terminal: %q has no RFC 3339 timestamp", got)
		}
	}
}

// TestColor_Precedence checks --no-color against NO_COLOR: the flag,
// given either way, wins over the variable, which wins over the default
// (colour), as no-color.org asks of command-line arguments.
func TestColor_Precedence(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", true},
		{nil, "1", false},
		{[]string{"--no-color"}, "", false},
		{[]string{"--no-color=false"}, "1", true},
		{[]string{"--no-color=true"}, "1", false},
	} {
		a := &app{io: &IO{Getenv: func(k string) string {
			if k == envNoColor {
				return tc.env
			}
			return ""
		}}}
		root := newRoot(a)
		if err := root.PersistentFlags().Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := a.color(); got != tc.want {
			t.Errorf("%q with NO_COLOR=%q: colour %v, want %v", tc.args, tc.env, got, tc.want)
		}
	}
}
