package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func backupsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backups",
		Short: "List, create, wait for, download and restore backups",
		Example: `  scalingodb backups list
  scalingodb backups create --wait
  scalingodb backups download --latest -o backups/`,
	}
	cmd.AddCommand(backupsListCmd(a), backupsGetCmd(a), backupsCreateCmd(a), backupsWaitCmd(a),
		backupsLinkCmd(a), backupsDownloadCmd(a), backupsRestoreCmd(a), backupsRestorationCmd(a))
	return cmd
}

func backupRow(b *scalingodb.Backup) []string {
	size := "-"
	if b.Status == scalingodb.BackupDone {
		size = bytesText(b.Size)
	}
	return []string{b.ID, b.Name, string(b.Status), size, string(b.Method), timeText(b.CreatedAt)}
}

var backupHeader = []string{"ID", "NAME", "STATUS", "SIZE", "METHOD", "CREATED"}

func backupsResult(bs ...*scalingodb.Backup) result {
	r := result{Header: backupHeader}
	for _, b := range bs {
		r.Rows = append(r.Rows, backupRow(b))
		r.Names = append(r.Names, b.ID)
	}
	return r
}

func backupsListCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the backups of the database, newest first",
		Example: "  scalingodb backups list\n  scalingodb backups list -o json | jq '.[] | select(.status == \"done\") | .id'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.formatTarget(cmd, format)
			if err != nil {
				return err
			}
			bs, err := c.Backups.List(cmd.Context(), db)
			if err != nil {
				return errf(err, "cannot list the backups of %s", db)
			}
			r := backupsResult(bs...)
			if bs == nil {
				bs = []*scalingodb.Backup{}
			}
			r.JSON = bs
			return a.print(format, r)
		},
	}
	addFormatFlag(cmd, &format)
	return cmd
}

func backupsGetCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "get ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Show one backup",
		Example:           "  scalingodb backups get 5bd5c2f04ffb090be1ac3c9b",
		Args:              cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.formatClient(cmd, format)
			if err != nil {
				return err
			}
			b, err := c.Backups.Get(cmd.Context(), args[0])
			if err != nil {
				return errf(err, "cannot get backup %s", args[0])
			}
			r := backupsResult(b)
			r.JSON = b
			return a.print(format, r)
		},
	}
	addFormatFlag(cmd, &format)
	return cmd
}

// waitFlags tune a wait.
type waitFlags struct {
	timeout  time.Duration
	interval time.Duration
}

func (w *waitFlags) add(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&w.timeout, "timeout", 0, "give up waiting after this long (exit code 5; 0: no limit)")
	cmd.Flags().DurationVar(&w.interval, "poll-interval", time.Second, "first interval between two polls (it grows up to 15s)")
}

// context bounds ctx by the timeout.
func (w *waitFlags) context(ctx context.Context) (context.Context, context.CancelFunc) {
	if w.timeout > 0 {
		return context.WithTimeout(ctx, w.timeout)
	}
	return context.WithCancel(ctx)
}

// waitBackup waits for a backup to be done, printing each change of its
// state on stderr.
func (a *app) waitBackup(ctx context.Context, c *scalingodb.Client, w waitFlags, b *scalingodb.Backup) (*scalingodb.Backup, error) {
	if b.Status == scalingodb.BackupDone {
		return b, nil
	}
	wctx, cancel := w.context(ctx)
	defer cancel()
	last := b.Status
	a.status("backup %s: %s", b.ID, last)
	onPoll := func(e scalingodb.PollEvent) {
		if s := scalingodb.BackupStatus(e.State); e.Err == nil && s != last {
			last = s
			a.status("backup %s: %s", e.ID, last)
		}
	}
	done, err := c.Backups.Wait(wctx, b.ID, scalingodb.WithPollInterval(w.interval, 15*time.Second), scalingodb.WithPollCallback(onPoll))
	if err != nil {
		return nil, waitEnded(ctx, err, "backup "+b.ID, string(b.Status), "run 'scalingodb backups wait "+b.ID+"' to wait again")
	}
	if done.Status != last {
		a.status("backup %s: %s", done.ID, done.Status)
	}
	return done, nil
}

func backupsCreateCmd(a *app) *cobra.Command {
	var (
		format string
		wait   bool
		wf     waitFlags
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Start a manual backup, and wait for it with --wait",
		Example: `  scalingodb backups create
  scalingodb backups create --wait --timeout 30m -o name`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.formatTarget(cmd, format)
			if err != nil {
				return err
			}
			b, err := c.Backups.Create(cmd.Context(), db)
			if err != nil {
				return errf(withHint(err, "check with 'scalingodb backups list' for a new manual backup before creating another"), "cannot create a backup of %s", db)
			}
			if wait {
				if b, err = a.waitBackup(cmd.Context(), c, wf, b); err != nil {
					return errf(err, "backup of %s", db)
				}
			}
			r := backupsResult(b)
			r.JSON = b
			return a.print(format, r)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the backup is done, showing its state as it changes")
	wf.add(cmd)
	addFormatFlag(cmd, &format)
	return cmd
}

func backupsWaitCmd(a *app) *cobra.Command {
	var (
		format string
		wf     waitFlags
	)
	cmd := &cobra.Command{
		Use:               "wait ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Wait until a backup is done, showing its state as it changes",
		Long: `Wait until a backup is done, showing its state on stderr as it changes.
A backup that ends in error exits with code 1; a wait that runs out of
--timeout exits with code 5 and can be started again.`,
		Example: "  scalingodb backups wait 5bd5c2f04ffb090be1ac3c9b --timeout 1h",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.formatClient(cmd, format)
			if err != nil {
				return err
			}
			b, err := c.Backups.Get(cmd.Context(), args[0])
			if err != nil {
				return errf(err, "cannot get backup %s", args[0])
			}
			if b, err = a.waitBackup(cmd.Context(), c, wf, b); err != nil {
				return err
			}
			r := backupsResult(b)
			r.JSON = b
			return a.print(format, r)
		},
	}
	wf.add(cmd)
	addFormatFlag(cmd, &format)
	return cmd
}

func backupsLinkCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:               "link ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Print a pre-signed link to the archive of a backup",
		Long: `Print a pre-signed link to the archive of a backup. The link carries its own
token and expires: anyone who has it can download the archive until then.`,
		Example: "  curl -o backup.tar.gz \"$(scalingodb backups link 5bd5c2f04ffb090be1ac3c9b)\"",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, db, err := a.formatTarget(cmd, format)
			if err != nil {
				return err
			}
			link, err := c.Backups.ArchiveLink(cmd.Context(), db, args[0])
			if err != nil {
				return errf(err, "cannot get a link to backup %s of %s", args[0], db)
			}
			return a.print(format, result{
				JSON:  map[string]string{"download_url": link.URL()},
				Rows:  [][]string{{link.URL()}},
				Names: []string{link.URL()},
			})
		},
	}
	addFormatFlag(cmd, &format)
	return cmd
}

func backupsDownloadCmd(a *app) *cobra.Command {
	var (
		out      string
		latest   bool
		parallel int
	)
	cmd := &cobra.Command{
		Use:               "download [ID | --latest]",
		ValidArgsFunction: completeBackups(a),
		Short:             "Download the archive of a backup (the latest done one by default)",
		Long: `Download the archive of a backup: the one named, or the latest done backup
when no ID is given (--latest says so explicitly).

-o names the file, or a folder in which the file is named after the backup
(the default is the current folder); "-o -" streams the archive to stdout.
A file is written next to its destination and renamed over it only once
complete: an interrupted download (Ctrl-C, a cut) leaves the destination as
it was, and the next run resumes the partial file. The path of the file is
printed on stdout. A progress bar shows on stderr when it is a terminal.`,
		Example: `  scalingodb backups download --latest -o backups/
  scalingodb backups download 5bd5c2f04ffb090be1ac3c9b -o latest.tar.gz --parallel 4
  scalingodb backups download -o - | gpg --encrypt -r ops@example.com > backup.tar.gz.gpg`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if latest && len(args) > 0 {
				return usagef(cmd, "give a backup ID or --latest, not both")
			}
			if parallel < 1 || parallel > 16 {
				return usagef(cmd, "--parallel must be within 1-16")
			}
			if out == "-" && parallel > 1 {
				return usagef(cmd, "--parallel needs a file: a stream to stdout is sequential")
			}
			c, db, err := a.target(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var b *scalingodb.Backup
			if len(args) == 1 {
				if b, err = c.Backups.Get(ctx, args[0]); err != nil {
					return errf(err, "cannot get backup %s", args[0])
				}
			} else if b, err = latestDone(ctx, c, db); err != nil {
				return err
			}
			if b.Status != scalingodb.BackupDone {
				return errf(errors.New("it is "+string(b.Status)+", not done: wait for it with 'scalingodb backups wait "+b.ID+"'"),
					"cannot download backup %s", b.ID)
			}
			return a.download(ctx, c, db, b, out, parallel)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "destination: a file, a folder (the file is named after the backup), or - for stdout")
	cmd.Flags().BoolVar(&latest, "latest", false, "download the latest done backup (the default without an ID)")
	cmd.Flags().IntVar(&parallel, "parallel", 1, "ranged connections to fetch the archive over (1-16; files only)")
	return cmd
}

// latestDone returns the newest backup in the done state.
func latestDone(ctx context.Context, c *scalingodb.Client, db string) (*scalingodb.Backup, error) {
	b, err := c.Backups.Latest(ctx, db)
	switch {
	case errors.Is(err, scalingodb.ErrNoBackup):
		return nil, errf(errors.New("no backup is done: create one with 'scalingodb backups create --wait'"), "cannot download the latest backup of %s", db)
	case err != nil:
		return nil, errf(err, "cannot list the backups of %s", db)
	}
	return b, nil
}

// archiveName is the file name of a backup's archive: its name (or ID)
// with only safe characters, and .tar.gz.
func archiveName(b *scalingodb.Backup) string {
	name := b.Name
	if name == "" {
		name = b.ID
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		name = "backup"
	}
	if !strings.HasSuffix(name, ".gz") && !strings.HasSuffix(name, ".tgz") {
		name += ".tar.gz"
	}
	return name
}

// destination resolves -o: "" is the current folder, a folder (existing,
// or written with a trailing slash) gets the archive's name.
func destination(out string, b *scalingodb.Backup) (string, error) {
	if out == "" {
		return archiveName(b), nil
	}
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", err
		}
		return filepath.Join(out, archiveName(b)), nil
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return filepath.Join(out, archiveName(b)), nil
	}
	return out, nil
}

func (a *app) download(ctx context.Context, c *scalingodb.Client, db string, b *scalingodb.Backup, out string, parallel int) error {
	if out == "-" {
		p := a.newProgress("downloading "+b.ID, b.Size)
		n, err := c.Backups.Download(ctx, db, b.ID, a.io.Out, scalingodb.WithProgress(p.set))
		p.end(err == nil)
		if err != nil {
			return errf(err, "cannot download backup %s", b.ID)
		}
		p.summary(n, "stdout")
		return nil
	}
	path, err := destination(out, b)
	if err != nil {
		return errf(err, "cannot download backup %s", b.ID)
	}
	p := a.newProgress("downloading "+filepath.Base(path), b.Size)
	n, err := c.Backups.DownloadToFile(ctx, db, b.ID, path, scalingodb.WithProgress(p.set), scalingodb.WithParallel(parallel))
	p.end(err == nil)
	if err != nil {
		return errf(err, "cannot download backup %s to %s", b.ID, path)
	}
	p.summary(n, path)
	_, err = a.io.Out.Write([]byte(path + "\n"))
	return err
}
