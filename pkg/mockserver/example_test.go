package mockserver_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// bearer authenticates every request of the generated client.
func bearer(token string) dbapi.ClientOption {
	return dbapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	})
}

// serveDemo serves the demo data set with opts on a local port, as Example does step by step, and
// returns the generated client of it and the function that stops it.
func serveDemo(opts ...mockserver.Option) (*dbapi.ClientWithResponses, func()) {
	srv, err := mockserver.New(append([]mockserver.Option{mockserver.WithSeed(mockserver.DemoSeed())}, opts...)...)
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	c, err := dbapi.NewClientWithResponses(ts.URL+"/api", bearer(mockserver.DefaultToken))
	if err != nil {
		panic(err)
	}
	return c, ts.Close
}

// The demo data set, served on a local port and read with the generated client. In a test,
// mockserver.Start does the serving and the cleanup in one call.
func Example() {
	srv, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()))
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	c, err := dbapi.NewClientWithResponses(ts.URL+"/api", bearer(mockserver.DefaultToken))
	if err != nil {
		panic(err)
	}
	resp, err := c.ListDatabaseUsersWithResponse(context.Background(), "my-db-123")
	if err != nil {
		panic(err)
	}
	for _, u := range resp.JSON200.DatabaseUsers {
		fmt.Println(u.Name, "read-only:", u.ReadOnly)
	}
	// Output:
	// my-db-123 read-only: false
	// metabase read-only: true
	// reporting read-only: false
}

// A backup follows the clock: with a ManualClock its lifecycle is deterministic.
func ExampleManualClock() {
	clock := mockserver.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c, stop := serveDemo(mockserver.WithClock(clock), mockserver.WithBackupTimings(time.Minute, 10*time.Minute))
	defer stop()
	ctx := context.Background()

	created, err := c.CreateBackupWithResponse(ctx, "my-db-123")
	if err != nil {
		panic(err)
	}
	env, err := created.JSON201.AsBackupResponse()
	if err != nil {
		panic(err)
	}
	id := env.DatabaseBackup.ID
	for _, step := range []time.Duration{0, time.Minute, 10 * time.Minute} {
		clock.Advance(step)
		b, err := c.GetBackupWithResponse(ctx, id)
		if err != nil {
			panic(err)
		}
		fmt.Println(b.JSON200.DatabaseBackup.Status, b.JSON200.DatabaseBackup.Size != nil)
	}
	// Output:
	// scheduled false
	// running false
	// done true
}

// Contract mutations make the mock break the spec on purpose, to prove a checker notices.
func ExampleMutations() {
	for _, m := range mockserver.Mutations()[:3] {
		fmt.Printf("%s (%s): %s\n", m.Name, m.OperationID, m.Description)
	}
	// Output:
	// array-where-object (getDatabase): database is an array holding the database
	// bare-object-where-envelope-required (getBackup): the backup is not wrapped in database_backup
	// body-on-204 (deleteDatabaseUser): the 204 answer carries a JSON body
}

// With ArchiveChangeRate, an archive changes after a download: a resume that sends the first
// answer's ETag in If-Range gets the whole new archive (200), not a range of it to splice onto the
// old bytes.
func ExampleFaults_archiveChange() {
	c, stop := serveDemo(mockserver.WithFaults(mockserver.Faults{ArchiveChangeRate: 1}))
	defer stop()
	ctx := context.Background()
	link, err := c.GetBackupArchiveWithResponse(ctx, "my-db-123", mockserver.DemoBackupID)
	if err != nil {
		panic(err)
	}
	get := func(header ...string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, link.JSON200.DownloadURL, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close() // a real client would read the body
		return resp
	}
	first := get("Range", "bytes=0-999")
	resumed := get("Range", "bytes=1000-", "If-Range", first.Header.Get("ETag"))
	fmt.Println(first.StatusCode, resumed.StatusCode, first.Header.Get("ETag") != resumed.Header.Get("ETag"))
	// Output:
	// 206 200 true
}

// HTTPServer serves the mock with its header and idle time limits, as cmd/scalingodb-mock does.
func ExampleServer_HTTPServer() {
	srv, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithTimeouts(mockserver.Timeouts{Idle: 30 * time.Second}))
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hs := srv.HTTPServer()
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/api/databases/my-db-123", nil)
	req.Header.Set("Authorization", "Bearer "+mockserver.DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, hs.ReadHeaderTimeout, hs.IdleTimeout)
	// Output:
	// 200 10s 30s
}
