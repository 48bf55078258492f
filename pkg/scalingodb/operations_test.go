package scalingodb

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// startOpsMock serves the demo mock with operations that finish within 30ms.
func startOpsMock(t *testing.T) *Client {
	t.Helper()
	_, base := mockserver.Start(t, mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithOperationTimings(10*time.Millisecond, 20*time.Millisecond))
	c, err := New(WithBaseURL(base), WithToken(mockserver.DefaultToken), withResponseValidation())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var fastPoll = WithPollInterval(2*time.Millisecond, 5*time.Millisecond)

func TestJSOnlyOperationsAgainstMock(t *testing.T) {
	c := startOpsMock(t)
	ctx := context.Background()
	const db = demoDB

	t.Run("restore a backup and wait", func(t *testing.T) {
		r, err := c.Backups.RestoreAndWait(ctx, db, demoBackup, fastPoll)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != RestorationDone || r.SourceBackupID != demoBackup || r.StartedAt == nil || r.EndedAt == nil {
			t.Errorf("restoration %+v", r)
		}
		again, err := c.Backups.Restoration(ctx, db, r.ID)
		if err != nil || again.Status != RestorationDone {
			t.Errorf("Restoration = %+v, %v", again, err)
		}
	})
	t.Run("upgrade and wait", func(t *testing.T) {
		u, err := c.Databases.Upgrade(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		op, err := c.Operations.Wait(ctx, db, u.OperationID, fastPoll)
		if err != nil {
			t.Fatal(err)
		}
		if op.ID != u.OperationID || op.Type != "upgrade" || op.Status != OperationFinished || op.FinishedAt == nil {
			t.Errorf("operation %+v", op)
		}
	})
	t.Run("restore to a point in time and wait", func(t *testing.T) {
		started, err := c.PITR.Restore(ctx, db, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		op, err := c.Operations.Wait(ctx, db, started.ID, fastPoll)
		if err != nil || op.Type != "pitr_restore" || !op.Status.Succeeded() {
			t.Errorf("Wait = %+v, %v", op, err)
		}
	})
	t.Run("label a firewall rule", func(t *testing.T) {
		r, err := c.Firewall.Update(ctx, db, "6580a2c91ef5f0001b3c5d7f", "Scalingo (EU)")
		if err != nil || r.Label != "Scalingo (EU)" || r.RangeID != "eu" {
			t.Errorf("Update = %+v, %v", r, err)
		}
	})
	t.Run("types and plans", func(t *testing.T) {
		types, err := c.Types.List(ctx)
		if err != nil || len(types) == 0 {
			t.Fatalf("List = %v, %v", types, err)
		}
		d, err := c.Databases.Get(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		ty, err := c.Types.Get(ctx, d.TypeID)
		if err != nil || ty.Name != d.TypeName {
			t.Errorf("type of %s = %+v, %v", db, ty, err)
		}
		plan, err := c.Databases.Plan(ctx, db)
		if err != nil || plan.Name != d.Plan {
			t.Fatalf("Plan = %+v, %v", plan, err)
		}
		byName, err := c.Plans.Get(ctx, d.TypeName, d.Plan)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(plan, byName); diff != "" {
			t.Errorf("Plans.Get and Databases.Plan disagree (-database +plans):\n%s", diff)
		}
		// Type names are an enum of the spec: one outside it is a bad request, as a feature is.
		if _, err := c.Plans.Get(ctx, "oracle", d.Plan); !errors.Is(err, ErrBadRequest) {
			t.Errorf("plan of an unknown type: %v, want ErrBadRequest", err)
		}
	})
	t.Run("metrics by type, lag and ping", func(t *testing.T) {
		raw, err := c.Metrics.Series(ctx, db, "cpu", &SeriesParams{SinceHours: 1})
		if err != nil {
			t.Fatal(err)
		}
		var points []map[string]any
		if err := json.Unmarshal(raw, &points); err != nil || len(points) != 6 {
			t.Errorf("series %s: %v", raw, err)
		}
		raw, err = c.Metrics.InstanceSeries(ctx, db, "a541dfb5-1fa6-40d7-87de-159ab721322c", "memory", &SeriesParams{Last: true})
		if err != nil || !json.Valid(raw) {
			t.Errorf("InstanceSeries = %s, %v", raw, err)
		}
		lag, err := c.Metrics.Lag(ctx, db)
		if err != nil || lag["lag_in_bytes"] == nil {
			t.Errorf("Lag = %v, %v", lag, err)
		}
		if err := c.Databases.Ping(ctx, db); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := c.Databases.Ping(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Ping of an unknown database: %v, want ErrNotFound", err)
		}
	})
	t.Run("CA certificate", func(t *testing.T) {
		var buf bytes.Buffer
		n, err := c.Databases.CACertificate(ctx, &buf)
		if err != nil || n != int64(buf.Len()) {
			t.Fatalf("CACertificate = %d, %v", n, err)
		}
		block, _ := pem.Decode(buf.Bytes())
		if block == nil {
			t.Fatalf("not PEM: %q", buf.Bytes())
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err != nil || !cert.IsCA {
			t.Errorf("certificate: %v", err)
		}
	})
}

func TestOperationsService_Wait(t *testing.T) {
	tests := []waitCase{
		{"finished", []string{"pending", "running", "finished"}, nil, 3},
		{"done, as go-scalingo's app operations say", []string{"running", "done"}, nil, 2},
		{"error", []string{"pending", "error"}, ErrOperationFailed, 2},
		{"user error", []string{"running", "user-error"}, ErrOperationFailed, 2},
		{"cancelled", []string{"cancelling", "cancelled"}, ErrOperationFailed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, pollServer(tt.statuses, func(status string) string {
				return `{"operation":{"id":"op1","type":"upgrade","status":"` + status + `","created_at":"2024-01-01T00:00:00Z","finished_at":null,"error":"disk full"}}`
			}))
			op, err := c.Operations.Wait(context.Background(), "db", "op1", fastPoll)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			var fe *OperationFailedError
			switch {
			case tt.wantErr == nil && (op == nil || !op.Status.Succeeded()):
				t.Errorf("got %+v", op)
			case tt.wantErr != nil && (!errors.As(err, &fe) || string(fe.Operation.Status) != tt.statuses[len(tt.statuses)-1]):
				t.Errorf("got %v", err)
			}
			if rec.count() != tt.wantReqs {
				t.Errorf("%d polls, want %d", rec.count(), tt.wantReqs)
			}
			if got := rec.all()[0].RequestURI; got != "/api/databases/db/operations/op1" {
				t.Errorf("polled %s", got)
			}
		})
	}
	t.Run("context", func(t *testing.T) {
		waitTimesOut(t, `{"operation":{"id":"op1","status":"running"}}`, func(ctx context.Context, c *Client) error {
			_, err := c.Operations.Wait(ctx, "db", "op1", fastPoll)
			return err
		})
	})
}

func TestBackupsService_WaitRestoration(t *testing.T) {
	tests := []waitCase{
		{"done", []string{"scheduled", "running", "done"}, nil, 3},
		{"error", []string{"running", "error"}, ErrRestorationFailed, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, pollServer(tt.statuses, func(status string) string {
				return `{"backup_restoration":{"id":"r1","status":"` + status + `","source_backup_id":"b1"}}`
			}))
			r, err := c.Backups.WaitRestoration(context.Background(), "db", "r1", fastPoll)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && r.Status != RestorationDone {
				t.Errorf("got %+v", r)
			}
			if rec.count() != tt.wantReqs {
				t.Errorf("%d polls, want %d", rec.count(), tt.wantReqs)
			}
		})
	}
}

// TestRetry_JSOnlyOperations: a restore may have taken effect, so a 503 is
// never retried; the reads, the label update and the ping are.
func TestRetry_JSOnlyOperations(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func(c *Client) error
		tries int
	}{
		{"restoreBackup", func(c *Client) error { _, err := c.Backups.Restore(ctx, "db", "b"); return err }, 1},
		{"restoreBackup and wait", func(c *Client) error { _, err := c.Backups.RestoreAndWait(ctx, "db", "b"); return err }, 1},
		{"getBackupRestoration", func(c *Client) error { _, err := c.Backups.Restoration(ctx, "db", "r"); return err }, 3},
		{"getDatabaseOperation", func(c *Client) error { _, err := c.Operations.Get(ctx, "db", "o"); return err }, 3},
		{"updateFirewallRule", func(c *Client) error { _, err := c.Firewall.Update(ctx, "db", "r", "x"); return err }, 3},
		{"pingDatabase", func(c *Client) error { return c.Databases.Ping(ctx, "db") }, 3},
		{"getCaCertificate", func(c *Client) error { _, err := c.Databases.CACertificate(ctx, &bytes.Buffer{}); return err }, 3},
		{"listDatabaseTypes", func(c *Client) error { _, err := c.Types.List(ctx); return err }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, fixed(http.StatusServiceUnavailable, `{"error":"unavailable"}`))
			if err := tt.call(c); !errors.Is(err, ErrServer) {
				t.Fatalf("got %v, want ErrServer", err)
			}
			if rec.count() != tt.tries {
				t.Errorf("%d requests, want %d", rec.count(), tt.tries)
			}
		})
	}
}

// TestOddBodies_JSOnlyOperations answers with bodies of the wrong shape:
// each call must end in ErrMalformedResponse, never a zero value.
func TestOddBodies_JSOnlyOperations(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *Client) (any, error){
		"restore":      func(c *Client) (any, error) { return c.Backups.Restore(ctx, "db", "b") },
		"restoration":  func(c *Client) (any, error) { return c.Backups.Restoration(ctx, "db", "r") },
		"operation":    func(c *Client) (any, error) { return c.Operations.Get(ctx, "db", "o") },
		"plan":         func(c *Client) (any, error) { return c.Databases.Plan(ctx, "db") },
		"planByName":   func(c *Client) (any, error) { return c.Plans.Get(ctx, "postgresql", "p") },
		"types":        func(c *Client) (any, error) { return c.Types.List(ctx) },
		"type":         func(c *Client) (any, error) { return c.Types.Get(ctx, "t") },
		"firewall":     func(c *Client) (any, error) { return c.Firewall.Update(ctx, "db", "r", "x") },
		"lag":          func(c *Client) (any, error) { return c.Metrics.Lag(ctx, "db") },
		"ping":         func(c *Client) (any, error) { return nil, c.Databases.Ping(ctx, "db") },
		"caCertficate": func(c *Client) (any, error) { return c.Databases.CACertificate(ctx, &bytes.Buffer{}) },
	}
	bodies := []string{`null`, `{}`, `[]`, `"x"`, `42`, `{"operation":{},"backup_restoration":{},"plan":{},"database_type":{},"database_types":[{}],"rule":{}}`, `{"id":`}
	for _, body := range bodies {
		c, _, _ := newTestClient(t, fixed(200, body))
		for name, call := range calls {
			v, err := call(c)
			if (name == "lag" || name == "ping") && body == `{}` || body == `{"operation":{},"backup_restoration":{},"plan":{},"database_type":{},"database_types":[{}],"rule":{}}` && (name == "lag" || name == "ping") {
				// An open object: any object is a valid lag or ping answer.
				if err != nil {
					t.Errorf("%s with body %s: %v", name, body, err)
				}
				continue
			}
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("%s with body %s: got %+v, %v; want ErrMalformedResponse", name, body, v, err)
			}
		}
	}
	t.Run("series accept any JSON but not broken JSON", func(t *testing.T) {
		c, _, _ := newTestClient(t, fixed(200, `{"points":`))
		if _, err := c.Metrics.Series(ctx, "db", "cpu", nil); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("broken JSON: %v", err)
		}
		c, rec, _ := newTestClient(t, fixed(200, `{"anything":[1,2]}`))
		raw, err := c.Metrics.Series(ctx, "db", "cpu", &SeriesParams{SinceHours: 5, Last: true})
		if err != nil || string(raw) != `{"anything":[1,2]}` {
			t.Errorf("Series = %s, %v", raw, err)
		}
		if got := rec.all()[0].RequestURI; got != "/api/databases/db/metrics/cpu?since=5&last=true" {
			t.Errorf("sent %s", got)
		}
	})
}

// TestDatabasesService_CACertificateToFile: the file is replaced whole on
// success and left untouched on any failure, with no temporary file left.
func TestDatabasesService_CACertificateToFile(t *testing.T) {
	_, pemOK := func() (*Client, []byte) {
		c := startOpsMock(t)
		var buf bytes.Buffer
		if _, err := c.Databases.CACertificate(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		return c, buf.Bytes()
	}()
	pemHandler := func(status int, contentType string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	const old = "old certificate\n"
	tests := []struct {
		name    string
		h       http.HandlerFunc
		wantErr error
	}{
		{"success", pemHandler(200, "application/x-pem-file", pemOK), nil},
		{"server error", pemHandler(500, "application/json", []byte(`{"error":"boom"}`)), ErrServer},
		{"not PEM", pemHandler(200, "application/x-pem-file", []byte("<html>hello</html>")), ErrMalformedResponse},
		{"PEM of a key", pemHandler(200, "application/x-pem-file", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})), ErrMalformedResponse},
		{"certificate then junk", pemHandler(200, "application/x-pem-file", append(bytes.Clone(pemOK), "junk"...)), ErrMalformedResponse},
		// A CERTIFICATE block whose bytes are no certificate (a corrupted
		// or substituted answer) must not replace a working file.
		{"a CERTIFICATE block that is no certificate", pemHandler(200, "application/x-pem-file", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})), ErrMalformedResponse},
		{"a certificate, then a CERTIFICATE block that is none", pemHandler(200, "application/x-pem-file", append(bytes.Clone(pemOK), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}})...)), ErrMalformedResponse},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-pem-file")
			w.Header().Set("Content-Length", "5000")
			_, _ = w.Write(pemOK[:100])
			w.(http.Flusher).Flush()
			resetConn(t, w)
		}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, tt.h, WithRetry(RetryPolicy{MaxAttempts: 1}))
			dir := t.TempDir()
			path := filepath.Join(dir, "ca.pem")
			if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
				t.Fatal(err)
			}
			n, err := c.Databases.CACertificateToFile(context.Background(), path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %d, %v; want %v", n, err, tt.wantErr)
			}
			got, _ := os.ReadFile(path)
			want := []byte(old)
			if tt.wantErr == nil {
				want = pemOK
				if n != int64(len(pemOK)) {
					t.Errorf("n = %d, want %d", n, len(pemOK))
				}
				if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
					t.Errorf("mode %v, want 0644", fi.Mode().Perm())
				}
			}
			if !bytes.Equal(got, want) {
				t.Errorf("file holds %q, want %q", shortBytes(got), shortBytes(want))
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only ca.pem: %v", len(entries), entries)
			}
			if accept := rec.all()[0].Header.Get("Accept"); accept == "application/json" {
				t.Errorf("Accept %q: the certificate is not JSON", accept)
			}
		})
	}
	t.Run("unwritable directory", func(t *testing.T) {
		c, _, _ := newTestClient(t, pemHandler(200, "application/x-pem-file", pemOK))
		if _, err := c.Databases.CACertificateToFile(context.Background(), filepath.Join(t.TempDir(), "missing", "ca.pem")); err == nil {
			t.Error("no error for a missing directory")
		}
	})
}

func shortBytes(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// TestCACertificate_WriterError reports the writer's failure.
func TestCACertificate_WriterError(t *testing.T) {
	c := startOpsMock(t)
	if _, err := c.Databases.CACertificate(context.Background(), failingWriter{}); err == nil || !errors.Is(err, errWriterFull) {
		t.Errorf("got %v, want the writer's error", err)
	}
}

var errWriterFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errWriterFull }

// TestDatabasesService_Upgrade_EmptyOperationID proves that an upgrade
// answer whose operation_id is empty (the spec wants at least one
// character) is malformed, and says that the upgrade may have started: a
// success would hand the caller an ID that Operations.Wait refuses.
func TestDatabasesService_Upgrade_EmptyOperationID(t *testing.T) {
	c, _, _ := newTestClient(t, fixed(202, `{"message":"Database upgrade is pending","operation_id":"","id":"v2"}`))
	u, err := c.Databases.Upgrade(context.Background(), "db")
	if !errors.Is(err, ErrMalformedResponse) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("Upgrade: %+v, %v; want ErrMalformedResponse and ErrOutcomeUnknown", u, err)
	}
}
