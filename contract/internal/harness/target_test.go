package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestCheckTarget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method != http.MethodGet:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.Header.Get("Authorization") != "Bearer good":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"unauthorized"}`))
		case r.URL.Path == "/api/databases/my-db-123", r.URL.Path == "/api/databases/my-es-123":
			_, _ = w.Write([]byte(`{"database":{}}`))
		case r.URL.Path == "/api/databases/broken":
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"not found"}`))
		}
	}))
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name    string
		cfg     Config
		wantVar string // "" for success
		wantIn  string
	}{
		{"reachable database", Config{BaseURL: srv.URL + "/api", Token: "good", DatabaseID: "my-db-123"}, "", ""},
		{"with an Elasticsearch database", Config{BaseURL: srv.URL + "/api", Token: "good", DatabaseID: "my-db-123", ESDatabaseID: "my-es-123"}, "", ""},
		{"wrong token", Config{BaseURL: srv.URL + "/api", Token: "bad", DatabaseID: "my-db-123"}, EnvToken, "401"},
		{"unknown database", Config{BaseURL: srv.URL + "/api", Token: "good", DatabaseID: "nope"}, EnvDatabaseID, "404"},
		{"unknown Elasticsearch database", Config{BaseURL: srv.URL + "/api", Token: "good", DatabaseID: "my-db-123", ESDatabaseID: "nope"}, EnvESDatabaseID, "404"},
		{"base URL missing /api gives 404", Config{BaseURL: srv.URL, Token: "good", DatabaseID: "my-db-123"}, EnvDatabaseID, "/api"},
		{"server error", Config{BaseURL: srv.URL + "/api", Token: "good", DatabaseID: "broken"}, EnvBaseURL, "502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTarget(context.Background(), srv.Client(), tt.cfg, nil)
			if tt.wantVar == "" {
				if err != nil {
					t.Fatalf("CheckTarget: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("CheckTarget = %v, want a *ConfigError", err)
			}
			if ce.Var != tt.wantVar || !strings.Contains(ce.Error(), tt.wantIn) {
				t.Errorf("CheckTarget = %q (var %s), want var %s and %q in the message", ce.Error(), ce.Var, tt.wantVar, tt.wantIn)
			}
		})
	}
}

func TestCheckTarget_Violation(t *testing.T) {
	_, v := embedded(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"database":[]}`)) // an array where the database object is due
	}))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: v.Transport(nil)}
	err := CheckTarget(context.Background(), client, Config{BaseURL: srv.URL + "/api", Token: "t", DatabaseID: "my-db-123"}, v)
	var ve *conformance.ViolationError
	if !errors.As(err, &ve) {
		t.Fatalf("CheckTarget = %v, want a wrapped *conformance.ViolationError", err)
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		t.Errorf("a contract violation is reported as a settings problem: %v", err)
	}
}

// A target that does not answer is reported on one line naming the operation and the cause,
// as an *UnreachableError rather than a settings problem.
func TestCheckTarget_Unreachable(t *testing.T) {
	_, v := embedded(t)
	// cut answers getDatabase with its body cut where framing says (no fix before: "contract broken").
	cut := func(framing string) string { return rawServer(t, cutAnswer(framing)) + "/api" }
	const part = `{"database":{"id":"my-db-123","name":`
	tests := []struct {
		name    string
		base    string
		timeout time.Duration
		wantIn  string
	}{
		{"nothing listening", closedURL() + "/api", time.Second, "connection refused"},
		{"never answers", silentURL(t) + "/api", 150 * time.Millisecond, "no answer after 150ms"},
		{"answer cut before its Content-Length", cut(fmt.Sprintf("Content-Length: 400\r\n\r\n%s", part)), time.Second,
			"the connection broke: response body cut short: 37 of the 400 bytes of its Content-Length came"},
		{"chunked answer cut before its last chunk", cut(fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(part), part)), time.Second,
			"the connection broke: response body cut short: it broke off after 37 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{BaseURL: tt.base, BasePath: "/api", Token: "good", DatabaseID: "my-db-123", Timeout: tt.timeout}
			client := &http.Client{Transport: v.Transport(nil), Timeout: tt.timeout}
			checkUnreachable(t, CheckTarget(context.Background(), client, cfg, v), "getDatabase GET ", "/api/databases/my-db-123", tt.wantIn)
		})
	}
}
