// Command scalingodb-quickstart is the README's quick start as a program: it
// lists the users of a database, backs the database up, waits for the backup
// and downloads its archive.
//
//	DBAPI_BASE_URL=https://db-api.osc-fr1.scalingo.com/api \
//	DB_BEARER_TOKEN=... DBAPI_DATABASE_ID=my-db-123 \
//	go run ./cmd/scalingodb-quickstart
//
// Without DBAPI_BASE_URL it talks to the osc-fr1 region. CI runs it against
// cmd/scalingodb-mock.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("scalingodb-quickstart: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	db := os.Getenv("DBAPI_DATABASE_ID")
	token := os.Getenv("DB_BEARER_TOKEN")
	if db == "" || token == "" {
		return fmt.Errorf("set DB_BEARER_TOKEN and DBAPI_DATABASE_ID (and DBAPI_BASE_URL for another endpoint than osc-fr1)")
	}
	endpoint := scalingodb.WithRegion("osc-fr1")
	if base := os.Getenv("DBAPI_BASE_URL"); base != "" {
		endpoint = scalingodb.WithBaseURL(base)
	}
	client, err := scalingodb.New(endpoint, scalingodb.WithToken(token))
	if err != nil {
		return err
	}

	users, err := client.Users.List(ctx, db)
	if err != nil {
		return err
	}
	for _, u := range users {
		fmt.Printf("user %s (read-only: %t)\n", u.Name, u.ReadOnly)
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	backup, err := client.Backups.CreateAndWait(ctx, db, scalingodb.WithPollInterval(100*time.Millisecond, 10*time.Second))
	if err != nil {
		return err
	}
	fmt.Printf("backup %s: %s, %d bytes\n", backup.ID, backup.Status, backup.Size)

	dir, err := os.MkdirTemp("", "scalingodb-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, err := client.Backups.DownloadToFile(ctx, db, backup.ID, filepath.Join(dir, "backup.tar.gz"))
	if err != nil {
		return err
	}
	fmt.Printf("downloaded %d bytes\n", n)
	if n != backup.Size {
		return fmt.Errorf("downloaded %d bytes, the backup has %d", n, backup.Size)
	}
	return nil
}
