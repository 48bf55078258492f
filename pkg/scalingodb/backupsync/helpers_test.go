package backupsync

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// testBucket is the bucket of the in-process S3 server.
const testBucket = "offsite"

// startS3 serves gofakes3 (in memory) on 127.0.0.1 and returns the s3://
// URL of its bucket with prefix, reached through s3blob and the AWS SDK
// as a user's bucket is (path-style, a static key in the environment).
func startS3(t testing.TB, prefix string) string {
	t.Helper()
	_, base := fakeS3(t)
	s3Env(t)
	return s3URL(base, prefix)
}

// fakeS3 serves gofakes3 (in memory, with testBucket) on 127.0.0.1 and
// returns its backend and its base URL.
func fakeS3(t testing.TB) (*s3mem.Backend, string) {
	t.Helper()
	backend, h := fakeS3Handler(t)
	return backend, httptestServer(t, h)
}

// fakeS3Handler is gofakes3 in memory with testBucket, for a test that
// puts its own handler in front of it.
func fakeS3Handler(t testing.TB) (*s3mem.Backend, http.Handler) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	return backend, gofakes3.New(backend).Server()
}

// s3Env sets the credentials of the S3 server and keeps the SDK off the
// instance metadata service and the user's files.
func s3Env(t testing.TB) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

// s3URL is the destination URL of the test bucket on the server at base.
func s3URL(base, prefix string) string {
	return "s3://" + testBucket + "/" + prefix + "?region=us-east-1&use_path_style=true&endpoint=" + base
}

// counts counts the requests a mock received, by kind.
type counts struct {
	lists, archives, other atomic.Int64
}

// wrap counts the requests of h.
func (c *counts) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/download"):
			c.archives.Add(1)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/backups"):
			c.lists.Add(1)
		default:
			c.other.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

// fixture is a mock with databases and their done backups.
type fixture struct {
	srv    *mockserver.Server
	base   string
	counts *counts
	client *scalingodb.Client
	dbs    []string
}

// dbName is the ID of the i-th database of a fixture.
func dbName(i int) string { return fmt.Sprintf("db-%02d", i) }

// backupID is the ID of the j-th backup of the i-th database.
func backupID(i, j int) string { return fmt.Sprintf("%016x%08x", 0x5bd5c2f04ffb0900+i, j) }

// backupTime is when the j-th backup was made: one a day at 03:15 UTC.
func backupTime(j int) time.Time {
	return time.Date(2026, 12, 1, 3, 15, 0, 0, time.UTC).AddDate(0, 0, j)
}

// seedOf returns a seed of n databases with perDB done backups of size
// bytes each (and one running backup, which is never copied).
func seedOf(n, perDB int, size int64) mockserver.Seed {
	demo := mockserver.DemoSeed()
	seed := mockserver.Seed{TypeVersions: demo.TypeVersions, DatabaseTypes: demo.DatabaseTypes, Plans: demo.Plans, ManagedRanges: demo.ManagedRanges}
	periodic := dbapi.BackupMethodPeriodic
	for i := range n {
		sd := mockserver.SeedDatabase{Database: demo.Databases[0].Database}
		sd.Database.ID = fmt.Sprintf("%024x", 0xa0000+i)
		sd.Database.ResourceID = dbName(i)
		for j := range perDB {
			created := backupTime(j)
			sz := size
			sd.Backups = append(sd.Backups, dbapi.Backup{ID: backupID(i, j), CreatedAt: created, StartedAt: &created,
				Name: fmt.Sprintf("%s_%s", created.Format("20060102150405"), dbName(i)), Size: &sz,
				Status: dbapi.BackupStatusDone, DatabaseID: sd.Database.ID, Method: &periodic})
		}
		running := backupTime(perDB)
		sd.Backups = append(sd.Backups, dbapi.Backup{ID: backupID(i, 999), CreatedAt: running, StartedAt: &running,
			Name: "running", Status: dbapi.BackupStatusRunning, DatabaseID: sd.Database.ID, Method: &periodic})
		seed.Databases = append(seed.Databases, sd)
	}
	return seed
}

// newFixture starts a mock of n databases × perDB backups of size bytes.
func newFixture(t testing.TB, n, perDB int, size int64, opts ...mockserver.Option) *fixture {
	t.Helper()
	all := append([]mockserver.Option{
		mockserver.WithSeed(seedOf(n, perDB, size)),
		mockserver.WithDownloadTTL(time.Hour),
		mockserver.WithResponseViolationHandler(func(err error) { t.Errorf("mock response violates the spec: %v", err) }),
	}, opts...)
	srv, err := mockserver.New(all...)
	if err != nil {
		t.Fatal(err)
	}
	c := &counts{}
	hs := httptest.NewServer(c.wrap(srv.Handler()))
	t.Cleanup(hs.Close)
	client, err := scalingodb.New(scalingodb.WithBaseURL(hs.URL+"/api"), scalingodb.WithToken(mockserver.DefaultToken),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond, MaxAttempts: 8}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	f := &fixture{srv: srv, base: hs.URL + "/api", counts: c, client: client}
	for i := range n {
		f.dbs = append(f.dbs, dbName(i))
	}
	return f
}

// sources returns the fixture's databases as sources.
func (f *fixture) sources() []Source {
	var out []Source
	for _, db := range f.dbs {
		out = append(out, Source{DatabaseID: db, Client: f.client})
	}
	return out
}

// open opens a destination, closed at the end of the test.
func open(t testing.TB, url string) *Destination {
	t.Helper()
	d, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// fastRetry makes downloads retry quickly in tests.
var fastRetry = []scalingodb.DownloadOption{scalingodb.WithDownloadRetry(scalingodb.RetryPolicy{MaxAttempts: 20, MinWait: time.Millisecond, MaxWait: 20 * time.Millisecond})}

// httptestServer serves h on 127.0.0.1 for the test.
func httptestServer(t testing.TB, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// clientFor is a client of the mock at base with quick retries.
func clientFor(t testing.TB, base string) *scalingodb.Client {
	t.Helper()
	c, err := scalingodb.New(scalingodb.WithBaseURL(base), scalingodb.WithToken(mockserver.DefaultToken),
		scalingodb.WithRetry(scalingodb.RetryPolicy{MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond, MaxAttempts: 8}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// shortRetry gives up a cut download quickly.
var shortRetry = scalingodb.WithDownloadRetry(scalingodb.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond})
