package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// Settings of the mock every script starts with.
const (
	testToken    = "test-token"
	foreignToken = "foreign-token" // valid for my-mysql-123 only
)

// TestMain makes the test binary double as the scalingodb command, which
// the scripts (and the other tests, through $PATH) run as a process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"scalingodb": main})
}

// mockHandle is the mock of one script, which `mock` replaces.
type mockHandle struct {
	mu         sync.Mutex
	srv        *mockserver.Server
	http       *httptest.Server
	violations []string
	// failGets and agents: see core_test.go.
	failGets bool
	agents   []string
}

func (h *mockHandle) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.http != nil {
		h.http.Close()
		h.http = nil
	}
}

// startMock serves a demo mock in process and returns its base URL.
func (h *mockHandle) start(opts ...mockserver.Option) (string, error) {
	h.close()
	base := []mockserver.Option{
		mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithToken(testToken),
		mockserver.WithDatabaseToken("my-mysql-123", foreignToken),
		mockserver.WithBackupTimings(100*time.Millisecond, 200*time.Millisecond),
		mockserver.WithOperationTimings(100*time.Millisecond, 200*time.Millisecond),
		mockserver.WithDownloadTTL(time.Hour),
		mockserver.WithResponseViolationHandler(func(err error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.violations = append(h.violations, err.Error())
		}),
	}
	srv, err := mockserver.New(append(base, opts...)...)
	if err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.srv = srv
	h.http = httptest.NewServer(h.wrap(srv.Handler()))
	return h.http.URL + "/api", nil
}

// Credentials of fakeScalingo.
const (
	testAPIToken = "tk-us-test"
	testBearer   = "bearer-from-exchange"
)

// fakeScalingo serves the two calls of an addon token source: the
// exchange of an API token for a bearer token (auth API) and the addon
// token of a database (main API), which is the mock's token for
// my-db-123 and the foreign token for my-mysql-123.
func fakeScalingo() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/tokens/exchange", func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != testAPIToken {
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token":%q}`, testBearer)
	})
	mux.HandleFunc("POST /v1/apps/{app}/addons/{addon}/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testBearer {
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		tokens := map[string]string{"my-db-123": testToken, "my-mysql-123": foreignToken}
		tok, ok := tokens[r.PathValue("addon")]
		if r.PathValue("app") != "my-app" || !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"addon":{"token":%q}}`, tok)
	})
	// The addons of an app: those of the demo databases of the app
	// (my-app), and twin-app with two PostgreSQL addons.
	mux.HandleFunc("GET /v1/apps/{app}/addons", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+testBearer {
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		type provider struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		type addon struct {
			ID         string   `json:"id"`
			AppID      string   `json:"app_id"`
			ResourceID string   `json:"resource_id"`
			Status     string   `json:"status"`
			Provider   provider `json:"addon_provider"`
		}
		app := r.PathValue("app")
		addons := []addon{}
		for _, sd := range mockserver.DemoSeed().Databases {
			db := sd.Database
			if db.AppName == app {
				addons = append(addons, addon{db.ResourceID, app, db.ResourceID, "running", provider{db.TypeName, db.TypeName}})
			}
		}
		if app == "twin-app" {
			for _, id := range []string{"my-db-123", "my-db-456"} {
				addons = append(addons, addon{id, app, id, "running", provider{"postgresql", "PostgreSQL"}})
			}
		}
		if len(addons) == 0 {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string][]addon{"addons": addons})
	})
	return mux
}

// scriptExitCode returns the exit code of a script's command that ended
// with err; an error other than an exit fails the script.
func scriptExitCode(ts *testscript.TestScript, err error) int {
	code := exitCode(err)
	if code < 0 {
		ts.Fatalf("%v", err)
	}
	return code
}

// mockOptions reads key=value arguments of the `mock` script command.
func mockOptions(args []string) ([]mockserver.Option, error) {
	var opts []mockserver.Option
	var faults mockserver.Faults
	// Each option of a number or a duration, by what it sets; a random
	// fault rate also fixes the seed, so that a run repeats.
	rates := map[string]func(float64){
		"archive-change-rate": func(f float64) { faults.ArchiveChangeRate, faults.Seed = f, 7 },
		"reset-rate":          func(f float64) { faults.ResetRate, faults.Seed = f, 7 },
		"error-rate":          func(f float64) { faults.ErrorRate, faults.Seed = f, 7 },
		"backup-error-rate":   func(f float64) { opts = append(opts, mockserver.WithBackupErrorRate(f)) },
	}
	durations := map[string]func(time.Duration){
		"operation-timings": func(d time.Duration) { opts = append(opts, mockserver.WithOperationTimings(d, d)) },
		"latency":           func(d time.Duration) { faults.Latency = d },
		"backup-timings":    func(d time.Duration) { opts = append(opts, mockserver.WithBackupTimings(d, d)) },
	}
	for _, arg := range args {
		k, v, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, fmt.Errorf("mock: %q is not key=value", arg)
		}
		if set, ok := rates[k]; ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("mock: %s: %w", k, err)
			}
			set(f)
			continue
		}
		if set, ok := durations[k]; ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, fmt.Errorf("mock: %s: %w", k, err)
			}
			set(d)
			continue
		}
		switch k {
		case "bandwidth":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("mock: %s: %w", k, err)
			}
			opts = append(opts, mockserver.WithBandwidthLimit(n))
		case "seed":
			if v != "hostile" {
				return nil, fmt.Errorf("mock: unknown seed %q", v)
			}
			opts = append(opts, mockserver.WithSeed(hostileSeed()))
		default:
			return nil, fmt.Errorf("mock: unknown option %q", k)
		}
	}
	return append(opts, mockserver.WithFaults(faults)), nil
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			h := &mockHandle{}
			url, err := h.start()
			if err != nil {
				return err
			}
			env.Values["mock"] = h
			env.Defer(func() {
				h.close()
				h.mu.Lock()
				defer h.mu.Unlock()
				if len(h.violations) > 0 {
					env.T().Fatal("the mock broke the spec: " + strings.Join(h.violations, "; "))
				}
			})
			scalingo := httptest.NewServer(h.recordAgent(fakeScalingo()))
			env.Defer(scalingo.Close)
			env.Setenv("SCALINGO_AUTH_URL", scalingo.URL)
			env.Setenv("SCALINGO_API_URL", scalingo.URL)
			env.Setenv("DBAPI_BASE_URL", url)
			env.Setenv("DB_BEARER_TOKEN", testToken)
			env.Setenv("FOREIGN_TOKEN", foreignToken)
			env.Setenv("SCALINGO_DATABASE", "my-db-123")
			// an instant within the mock's point-in-time recovery window (the last 7 days)
			env.Setenv("PITR_TIME", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"signal":     cmdSignal,
			"s3server":   cmdS3Server,
			"useragents": cmdUserAgents,
			// mock [key=value...] replaces the mock with a new one (fresh
			// demo data) with faults or limits, and points DBAPI_BASE_URL at it.
			"mock": func(ts *testscript.TestScript, neg bool, args []string) {
				h := ts.Value("mock").(*mockHandle)
				args = h.coreArgs(args)
				opts, err := mockOptions(args)
				ts.Check(err)
				url, err := h.start(opts...)
				ts.Check(err)
				ts.Setenv("DBAPI_BASE_URL", url)
			},
			// envfile VAR FILE sets VAR to the first line of FILE.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: envfile VAR FILE")
				}
				line, _, _ := strings.Cut(ts.ReadFile(args[1]), "\n")
				ts.Setenv(args[0], strings.TrimSpace(line))
			},
			// exits CODE COMMAND [ARGS...] runs a command, like exec, and
			// checks its exit code.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				if got := scriptExitCode(ts, ts.Exec(args[1], args[2:]...)); got != want {
					ts.Fatalf("exit code %d, want %d", got, want)
				}
			},
			// resets OPERATION says how many connections the mock cut on an operation (at least 1).
			"resets": func(ts *testscript.TestScript, neg bool, args []string) {
				h := ts.Value("mock").(*mockHandle)
				n := 0
				for _, r := range h.srv.FaultLog() {
					if r.Kind == mockserver.FaultReset && r.OperationID == args[0] {
						n++
					}
				}
				if (n > 0) == neg {
					ts.Fatalf("%d connections cut on %s", n, args[0])
				}
				ts.Logf("%d connections cut on %s", n, args[0])
			},
			// plain FILE fails when FILE holds a control character other
			// than a newline or a tab (a carriage return, an escape sequence).
			"plain": func(ts *testscript.TestScript, neg bool, args []string) {
				data := ts.ReadFile(args[0])
				bad := firstControl(data)
				if (bad >= 0) != neg {
					if neg {
						ts.Fatalf("%s holds only plain lines", args[0])
					}
					ts.Fatalf("%s holds control character %q at %d", args[0], data[bad], bad)
				}
			},
		},
	})
}

// firstControl returns the index of the first control character of data
// other than a newline or a tab, or -1.
func firstControl(data string) int {
	return strings.IndexFunc(data, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f })
}

func TestFirstControl(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", -1},
		{"downloaded 1.2 MiB to x in 3ms\n", -1},
		{"a\tb\n", -1},
		{"10%\r20%", 3},
		{"\x1b[1mbold", 0},
		{"ok\x7f", 2},
	} {
		if got := firstControl(tc.in); got != tc.want {
			t.Errorf("firstControl(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
