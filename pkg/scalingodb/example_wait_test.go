package scalingodb_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// ExampleOperationsService_Wait starts an upgrade and waits for the
// operation that runs it.
func ExampleOperationsService_Wait() {
	client, stop := mockClient()
	defer stop()
	ctx := context.Background()

	upgrade, err := client.Databases.Upgrade(ctx, "my-db-123")
	if err != nil {
		log.Fatal(err)
	}
	op, err := client.Operations.Wait(ctx, "my-db-123", upgrade.OperationID, scalingodb.WithPollInterval(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op.Type, op.Status)
	// Output: upgrade finished
}

// ExampleBackupsService_RestoreAndWait restores a backup into its database,
// waits for the restoration, and saves the CA certificate to verify TLS
// connections to the database.
func ExampleBackupsService_RestoreAndWait() {
	client, stop := mockClient()
	defer stop()
	ctx := context.Background()

	r, err := client.Backups.RestoreAndWait(ctx, "my-db-123", mockserver.DemoBackupID, scalingodb.WithPollInterval(5*time.Millisecond, 20*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restoration:", r.Status)

	dir, err := os.MkdirTemp("", "ca")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if _, err := client.Databases.CACertificateToFile(ctx, filepath.Join(dir, "ca.pem")); err != nil {
		log.Fatal(err)
	}
	fmt.Println("CA certificate saved")
	// Output:
	// restoration: done
	// CA certificate saved
}
