package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// waitForBackup waits for a backup to be done, calling onPoll after each poll.
func waitForBackup(ctx context.Context, c *scalingodb.Client, id string, first time.Duration, onPoll func(*scalingodb.Backup)) (*scalingodb.Backup, error) {
	return c.Backups.Wait(ctx, id, scalingodb.PollEvery(first, 15*time.Second))
}

// streamBackup streams the archive of a backup to w.
func streamBackup(ctx context.Context, c *scalingodb.Client, db, id string, w io.Writer, opts ...scalingodb.DownloadOption) (int64, error) {
	return c.Backups.Download(ctx, db, id, &seqWriterAt{w: w}, opts...)
}

type seqWriterAt struct {
	w   io.Writer
	off int64
}

func (s *seqWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if off != s.off {
		return 0, fmt.Errorf("out of order write at %d, want %d", off, s.off)
	}
	n, err := s.w.Write(p)
	s.off += int64(n)
	return n, err
}
