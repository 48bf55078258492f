package drift

import (
	"runtime"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/contract/internal/suitebin"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// TestSuiteStreamsArchives runs the read-only specs that download archives against a database
// whose done backups are 256 MiB each, as a production database's smallest backup may be (the
// spec's example is 17 GB): the suite checks sizes, ranges and versions without holding an
// archive, so its peak memory stays under half of one.
func TestSuiteStreamsArchives(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak memory is read from getrusage's ru_maxrss as Linux gives it")
	}
	const size = 256 << 20
	data := mockserver.DemoSeed()
	done := 0
	for i := range data.Databases {
		if data.Databases[i].Database.ResourceID != mockserver.DemoDatabaseID {
			continue
		}
		for j := range data.Databases[i].Backups {
			if b := &data.Databases[i].Backups[j]; b.Status == dbapi.BackupStatusDone {
				b.Size = new(int64)
				*b.Size = size + int64(j) // distinct sizes: the smallest is still 256 MiB
				done++
			}
		}
	}
	if done < 2 {
		t.Fatalf("the demo database has %d done backups, want 2 (the token of another backup is tried)", done)
	}
	s, err := mockserver.New(mockserver.WithSeed(data), mockserver.WithToken(fixtureToken),
		mockserver.WithDatabaseToken(mockserver.DemoMySQLID, fixtureForeign),
		mockserver.WithBackupTimings(30*time.Millisecond, 60*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	bin := buildSuite(t)
	r, rss := runTargetMeasured(t, bin, s.Handler(), t.TempDir(), "-ginkgo.label-filter=read-only && (backups || bytes)")
	if r.exitCode != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.exitCode, suitebin.Tail(r.output))
	}
	t.Logf("peak resident memory of the suite: %d MiB", rss>>20)
	if rss == 0 || rss > size/2 {
		t.Errorf("the suite's peak resident memory is %d MiB, want under %d MiB (half an archive)", rss>>20, size>>21)
	}
}
