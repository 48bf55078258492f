package harness

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// The environment variables that configure the suite.
const (
	EnvBaseURL       = "DBAPI_BASE_URL"       // live target base URL, /api included; unset means the built-in mock
	EnvToken         = "DB_BEARER_TOKEN"      // live target bearer token
	EnvDatabaseID    = "DBAPI_DATABASE_ID"    // live target database ID
	EnvESDatabaseID  = "DBAPI_ES_DATABASE_ID" // optional Elasticsearch database ID, for the health operation
	EnvForeignToken  = "DBAPI_FOREIGN_TOKEN"  // optional token of another database, for the 403 answers
	EnvAllowWrites   = "DBAPI_ALLOW_WRITES"   // "1" lets a live run send anything but GET
	EnvMockMutations = "DBAPI_MOCK_MUTATIONS" // comma-separated mockserver mutations applied to the built-in mock
	EnvReportsDir    = "DBAPI_REPORTS_DIR"    // where coverage goes; default <module root>/reports
)

// Mode says which target the suite runs against.
type Mode string

// The two targets.
const (
	ModeMock Mode = "mock" // the built-in mock, started by the suite in each process
	ModeLive Mode = "live" // a server reached through DBAPI_BASE_URL
)

// Config is the suite's target, read once from the environment.
type Config struct {
	Mode         Mode
	BaseURL      string // live only: the base URL with /api and no trailing slash
	Token        string // live only
	DatabaseID   string // live only
	ESDatabaseID string // live only, optional
	// ForeignToken is the bearer (addon) token of another database than DatabaseID, which the
	// target must refuse with 403 (live only, optional: without it those specs are skipped).
	ForeignToken string
	// AllowWrites is always true against the mock; against a live target it is true only with
	// DBAPI_ALLOW_WRITES=1.
	AllowWrites bool
	// Mutations are the mockserver mutations to apply to the built-in mock (mock mode only).
	Mutations []string
	// ReportsDir is where the coverage reports are written.
	ReportsDir string
}

// ConfigError is one setting that is missing or wrong. Its message names the variable and says
// what to set.
type ConfigError struct {
	Var     string
	Problem string
}

// Error names the variable and the fix.
func (e *ConfigError) Error() string { return e.Var + ": " + e.Problem }

// FromEnv reads the configuration through getenv (os.Getenv in the suite). Every problem is
// reported at once, each as a *ConfigError joined with errors.Join.
func FromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	bad := func(v, format string, args ...any) {
		errs = append(errs, &ConfigError{Var: v, Problem: fmt.Sprintf(format, args...)})
	}
	cfg := Config{Mode: ModeMock, AllowWrites: true, ReportsDir: getenv(EnvReportsDir)}

	if raw := strings.TrimSpace(getenv(EnvBaseURL)); raw != "" {
		cfg.Mode = ModeLive
		base, problem := checkBaseURL(raw)
		if problem != "" {
			bad(EnvBaseURL, "%s", problem)
		}
		cfg.BaseURL = base
		if cfg.Token = strings.TrimSpace(getenv(EnvToken)); cfg.Token == "" {
			bad(EnvToken, "empty; set it to a bearer token of the database (the addon token) for a live run")
		}
		if cfg.DatabaseID = strings.TrimSpace(getenv(EnvDatabaseID)); cfg.DatabaseID == "" {
			bad(EnvDatabaseID, "empty; set it to the ID of the database to test, e.g. my-db-123")
		} else if strings.ContainsAny(cfg.DatabaseID, "/?# ") {
			bad(EnvDatabaseID, "%q is not a database ID (it holds '/', '?', '#' or a space); set it to the bare ID, e.g. my-db-123", cfg.DatabaseID)
		}
		cfg.ESDatabaseID = strings.TrimSpace(getenv(EnvESDatabaseID))
		cfg.ForeignToken = strings.TrimSpace(getenv(EnvForeignToken))
		if cfg.ForeignToken != "" && cfg.ForeignToken == cfg.Token {
			bad(EnvForeignToken, "is %s itself; set it to the token of another database (its addon token), or unset it to skip the 403 specs", EnvToken)
		}
		switch w := strings.TrimSpace(getenv(EnvAllowWrites)); w {
		case "", "0", "false":
			cfg.AllowWrites = false
		case "1", "true":
			cfg.AllowWrites = true
		default:
			bad(EnvAllowWrites, "%q is neither 1 nor 0; set DBAPI_ALLOW_WRITES=1 to allow writes, or leave it unset for a read-only run", w)
		}
		if m := strings.TrimSpace(getenv(EnvMockMutations)); m != "" {
			bad(EnvMockMutations, "applies to the built-in mock only; unset it, or unset %s to run against the mock", EnvBaseURL)
		}
	} else {
		for _, m := range strings.Split(getenv(EnvMockMutations), ",") {
			if m = strings.TrimSpace(m); m != "" {
				cfg.Mutations = append(cfg.Mutations, m)
			}
		}
	}
	if len(errs) > 0 {
		return cfg, errors.Join(errs...)
	}
	return cfg, nil
}

// checkBaseURL returns the normalised base URL, or a problem saying what to set.
func checkBaseURL(raw string) (string, string) {
	const want = "set it to the API base URL with /api, e.g. https://db-api.osc-fr1.scalingo.com/api"
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return raw, fmt.Sprintf("%q is not an absolute http(s) URL; %s", raw, want)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return raw, fmt.Sprintf("%q has a query or fragment; %s", raw, want)
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, "/api") {
		return raw, fmt.Sprintf("%q does not end with /api; %s", raw, want)
	}
	u.Path = p
	return u.String(), ""
}

// ResolveReportsDir returns c.ReportsDir when set, else the reports/ directory of the module
// that holds dir (found by walking up to go.mod), else dir/reports.
func (c Config) ResolveReportsDir(dir string) string {
	if c.ReportsDir != "" {
		return c.ReportsDir
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "reports")
		}
		parent := filepath.Dir(d)
		if parent == d {
			return filepath.Join(dir, "reports")
		}
		d = parent
	}
}
