package scalingodb_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// startMock serves the demo data set of the mock on a loopback port, with
// backups and asynchronous operations that finish within 40ms. A real
// program points WithRegion (or WithBaseURL) at the Scalingo API instead.
func startMock() (url string, stop func()) {
	mock, err := mockserver.New(
		mockserver.WithSeed(mockserver.DemoSeed()),
		mockserver.WithBackupTimings(20*time.Millisecond, 20*time.Millisecond),
		mockserver.WithOperationTimings(10*time.Millisecond, 30*time.Millisecond),
	)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(mock.Handler())
	return srv.URL, srv.Close
}

// mockClient returns a client of a mock started by startMock, and the
// function that stops the mock. A real program builds its client as
// Example does, with its region and token.
func mockClient() (client *scalingodb.Client, stop func()) {
	baseURL, stop := startMock()
	client, err := scalingodb.New(scalingodb.WithBaseURL(baseURL), scalingodb.WithToken(mockserver.DefaultToken))
	if err != nil {
		log.Fatal(err)
	}
	return client, stop
}

// Example is the quick start of the README: list the users of a database,
// back it up, wait for the backup and download it.
func Example() {
	baseURL, stop := startMock()
	defer stop()
	ctx := context.Background()

	client, err := scalingodb.New(
		scalingodb.WithBaseURL(baseURL),               // or scalingodb.WithRegion("osc-fr1")
		scalingodb.WithToken(mockserver.DefaultToken), // os.Getenv("DB_BEARER_TOKEN")
	)
	if err != nil {
		log.Fatal(err)
	}

	users, err := client.Users.List(ctx, "my-db-123")
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		fmt.Printf("user %s (read-only: %t)\n", u.Name, u.ReadOnly)
	}

	backup, err := client.Backups.CreateAndWait(ctx, "my-db-123", scalingodb.WithPollInterval(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("backup:", backup.Status)

	dir, err := os.MkdirTemp("", "backup")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	n, err := client.Backups.DownloadToFile(ctx, "my-db-123", backup.ID, filepath.Join(dir, "backup.tar.gz"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("downloaded the whole archive:", n == backup.Size)
	// Output:
	// user my-db-123 (read-only: false)
	// user metabase (read-only: true)
	// user reporting (read-only: false)
	// backup: done
	// downloaded the whole archive: true
}

// ExampleUsersService_Create shows the password of a new user: it prints
// redacted, and Reveal gives the real value.
func ExampleUsersService_Create() {
	client, stop := mockClient()
	defer stop()
	user, err := client.Users.Create(context.Background(), "my-db-123", &scalingodb.CreateUserParams{Name: "my-user"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user)
	fmt.Println("password length:", len(user.Password.Reveal()))

	// Names that break the rules are refused before any request:
	// ErrInvalidInput, not the server's ErrValidation.
	_, err = client.Users.Create(context.Background(), "my-db-123", &scalingodb.CreateUserParams{Name: "Bad_Name"})
	fmt.Println(errors.Is(err, scalingodb.ErrInvalidInput), errors.Is(err, scalingodb.ErrValidation))
	// Output:
	// DatabaseUser{Name: my-user, ReadOnly: false, Protected: false, Password: [redacted]}
	// password length: 32
	// true false
}

// ExampleMaintenanceService_All walks every page of the maintenance list.
func ExampleMaintenanceService_All() {
	client, stop := mockClient()
	defer stop()
	count := 0
	for m, err := range client.Maintenance.All(context.Background(), "my-db-123") {
		if err != nil {
			log.Fatal(err)
		}
		_ = m
		count++
	}
	fmt.Println(count, "maintenance operations")
	// Output:
	// 26 maintenance operations
}

// ExampleAPIError shows how errors are matched.
func ExampleAPIError() {
	client, stop := mockClient()
	defer stop()
	_, err := client.Databases.Get(context.Background(), "no-such-db")
	var apiErr *scalingodb.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, errors.Is(err, scalingodb.ErrNotFound), apiErr.RequestID != "")
	}
	// Output:
	// 404 true true
}

// ExampleNewAddonTokenSource authenticates with a Scalingo API token: the
// source exchanges it, fetches the addon token of the database, caches it
// for its hour of validity and renews it five minutes before it expires.
func ExampleNewAddonTokenSource() {
	tokens, err := scalingodb.NewAddonTokenSource(scalingodb.AddonTokenConfig{
		APIToken: scalingodb.NewSecret("tk-us-example"), // os.Getenv("SCALINGO_API_TOKEN")
		App:      "my-app",
		AddonID:  "ad-0123456789",
		Region:   "osc-fr1",
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := scalingodb.New(scalingodb.WithRegion("osc-fr1"), scalingodb.WithTokenSource(tokens))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output:
	// https://db-api.osc-fr1.scalingo.com/api
}

// ExampleBackupsService_DownloadAt downloads an archive over four ranged
// connections into any io.WriterAt, reporting progress.
func ExampleBackupsService_DownloadAt() {
	client, stop := mockClient()
	defer stop()
	f, err := os.CreateTemp("", "backup-*.tar.gz")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	var last int64
	n, err := client.Backups.DownloadAt(context.Background(), "my-db-123", "5bd2c6104ffb090be1ac3ce2", f,
		scalingodb.WithParallel(4),
		scalingodb.WithProgress(func(done, total int64) { last = done }))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, last)
	// Output:
	// 1234567 1234567
}

// ExampleBackupsService_Latest picks the newest done backup of a database,
// passing over those still running or scheduled, and downloads its archive.
func ExampleBackupsService_Latest() {
	client, stop := mockClient()
	defer stop()
	ctx := context.Background()
	b, err := client.Backups.Latest(ctx, "my-db-123")
	if errors.Is(err, scalingodb.ErrNoBackup) {
		log.Fatal("no backup to download yet")
	} else if err != nil {
		log.Fatal(err)
	}
	n, err := client.Backups.Download(ctx, "my-db-123", b.ID, io.Discard)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.ID, b.Name, n)
	// Output:
	// 5bd2c6104ffb090be1ac3ce2 20181026010000_my-db-123 1234567
}

// ExampleBackupsService_Download streams an archive in order into any
// io.Writer (here a hash; a pipe to gpg or an object store works alike).
func ExampleBackupsService_Download() {
	client, stop := mockClient()
	defer stop()
	h := sha256.New()
	n, err := client.Backups.Download(context.Background(), "my-db-123", "5bd2c6104ffb090be1ac3ce2", h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, h.Size())
	// Output:
	// 1234567 32
}

// ExampleBackupsService_Wait waits for a backup, printing each state
// change, and keeps the backup's ID when the wait times out.
func ExampleBackupsService_Wait() {
	client, stop := mockClient()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	backup, err := client.Backups.Create(ctx, "my-db-123")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(backup.Status)
	last := backup.Status
	backup, err = client.Backups.Wait(ctx, backup.ID,
		scalingodb.WithPollInterval(10*time.Millisecond, 100*time.Millisecond),
		scalingodb.WithPollCallback(func(e scalingodb.PollEvent) {
			if e.Err == nil && scalingodb.BackupStatus(e.State) != last {
				last = scalingodb.BackupStatus(e.State) // a program would show the change here
			}
		}))
	var waitErr *scalingodb.WaitError
	if errors.As(err, &waitErr) {
		log.Fatalf("backup %s still %s: wait again later", waitErr.ID, waitErr.LastState)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(last, backup.Size > 0)
	// Output:
	// scheduled
	// done true
}
