package harness

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
	EnvReportsDir    = "DBAPI_REPORTS_DIR"    // where every report goes; default ./reports under the current folder
	EnvBasePath      = "DBAPI_BASE_PATH"      // the path the live target serves the spec's /api under, e.g. / for Prism
	EnvDownloadHosts = "DBAPI_DOWNLOAD_HOSTS" // comma-separated host[:port] a download_url may point at, besides the base URL's
	EnvTimeout       = "DBAPI_TIMEOUT"        // per-request timeout, a Go duration or seconds; default 10s
	EnvVerbose       = "DBAPI_VERBOSE"        // "1" prints the whole coverage table on stdout
	// EnvFailOnDrift "1" fails the run (exit 1, contract broken) when an answer carried a property,
	// header, status or media type the spec does not describe; by default drift is only reported
	// (drift.json, drift-overlay.yaml, stdout, summary.txt and the HTML report).
	EnvFailOnDrift = "DBAPI_FAIL_ON_DRIFT"
)

// DefaultTimeout is how long the suite waits for one answer unless DBAPI_TIMEOUT says otherwise.
const DefaultTimeout = 10 * time.Second

// specBasePath is where the spec's single server puts every operation.
const specBasePath = "/api"

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
	// ReportsDir is where the reports are written ("" means ./reports under the current folder).
	ReportsDir string
	// BasePath is the path under which a live target serves what the spec puts under /api
	// ("/api" unless DBAPI_BASE_PATH says otherwise; "/" for a server at its root).
	BasePath string
	// DownloadHosts are the host[:port] a download_url may point at besides the base URL's host.
	DownloadHosts []string
	// Timeout bounds each request, body included.
	Timeout time.Duration
	// Verbose prints the whole coverage table on stdout, not only its summary.
	Verbose bool
	// FailOnDrift makes drift (what the answers carry that the spec does not describe) fail the
	// run; otherwise it is only reported.
	FailOnDrift bool
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
	cfg := Config{Mode: ModeMock, AllowWrites: true, ReportsDir: strings.TrimSpace(getenv(EnvReportsDir)), BasePath: specBasePath, Timeout: DefaultTimeout}
	if t := strings.TrimSpace(getenv(EnvTimeout)); t != "" {
		d, err := time.ParseDuration(t)
		if n, nerr := strconv.Atoi(t); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
		if err != nil || d <= 0 {
			bad(EnvTimeout, "%q is not a positive duration; set it to e.g. 10s or 30 (seconds), or unset it for %s", t, DefaultTimeout)
		} else {
			cfg.Timeout = d
		}
	}
	switch v := strings.TrimSpace(getenv(EnvVerbose)); v {
	case "", "0", "false":
	case "1", "true":
		cfg.Verbose = true
	default:
		bad(EnvVerbose, "%q is neither 1 nor 0; set DBAPI_VERBOSE=1 for the whole coverage table on stdout, or unset it", v)
	}
	switch v := strings.TrimSpace(getenv(EnvFailOnDrift)); v {
	case "", "0", "false":
	case "1", "true":
		cfg.FailOnDrift = true
	default:
		bad(EnvFailOnDrift, "%q is neither 1 nor 0; set %s=1 to fail the run on undocumented properties, headers, statuses or media types, or unset it to only report them", v, EnvFailOnDrift)
	}
	for _, h := range strings.Split(getenv(EnvDownloadHosts), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h == "" {
			continue
		}
		if strings.ContainsAny(h, "/?#@ ") {
			bad(EnvDownloadHosts, "%q is not a host[:port]; set it to a comma-separated list such as backups.example.com,127.0.0.1:9000", h)
			continue
		}
		cfg.DownloadHosts = append(cfg.DownloadHosts, h)
	}
	if raw := strings.TrimSpace(getenv(EnvBaseURL)); raw != "" {
		cfg.Mode = ModeLive
		if bp := strings.TrimSpace(getenv(EnvBasePath)); bp != "" {
			if !strings.HasPrefix(bp, "/") || strings.ContainsAny(bp, "?# ") {
				bad(EnvBasePath, "%q is not a path; set it to the path the server serves the API under, e.g. / or /v1", bp)
			}
			cfg.BasePath = "/" + strings.Trim(bp, "/")
		}
		base, problem := checkBaseURL(raw, cfg.BasePath)
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
		if bp := strings.TrimSpace(getenv(EnvBasePath)); bp != "" {
			bad(EnvBasePath, "applies to a live target only; unset it, or set %s", EnvBaseURL)
		}
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

// checkBaseURL returns the normalised base URL, or a problem saying what to set. The URL's path
// must be basePath: /api unless DBAPI_BASE_PATH says otherwise.
func checkBaseURL(raw, basePath string) (string, string) {
	want := "set it to the API base URL with /api, e.g. https://db-api.osc-fr1.scalingo.com/api"
	if basePath != specBasePath {
		want = fmt.Sprintf("set it to the API base URL, ending with %s=%s", EnvBasePath, basePath)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return raw, fmt.Sprintf("%q is not an absolute http(s) URL; %s", raw, want)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return raw, fmt.Sprintf("%q has a query, fragment or user; %s", redactURL(u), want)
	}
	p := "/" + strings.Trim(u.Path, "/")
	if p != basePath && !(basePath == specBasePath && strings.HasSuffix(p, specBasePath)) {
		if basePath == specBasePath {
			return raw, fmt.Sprintf("%q does not end with /api; %s (or set %s for a server under another path)", raw, want, EnvBasePath)
		}
		return raw, fmt.Sprintf("%q has path %s, not %s; %s", raw, p, basePath, want)
	}
	u.Path = strings.TrimRight(p, "/")
	return u.String(), ""
}

// Origin returns the scheme and host of the live base URL.
func (c Config) Origin() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// SpecBaseURL returns the base URL as the spec sees it: the origin and /api. The suite builds
// every request on it; RewriteBasePath moves it under BasePath on the wire.
func (c Config) SpecBaseURL() string {
	if c.BasePath == specBasePath || c.BasePath == "" {
		return c.BaseURL
	}
	return c.Origin() + specBasePath
}

// ResolveReportsDir returns c.ReportsDir when set (made absolute against dir), else dir/reports:
// the reports go under the folder the suite runs from, never next to the module's sources
// (which may be the read-only module cache).
func (c Config) ResolveReportsDir(dir string) string {
	if c.ReportsDir == "" {
		return filepath.Join(dir, "reports")
	}
	if filepath.IsAbs(c.ReportsDir) {
		return c.ReportsDir
	}
	return filepath.Join(dir, c.ReportsDir)
}

// SafeBaseURL returns the base URL without the user, query or fragment a wrong setting may hold:
// what the reports show.
func (c Config) SafeBaseURL() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return Redacted
	}
	return redactURL(u)
}

// Setting is one setting of a run as the reports show it: secrets redacted.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Settings returns the run's settings for the reports, every token replaced by [redacted].
func (c Config) Settings() []Setting {
	secret := func(s string) string {
		if s == "" {
			return ""
		}
		return Redacted
	}
	out := []Setting{{"mode", string(c.Mode)}}
	if c.Mode == ModeLive {
		out = append(out,
			Setting{EnvBaseURL, c.SafeBaseURL()},
			Setting{EnvBasePath, c.BasePath},
			Setting{EnvToken, secret(c.Token)},
			Setting{EnvDatabaseID, c.DatabaseID},
			Setting{EnvESDatabaseID, c.ESDatabaseID},
			Setting{EnvForeignToken, secret(c.ForeignToken)},
			Setting{EnvAllowWrites, strconv.FormatBool(c.AllowWrites)},
		)
	} else {
		out = append(out, Setting{EnvMockMutations, strings.Join(c.Mutations, ",")})
	}
	return append(out,
		Setting{EnvDownloadHosts, strings.Join(c.DownloadHosts, ",")},
		Setting{EnvTimeout, c.Timeout.String()},
		Setting{EnvFailOnDrift, strconv.FormatBool(c.FailOnDrift)},
	)
}

// SettingDoc is one environment variable of the suite as the compiled suite's -h lists it.
type SettingDoc struct {
	Name    string
	Default string // "" when unset means nothing
	Meaning string // one line
}

// SettingDocs lists every environment variable the suite reads, in the order -h prints them.
// It is the one list of the settings: a new setting is one line here, and a DBAPI_* variable
// not listed is a settings error (see UnknownSettings).
func SettingDocs() []SettingDoc {
	return []SettingDoc{
		{EnvBaseURL, "unset: the built-in mock", "the live target's base URL, /api included"},
		{EnvToken, "", "the live target's bearer (addon) token"},
		{EnvDatabaseID, "", "the database under test (live)"},
		{EnvESDatabaseID, "", "an Elasticsearch database, for the health check (live)"},
		{EnvForeignToken, "", "the token of another database, to check the 403 answers"},
		{EnvAllowWrites, "0", "1 lets a live run send anything but GET"},
		{EnvBasePath, "/api", "the path a live target serves the API under (/ for Prism)"},
		{EnvDownloadHosts, "", "comma-separated host[:port] a download_url may point at"},
		{EnvTimeout, DefaultTimeout.String(), "per-request timeout: a Go duration or seconds"},
		{EnvReportsDir, "./reports", "where every report goes"},
		{EnvVerbose, "0", "1 prints the whole coverage table on stdout"},
		{EnvMockMutations, "", "comma-separated drift mutations of the built-in mock"},
		{EnvFailOnDrift, "0", "1 fails the run when answers carry what the spec does not describe"},
	}
}
