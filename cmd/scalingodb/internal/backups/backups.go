// Package backups holds the commands of "scalingodb backups": list, get,
// create and wait for backups, download their archives (atomic, resumable),
// restore them, and sync them to a folder or a bucket and verify the
// copies.
package backups

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/poll"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/progress"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// app is the state of the run, with the methods of the backups commands.
type app struct{ *run.State }

// Command returns the backups command and its subcommands, which share s.
func Command(s *run.State) *cobra.Command {
	a := &app{s}
	cmd := &cobra.Command{
		Use:   "backups",
		Short: "List, create, wait for, download and restore backups",
		Example: `  scalingodb backups list
  scalingodb backups create --wait
  scalingodb backups download --latest -O backups/`,
	}
	cmd.AddCommand(backupsListCmd(a), backupsGetCmd(a), backupsCreateCmd(a), backupsWaitCmd(a),
		backupsLinkCmd(a), backupsDownloadCmd(a), backupsRestoreCmd(a), backupsRestorationCmd(a),
		backupsSyncCmd(a), backupsVerifyCmd(a))
	return cmd
}

// backupColumns print backups: the size once a backup is done.
var backupColumns = output.Columns[*scalingodb.Backup]{
	Header: []string{"ID", "NAME", "STATUS", "SIZE", "METHOD", "CREATED"},
	Row: func(b *scalingodb.Backup) []string {
		size := "-"
		if b.Status == scalingodb.BackupDone {
			size = output.BytesText(b.Size)
		}
		return []string{b.ID, b.Name, string(b.Status), size, string(b.Method), output.TimeText(b.CreatedAt)}
	},
	Name: func(b *scalingodb.Backup) string { return b.ID },
}

func backupsListCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:     "list",
		Short:   "List the backups of the database, newest first",
		Example: "  scalingodb backups list\n  scalingodb backups list -o json | jq '.[] | select(.status == \"done\") | .id'",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		bs, err := c.Backups.List(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot list the backups of %s", db)
		}
		return backupColumns.List(bs), nil
	})
}

func backupsGetCmd(a *app) *cobra.Command {
	return a.SimpleClient(&cobra.Command{
		Use:               "get ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Show one backup",
		Example:           "  scalingodb backups get 5bd5c2f04ffb090be1ac3c9b",
		Args:              cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error) {
		b, err := c.Backups.Get(cmd.Context(), cmd.Flags().Arg(0))
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get backup %s", cmd.Flags().Arg(0))
		}
		return backupColumns.One(b), nil
	})
}

// waitBackup waits for a backup to be done, printing each change of its
// state on stderr with the time waited.
func (a *app) waitBackup(ctx context.Context, c *scalingodb.Client, w poll.Flags, b *scalingodb.Backup) (*scalingodb.Backup, error) {
	if b.Status == scalingodb.BackupDone {
		return b, nil
	}
	wctx, cancel, opts, log := w.Start(ctx, a.State, "backup "+b.ID, string(b.Status))
	defer cancel()
	done, err := c.Backups.Wait(wctx, b.ID, opts...)
	if err != nil {
		return nil, exit.WaitEnded(ctx, err, "backup "+b.ID, string(b.Status), "run 'scalingodb backups wait "+b.ID+"' to wait again")
	}
	log.End(string(done.Status))
	return done, nil
}

func backupsCreateCmd(a *app) *cobra.Command {
	var wf poll.Flags
	cmd := a.Simple(&cobra.Command{
		Use:   "create",
		Short: "Start a manual backup, and wait for it with --wait",
		Example: `  scalingodb backups create
  scalingodb backups create --wait --timeout 30m -o name`,
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		b, err := c.Backups.Create(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(exit.WithHint(err, "check with 'scalingodb backups list' for a new manual backup before creating another"), "cannot create a backup of %s", db)
		}
		if wf.Wait {
			if b, err = a.waitBackup(cmd.Context(), c, wf, b); err != nil {
				return output.Result{}, exit.Errf(err, "backup of %s", db)
			}
		}
		return backupColumns.One(b), nil
	})
	wf.AddWait(cmd, "wait until the backup is done, showing its state as it changes")
	return cmd
}

func backupsWaitCmd(a *app) *cobra.Command {
	var wf poll.Flags
	cmd := a.SimpleClient(&cobra.Command{
		Use:               "wait ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Wait until a backup is done, showing its state as it changes",
		Long: `Wait until a backup is done, showing its state on stderr as it changes.
A backup that ends in error exits with code 1; a wait that runs out of
--timeout exits with code 5 and can be started again.`,
		Example: "  scalingodb backups wait 5bd5c2f04ffb090be1ac3c9b --timeout 1h",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error) {
		b, err := c.Backups.Get(cmd.Context(), cmd.Flags().Arg(0))
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get backup %s", cmd.Flags().Arg(0))
		}
		if b, err = a.waitBackup(cmd.Context(), c, wf, b); err != nil {
			return output.Result{}, err
		}
		return backupColumns.One(b), nil
	})
	wf.Add(cmd)
	return cmd
}

func backupsLinkCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:               "link ID",
		ValidArgsFunction: completeBackups(a),
		Short:             "Print a pre-signed link to the archive of a backup",
		Long: `Print a pre-signed link to the archive of a backup. The link carries its own
token and expires: anyone who has it can download the archive until then.`,
		Example: "  curl -o backup.tar.gz \"$(scalingodb backups link 5bd5c2f04ffb090be1ac3c9b)\"",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		link, err := c.Backups.ArchiveLink(cmd.Context(), db, cmd.Flags().Arg(0))
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get a link to backup %s of %s", cmd.Flags().Arg(0), db)
		}
		return output.Result{
			JSON:  map[string]string{"download_url": link.URL()},
			Rows:  [][]string{{link.URL()}},
			Names: []string{link.URL()},
		}, nil
	})
}

func backupsDownloadCmd(a *app) *cobra.Command {
	var (
		df       downloadFlags
		format   string
		latest   bool
		parallel int
	)
	cmd := &cobra.Command{
		Use: "download [ID [PATH] | --latest]",
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) >= 1 { // the destination
				return nil, cobra.ShellCompDirectiveDefault
			}
			return completeBackups(a)(cmd, args, toComplete)
		},
		Short: "Download the archive of a backup (the latest done one by default)",
		Long: `Download the archive of a backup: the one named, or the latest done backup
when no ID is given (--latest says so explicitly, and the tool says which
backup it chose).

-O/--output-file (or a path after the ID) names the file, or a folder in
which the file is named after the backup (the default is the current
folder); "-O -" streams the archive to stdout, and refuses a terminal
unless --force. -o is the format of what is printed on stdout: the path of
the file (table, name) or a JSON object (json).

A file is written next to its destination and renamed over it only once
complete: an interrupted download (Ctrl-C, a cut) leaves the destination as
it was, and the next run resumes the partial file, and says from where.
After a download the file's modification time is set to the backup's
creation time: a file with the backup's size and that time is taken as the
complete archive and not fetched again (--force fetches it again). When -O
names a folder, the partial files of archives (NAME.tar.gz.partial and its
.partial.json) left there more than 7 days ago are removed.

Progress goes to stderr: a bar on a terminal, plain lines otherwise (at the
start, at each tenth of the archive, and at least every 10 seconds).`,
		Example: `  scalingodb backups download --latest -O backups/
  scalingodb backups download 5bd5c2f04ffb090be1ac3c9b latest.tar.gz --parallel 4
  scalingodb backups download -O - | gpg --encrypt -r ops@example.com > backup.tar.gz.gpg`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkDownloadFormat(cmd, format); err != nil {
				return err
			}
			id := ""
			switch {
			case latest && len(args) > 0:
				return exit.Usagef(cmd, "give a backup ID or --latest, not both (with --latest, name the destination with -O)")
			case len(args) == 2:
				if df.out != "" {
					return exit.Usagef(cmd, "give the destination once: as a path or with -O, not both")
				}
				df.out = args[1]
			}
			if len(args) >= 1 {
				id = args[0]
			}
			if parallel < 1 || parallel > 16 {
				return exit.Usagef(cmd, "--parallel must be within 1-16")
			}
			if df.interval <= 0 {
				return exit.Usagef(cmd, "--progress-interval must be positive")
			}
			if df.out == "-" {
				if parallel > 1 {
					return exit.Usagef(cmd, "--parallel needs a file: a stream to stdout is sequential")
				}
				if format == output.JSON {
					return exit.Usagef(cmd, "-o json needs a file: with -O -, stdout carries the archive")
				}
				if a.IO.OutTTY && !df.force {
					return exit.Usagef(cmd, "refusing to write the archive to a terminal: redirect stdout (-O - > FILE), or pass --force")
				}
			}
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var b *scalingodb.Backup
			if id != "" {
				if b, err = c.Backups.Get(ctx, id); err != nil {
					return exit.Errf(err, "cannot get backup %s", id)
				}
			} else {
				if b, err = latestDone(ctx, c, db); err != nil {
					return err
				}
				a.Status("Selected the most recent successful backup: %s (%s, created %s)", b.ID, output.OrDash(b.Name), output.TimeText(b.CreatedAt))
			}
			switch b.Status {
			case scalingodb.BackupDone:
			case scalingodb.BackupError:
				return exit.Errf(errors.New("it ended in error: download another one (see 'scalingodb backups list') or create one with 'scalingodb backups create --wait'"),
					"cannot download backup %s", b.ID)
			default:
				return exit.Errf(errors.New("it is "+string(b.Status)+", not done: wait for it with 'scalingodb backups wait "+b.ID+"'"),
					"cannot download backup %s", b.ID)
			}
			return a.download(ctx, c, db, b, df, format, parallel)
		},
	}
	cmd.Flags().StringVarP(&df.out, "output-file", "O", "", "destination: a file, a folder (the file is named after the backup), or - for stdout")
	cmd.Flags().BoolVar(&df.force, "force", false, "fetch the archive even when the destination already holds it; write it to stdout even when stdout is a terminal")
	cmd.Flags().DurationVar(&df.interval, "progress-interval", progress.DefaultInterval, "longest time between two plain progress lines")
	_ = cmd.Flags().MarkHidden("progress-interval")
	cmd.Flags().BoolVar(&latest, "latest", false, "download the latest done backup (the default without an ID)")
	cmd.Flags().IntVar(&parallel, "parallel", 1, "ranged connections to fetch the archive over (1-16; files only)")
	run.AddFormatFlag(cmd, &format)
	cmd.Flags().Lookup("output").Usage = "output format on stdout: table or name (the path of the file), or json; not the destination (see -O)"
	return cmd
}

// downloadFlags are the flags of backups download that say where and how.
type downloadFlags struct {
	out      string
	force    bool
	interval time.Duration
}

// checkDownloadFormat refuses a -o that is not a format, pointing to -O:
// -o was the destination of download before it was the format.
func checkDownloadFormat(cmd *cobra.Command, format string) error {
	switch format {
	case output.Table, output.JSON, output.Name:
		return nil
	}
	return exit.Usagef(cmd, "-o is the output format (table, json or name), not the destination: to write the archive to %q, use -O %s", format, format)
}

// latestDone returns the newest backup in the done state.
func latestDone(ctx context.Context, c *scalingodb.Client, db string) (*scalingodb.Backup, error) {
	b, err := c.Backups.Latest(ctx, db)
	switch {
	case errors.Is(err, scalingodb.ErrNoBackup):
		return nil, exit.Errf(errors.New("no backup is done: create one with 'scalingodb backups create --wait'"), "cannot download the latest backup of %s", db)
	case err != nil:
		return nil, exit.Errf(err, "cannot list the backups of %s", db)
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

// download fetches the archive of b to the destination of df and prints
// where it went.
func (a *app) download(ctx context.Context, c *scalingodb.Client, db string, b *scalingodb.Backup, df downloadFlags, format string, parallel int) error {
	if df.out == "-" {
		p := progress.Start(a.Stderr(), b.ID, b.Size, 0, df.interval)
		_, err := c.Backups.Download(ctx, db, b.ID, a.IO.Out, scalingodb.WithProgress(p.Set))
		p.End(err == nil)
		if err != nil {
			hint := "run '" + resumeCommand(db, b.ID, "-") + "' again: a stream to stdout starts from the beginning"
			return exit.Errf(&exit.ResumeHint{Err: err, Hint: hint}, "cannot download backup %s", b.ID)
		}
		p.Summary(b.Size, "stdout")
		return nil
	}
	path, err := destination(df.out, b)
	if err != nil {
		return exit.Errf(err, "cannot download backup %s", b.ID)
	}
	if dir, ok := folderOf(df.out); ok {
		a.removeStalePartials(dir, path, time.Now())
	}
	if !df.force && isComplete(path, b) {
		a.Status("%s already holds backup %s (%s, modified at the backup's creation time): not fetched again; --force fetches it again", path, b.ID, output.BytesText(b.Size))
		return a.printDownload(format, b, path, 0)
	}
	base := partialBytes(path, b)
	p := progress.Start(a.Stderr(), filepath.Base(path), b.Size, base, df.interval)
	_, err = c.Backups.DownloadToFile(ctx, db, b.ID, path, scalingodb.WithProgress(p.Set), scalingodb.WithParallel(parallel))
	p.End(err == nil)
	var (
		dip *scalingodb.DownloadInProgressError
		pe  *fs.PathError
	)
	switch {
	case errors.As(err, &dip):
		return exit.Errf(errors.New("another download is writing "+dip.Path+".partial; wait for it to end (or stop it), then run this command again"),
			"cannot download backup %s to %s", b.ID, path)
	case errors.As(err, &pe):
		// A file the tool cannot write: in the user's words.
		return exit.Errf(fmt.Errorf("cannot write %s: %w", pe.Path, pe.Err), "cannot download backup %s to %s", b.ID, path)
	case err != nil:
		hint := "run '" + resumeCommand(db, b.ID, path) + "' to try again"
		if _, serr := os.Stat(path + ".partial"); serr == nil {
			hint = "run '" + resumeCommand(db, b.ID, path) + "' to resume"
		}
		return exit.Errf(&exit.ResumeHint{Err: err, Hint: hint}, "cannot download backup %s to %s", b.ID, path)
	}
	// The creation time marks the file as the complete archive of b.
	created := b.CreatedAt.Truncate(time.Second)
	_ = os.Chtimes(path, time.Now(), created)
	p.Summary(b.Size, path)
	return a.printDownload(format, b, path, p.Fetched(b.Size))
}

// printDownload prints where the archive is: its path, or with -o json
// an object.
func (a *app) printDownload(format string, b *scalingodb.Backup, path string, fetched int64) error {
	return a.Print(format, output.Result{
		JSON:  map[string]any{"backup_id": b.ID, "path": path, "size": b.Size, "fetched": fetched},
		Rows:  [][]string{{path}},
		Names: []string{path},
	})
}

// resumeCommand is the command that resumes a download to path.
func resumeCommand(db, id, path string) string {
	return "scalingodb backups download " + id + " -O " + shellQuote(path) + " --database " + shellQuote(db)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isComplete reports whether path holds the complete archive of b: a
// regular file of its size whose modification time is the backup's
// creation time, which download sets once an archive is complete.
func isComplete(path string, b *scalingodb.Backup) bool {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() != b.Size || b.CreatedAt.IsZero() {
		return false
	}
	return st.ModTime().Unix() == b.CreatedAt.Unix()
}

// partialBytes returns how many bytes of b's archive the partial file of
// path holds, as its sidecar (path.partial.json) records them: what a
// resumed download does not fetch again. The client may still refuse
// them (another archive): the progress then counts from zero.
func partialBytes(path string, b *scalingodb.Backup) int64 {
	data, err := os.ReadFile(path + ".partial.json")
	if err != nil || len(data) > 1<<20 {
		return 0
	}
	var st struct {
		BackupID string     `json:"backup_id"`
		Size     int64      `json:"size"`
		Done     [][2]int64 `json:"done"`
	}
	if json.Unmarshal(data, &st) != nil || st.BackupID != b.ID || st.Size != b.Size {
		return 0
	}
	fi, err := os.Stat(path + ".partial")
	if err != nil {
		return 0
	}
	var n int64
	for _, r := range st.Done {
		if r[0] < 0 || r[1] < r[0] || r[1] > st.Size || r[1] > fi.Size() {
			return 0
		}
		n += r[1] - r[0]
	}
	return min(n, b.Size)
}

// folderOf returns the folder -O names, if it names one.
func folderOf(out string) (string, bool) {
	if out == "" || out == "-" {
		return "", false
	}
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		return out, true
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return out, true
	}
	return "", false
}

// stalePartialAge is how old a partial file left in a folder must be for
// download to remove it.
const stalePartialAge = 7 * 24 * time.Hour

// partialName matches the partial files, and their sidecars, of the
// archives download names (see archiveName).
var partialName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*\.(gz|tgz)\.partial(\.json)?$`)
})

// removeStalePartials removes from dir the partial files of archives, and
// their sidecars, last written more than stalePartialAge before now,
// except those of dest (which this run resumes). Only names download
// gives are touched; a partial file still being written is fresh.
func (a *app) removeStalePartials(dir, dest string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !partialName().MatchString(name) {
			continue
		}
		path := filepath.Join(dir, name)
		if path == filepath.Join(filepath.Dir(dest), filepath.Base(dest)+".partial") || path == filepath.Join(filepath.Dir(dest), filepath.Base(dest)+".partial.json") {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) <= stalePartialAge {
			continue
		}
		if err := os.Remove(path); err == nil {
			a.Status("removed %s, a partial download last written on %s", path, info.ModTime().UTC().Format(time.DateOnly))
		}
	}
}

func restorationResult(r *scalingodb.BackupRestoration) output.Result {
	return output.Result{JSON: r, Header: []string{"ID", "STATUS", "SOURCE BACKUP", "CREATED", "ENDED"},
		Rows:  [][]string{{r.ID, string(r.Status), output.OrDash(r.SourceBackupID), output.TimeText(r.CreatedAt), output.TimePtrText(r.EndedAt)}},
		Names: []string{r.ID}}
}

// waitRestoration waits for a backup restoration to be done.
// known is its state before the wait, or "".
func (a *app) waitRestoration(ctx context.Context, c *scalingodb.Client, db, id, known string, w poll.Flags) (*scalingodb.BackupRestoration, error) {
	a.Status("waiting for restoration %s of %s", id, db)
	wctx, cancel, opts, log := w.Start(ctx, a.State, "restoration "+id, "")
	defer cancel()
	r, err := c.Backups.WaitRestoration(wctx, db, id, opts...)
	if err != nil {
		return nil, exit.WaitEnded(ctx, err, "restoration "+id, known, "run 'scalingodb backups restoration "+id+" --wait' to wait again")
	}
	log.End(string(r.Status))
	return r, nil
}

func backupsRestoreCmd(a *app) *cobra.Command {
	var (
		yes bool
		wf  poll.Flags
	)
	cmd := a.Simple(&cobra.Command{
		Use:   "restore ID",
		Short: "Restore a backup into the database (irreversible), and wait for it with --wait",
		Long: `Restore a done backup into its database: the database's data is replaced by
the backup's. The restoration runs asynchronously; --wait follows it.`,
		Example:           "  scalingodb backups restore 5bd2c6104ffb090be1ac3ce2 -y --wait",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeBackups(a),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		if err := a.Confirm(cmd, yes, "replace the data of "+db+" with backup "+id+"?"); err != nil {
			return output.Result{}, err
		}
		r, err := c.Backups.Restore(cmd.Context(), db, id)
		if err != nil {
			return output.Result{}, exit.Errf(exit.WithHint(err, "check the status of the database with 'scalingodb database get' before restoring again"), "cannot restore backup %s into %s", id, db)
		}
		if wf.Wait && r.Status != scalingodb.RestorationDone {
			if r, err = a.waitRestoration(cmd.Context(), c, db, r.ID, string(r.Status), wf); err != nil {
				return output.Result{}, exit.Errf(err, "restoration of backup %s", id)
			}
		}
		return restorationResult(r), nil
	})
	run.AddYesFlag(cmd, &yes)
	wf.AddWait(cmd, "wait until the restoration is done")
	return cmd
}

func backupsRestorationCmd(a *app) *cobra.Command {
	var wf poll.Flags
	cmd := a.Simple(&cobra.Command{
		Use:     "restoration ID",
		Short:   "Show a backup restoration, and wait for it with --wait",
		Example: "  scalingodb backups restoration 5f0000000000000000000002 --wait",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		var (
			r   *scalingodb.BackupRestoration
			err error
		)
		if wf.Wait {
			r, err = a.waitRestoration(cmd.Context(), c, db, id, "", wf)
		} else {
			r, err = c.Backups.Restoration(cmd.Context(), db, id)
		}
		if err != nil {
			return output.Result{}, exit.Errf(err, "restoration %s of %s", id, db)
		}
		return restorationResult(r), nil
	})
	wf.AddWait(cmd, "wait until the restoration is done")
	return cmd
}

func completeBackups(a *app) cobra.CompletionFunc {
	return a.CompleteFirst(func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		bs, err := c.Backups.List(ctx, db)
		var out []string
		for _, b := range bs {
			out = append(out, output.Cell(b.ID)+"\t"+output.Cell(b.Name+" "+string(b.Status)))
		}
		return out, err
	})
}
