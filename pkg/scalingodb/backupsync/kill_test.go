//go:build unix

package backupsync

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Settings of the child process of TestSync_SurvivesSIGKILL.
const (
	envChildMock = "BACKUPSYNC_CHILD_MOCK"
	envChildDest = "BACKUPSYNC_CHILD_DEST"
	envChildDBs  = "BACKUPSYNC_CHILD_DBS"
)

// TestSyncChild is the sync that TestSync_SurvivesSIGKILL runs as a child
// process and kills; it does nothing in a normal run.
func TestSyncChild(t *testing.T) {
	base := os.Getenv(envChildMock)
	if base == "" {
		t.Skip("runs only as the child of TestSync_SurvivesSIGKILL")
	}
	c, err := scalingodb.New(scalingodb.WithBaseURL(base), scalingodb.WithToken(mockserver.DefaultToken))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), os.Getenv(envChildDest))
	if err != nil {
		t.Fatal(err)
	}
	var sources []Source
	for _, db := range strings.Split(os.Getenv(envChildDBs), ",") {
		sources = append(sources, Source{DatabaseID: db, Client: c})
	}
	for _, r := range Sync(context.Background(), d, sources, Options{Jobs: 4}) {
		if r.Failed() {
			t.Error(r.Err)
		}
	}
}

// TestSync_SurvivesSIGKILL runs the sync as a child process and kills it
// with SIGKILL at a random point, 20 times; after each kill no object at
// a final key is partial and the manifests parse. A last run to the end
// leaves exactly the objects the manifests list, all verified.
func TestSync_SurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 40 processes")
	}
	const (
		nDB, perDB = 4, 3
		size       = 256 << 10
		kills      = 20
	)
	for _, kind := range []string{"s3", "folder"} {
		t.Run(kind, func(t *testing.T) {
			// 4 MiB/s per download: an archive takes ~60 ms, a run ~250 ms.
			f := newFixture(t, nDB, perDB, size, mockserver.WithBandwidthLimit(4<<20))
			dest := destinations(t)[kind](t)
			d := open(t, dest)
			rng := rand.New(rand.NewPCG(1, uint64(len(kind))))
			for i := range kills {
				cmd := exec.Command(os.Args[0], "-test.run=^TestSyncChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), envChildMock+"="+f.base, envChildDest+"="+dest, envChildDBs+"="+strings.Join(f.dbs, ","))
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				checkFinalKeys(t, d, f, fmt.Sprintf("after kill %d", i+1))
			}
			res := Sync(context.Background(), d, f.sources(), Options{Jobs: 4, Download: fastRetry})
			for _, r := range res {
				if r.Failed() {
					t.Fatalf("final run: %+v", r)
				}
			}
			vr, err := Verify(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range vr {
				if r.Failed() || r.OK != perDB || len(r.Unlisted) != 0 {
					t.Errorf("verify %s after the final run: %+v", r.DatabaseID, r)
				}
			}
			checkFinalKeys(t, d, f, "after the final run")
		})
	}
}

// checkFinalKeys fails when an object at the final key of a backup is not
// that backup's whole archive, or when a manifest does not parse or lists
// an object that is not whole.
func checkFinalKeys(t *testing.T, d *Destination, f *fixture, when string) {
	t.Helper()
	ctx := context.Background()
	for i, db := range f.dbs {
		m, err := d.readManifest(ctx, db)
		if err != nil {
			t.Fatalf("%s: manifest of %s: %v", when, db, err)
		}
		objs, err := d.objects(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 3 {
			id := backupID(i, j)
			name := objectName(backupTime(j), id, "x.tar.gz")
			size, ok := objs[name]
			if !ok {
				if m.entry(id) != nil {
					t.Errorf("%s: %s/%s is listed, absent", when, db, name)
				}
				continue
			}
			n, sum, err := d.hashObject(ctx, d.key(db, name))
			if err != nil || n != size || n != 256<<10 || sum != archiveSum(t, id, 256<<10) {
				t.Errorf("%s: %s/%s is not the whole archive: %d bytes, %v", when, db, name, n, err)
			}
		}
	}
}
