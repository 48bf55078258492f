package harness

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	live := map[string]string{
		EnvBaseURL:    "https://db-api.osc-fr1.scalingo.com/api/",
		EnvToken:      "tok",
		EnvDatabaseID: "my-db-123",
	}
	with := func(kv ...string) map[string]string {
		m := maps.Clone(live)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		badVars []string // variables named by the error, in order
	}{
		{
			name: "nothing set runs the mock with writes",
			env:  map[string]string{},
			want: Config{Mode: ModeMock, AllowWrites: true},
		},
		{
			name: "mock with mutations",
			env:  map[string]string{EnvMockMutations: "wrong-type, truncated-json,,"},
			want: Config{Mode: ModeMock, AllowWrites: true, Mutations: []string{"wrong-type", "truncated-json"}},
		},
		{
			name: "live is read-only by default and trims the slash",
			env:  live,
			want: Config{Mode: ModeLive, BaseURL: "https://db-api.osc-fr1.scalingo.com/api", Token: "tok", DatabaseID: "my-db-123"},
		},
		{
			name: "live with writes",
			env:  with(EnvAllowWrites, "1"),
			want: Config{Mode: ModeLive, BaseURL: "https://db-api.osc-fr1.scalingo.com/api", Token: "tok", DatabaseID: "my-db-123", AllowWrites: true},
		},
		{
			name: "live with the token of another database",
			env:  with(EnvForeignToken, " other-tok "),
			want: Config{Mode: ModeLive, BaseURL: "https://db-api.osc-fr1.scalingo.com/api", Token: "tok", DatabaseID: "my-db-123", ForeignToken: "other-tok"},
		},
		{
			name: "the mock ignores a foreign token: it has its own",
			env:  map[string]string{EnvForeignToken: "other-tok"},
			want: Config{Mode: ModeMock, AllowWrites: true},
		},
		{
			name: "a server at its root with DBAPI_BASE_PATH=/",
			env:  with(EnvBaseURL, "http://127.0.0.1:4010/", EnvBasePath, "/"),
			want: Config{Mode: ModeLive, BaseURL: "http://127.0.0.1:4010", BasePath: "/", Token: "tok", DatabaseID: "my-db-123"},
		},
		{
			name:    "a server under /v1",
			env:     with(EnvBaseURL, "https://h.example/v1", EnvBasePath, "v1/"),
			badVars: []string{EnvBasePath},
		},
		{
			name: "a server under /v1, said right",
			env:  with(EnvBaseURL, "https://h.example/v1", EnvBasePath, "/v1/"),
			want: Config{Mode: ModeLive, BaseURL: "https://h.example/v1", BasePath: "/v1", Token: "tok", DatabaseID: "my-db-123"},
		},
		{name: "base path that the URL does not have", env: with(EnvBaseURL, "http://127.0.0.1:4010/api", EnvBasePath, "/"), badVars: []string{EnvBaseURL}},
		{name: "base path against the mock", env: map[string]string{EnvBasePath: "/"}, badVars: []string{EnvBasePath}},
		{
			name: "timeout, download hosts, verbose",
			env:  map[string]string{EnvTimeout: "2.5s", EnvDownloadHosts: " Backups.example.com, 127.0.0.1:9000,,", EnvVerbose: "1", EnvReportsDir: " out "},
			want: Config{Mode: ModeMock, AllowWrites: true, Timeout: 2500 * time.Millisecond, DownloadHosts: []string{"backups.example.com", "127.0.0.1:9000"}, Verbose: true, ReportsDir: "out"},
		},
		{
			name: "timeout in seconds",
			env:  map[string]string{EnvTimeout: "30"},
			want: Config{Mode: ModeMock, AllowWrites: true, Timeout: 30 * time.Second},
		},
		{name: "timeout not a duration", env: map[string]string{EnvTimeout: "soon"}, badVars: []string{EnvTimeout}},
		{name: "timeout not positive", env: map[string]string{EnvTimeout: "-1s"}, badVars: []string{EnvTimeout}},
		{name: "download host with a path", env: map[string]string{EnvDownloadHosts: "h.example/x"}, badVars: []string{EnvDownloadHosts}},
		{name: "verbose not understood", env: map[string]string{EnvVerbose: "yes"}, badVars: []string{EnvVerbose}},
		{name: "fail on drift", env: map[string]string{EnvFailOnDrift: "1"}, want: Config{Mode: ModeMock, AllowWrites: true, FailOnDrift: true}},
		{name: "fail on drift live", env: with(EnvFailOnDrift, "true"),
			want: Config{Mode: ModeLive, BaseURL: "https://db-api.osc-fr1.scalingo.com/api", Token: "tok", DatabaseID: "my-db-123", FailOnDrift: true}},
		{name: "fail on drift off", env: map[string]string{EnvFailOnDrift: "0"}, want: Config{Mode: ModeMock, AllowWrites: true}},
		{name: "fail on drift not understood", env: map[string]string{EnvFailOnDrift: "yes"}, badVars: []string{EnvFailOnDrift}},
		{name: "foreign token is the token itself", env: with(EnvForeignToken, "tok"), badVars: []string{EnvForeignToken}},
		{name: "base URL without /api", env: with(EnvBaseURL, "https://db-api.osc-fr1.scalingo.com"), badVars: []string{EnvBaseURL}},
		{name: "base URL not a URL", env: with(EnvBaseURL, "db-api.osc-fr1.scalingo.com/api"), badVars: []string{EnvBaseURL}},
		{name: "base URL with a query", env: with(EnvBaseURL, "http://127.0.0.1:1/api?x=1"), badVars: []string{EnvBaseURL}},
		{name: "empty token", env: with(EnvToken, " "), badVars: []string{EnvToken}},
		{name: "empty database", env: with(EnvDatabaseID, ""), badVars: []string{EnvDatabaseID}},
		{name: "database with a slash", env: with(EnvDatabaseID, "a/b"), badVars: []string{EnvDatabaseID}},
		{name: "writes flag not understood", env: with(EnvAllowWrites, "yes"), badVars: []string{EnvAllowWrites}},
		{name: "mutations on a live target", env: with(EnvMockMutations, "wrong-type"), badVars: []string{EnvMockMutations}},
		{
			name:    "every problem at once",
			env:     map[string]string{EnvBaseURL: "http://127.0.0.1:8080"},
			badVars: []string{EnvBaseURL, EnvToken, EnvDatabaseID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(env(tt.env))
			if len(tt.badVars) == 0 {
				if err != nil {
					t.Fatalf("FromEnv: %v", err)
				}
				if tt.want.BasePath == "" {
					tt.want.BasePath = "/api"
				}
				if tt.want.Timeout == 0 {
					tt.want.Timeout = DefaultTimeout
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("FromEnv (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("FromEnv = %+v, want an error naming %v", got, tt.badVars)
			}
			var vars []string
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var ce *ConfigError
				if !errors.As(e, &ce) {
					t.Fatalf("error %v is not a *ConfigError", e)
				}
				if !strings.Contains(ce.Error(), "set") {
					t.Errorf("message %q does not say what to set", ce.Error())
				}
				vars = append(vars, ce.Var)
			}
			if diff := cmp.Diff(tt.badVars, vars); diff != "" {
				t.Errorf("variables named (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfig_ResolveReportsDir(t *testing.T) {
	// A go.mod above the folder changes nothing: the reports go under the folder the suite
	// runs from, never next to the module's sources (which may be the module cache).
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		dir  string
		want string
	}{
		{"default: ./reports of the folder", Config{}, deep, filepath.Join(deep, "reports")},
		{"explicit absolute dir wins", Config{ReportsDir: "/x"}, deep, "/x"},
		{"explicit relative dir, against the folder", Config{ReportsDir: "out"}, deep, filepath.Join(deep, "out")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.ResolveReportsDir(tt.dir); got != tt.want {
				t.Errorf("ResolveReportsDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfig_Settings(t *testing.T) {
	cfg, err := FromEnv(env(map[string]string{
		EnvBaseURL: "https://db-api.osc-fr1.scalingo.com/api", EnvToken: "s3cret-tok", EnvDatabaseID: "my-db-123",
		EnvForeignToken: "other-s3cret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range cfg.Settings() {
		got[s.Name] = s.Value
	}
	want := map[string]string{
		"mode": "live", EnvBaseURL: "https://db-api.osc-fr1.scalingo.com/api", EnvBasePath: "/api",
		EnvToken: Redacted, EnvDatabaseID: "my-db-123", EnvESDatabaseID: "", EnvForeignToken: Redacted,
		EnvAllowWrites: "false", EnvDownloadHosts: "", EnvTimeout: "10s", EnvFailOnDrift: "false",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Settings (-want +got):\n%s", diff)
	}
}

// Every setting the suite reads is in the table of settings of docs/contract-suite.md.
func TestDocsListEverySetting(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "contract-suite.md"))
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `") {
			table.WriteString(line + "\n")
		}
	}
	names := []string{"REPORTS", "CI", "NO_COLOR", "LABELS"}
	for _, d := range SettingDocs() {
		names = append(names, d.Name)
	}
	for _, name := range names {
		if !strings.Contains(table.String(), "| `"+name+"`") {
			t.Errorf("docs/contract-suite.md has no table row for the setting %s", name)
		}
	}
}

func TestLabels(t *testing.T) {
	seen := map[Label]bool{}
	for _, l := range Labels() {
		if seen[l] {
			t.Errorf("label %q twice", l)
		}
		seen[l] = true
		if !l.Valid() {
			t.Errorf("%q.Valid() = false", l)
		}
	}
	if len(Resources()) != 12 || Resources()[0] != Databases {
		t.Errorf("Resources() has %d labels, want 12", len(Resources()))
	}
	for _, l := range []Label{"readonly", "backup", ""} {
		if l.Valid() {
			t.Errorf("%q.Valid() = true, want false", l)
		}
	}
	if TrafficLabel("GET") != ReadOnly || TrafficLabel("DELETE") != Mutating || TrafficLabel("HEAD") != Mutating {
		t.Error("TrafficLabel: only GET is read-only")
	}
}

func TestCheckSpecLabels(t *testing.T) {
	tests := []struct {
		labels []string
		ok     bool
	}{
		{[]string{"backups", "read-only"}, true},
		{[]string{"users", "mutating", "slow"}, true},
		{[]string{"users"}, false},
		{[]string{"users", "read-only", "mutating"}, false},
		{[]string{"user", "read-only"}, false},
		{[]string{"negative", "users", "mutating", "Serial"}, true},
		{[]string{"negative", "users", "mutating", "serial"}, false},
	}
	for _, tt := range tests {
		if err := CheckSpecLabels("spec", tt.labels); (err == nil) != tt.ok {
			t.Errorf("CheckSpecLabels(%v) = %v, want ok=%v", tt.labels, err, tt.ok)
		}
	}
}
