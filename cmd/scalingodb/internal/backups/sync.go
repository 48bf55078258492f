package backups

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/progress"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/backupsync"
)

const backupsSyncLong = `Copy the done backups of one or more databases to a folder or a bucket
that Scalingo does not control, prune the copies with restic's retention
rules, and keep a manifest that "backups verify" checks them against.

Sources (any mix; each database is copied once):
  --database ID           a database by its addon ID (repeatable)
  --app APP               every database addon of the application, with
                          SCALINGO_API_TOKEN (repeatable)
  --app APP --addon TYPE  only the addons of that type (postgresql, mysql,
                          mongodb, redis, elasticsearch, opensearch,
                          influxdb), or --addon ID for one addon
With DB_BEARER_TOKEN (or --token…), one token serves every database; with
SCALINGO_API_TOKEN, each database gets its own addon token.

Destinations (--to):
  /srv/backups or file:///srv/backups        a local folder
  s3://BUCKET/PREFIX?region=eu-west-3        AWS S3, credentials from the
                                             AWS SDK's default chain
                                             (AWS_ACCESS_KEY_ID and
                                             AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
                                             an instance or task role)
  s3://BUCKET/PREFIX?endpoint=https://oos.eu-west-2.outscale.com&region=eu-west-2&use_path_style=true
                                             any S3-compatible store (Outscale,
                                             Scaleway, MinIO, R2…)
gs://BUCKET/PREFIX and azblob://CONTAINER/PREFIX need a build with
-tags gcs or -tags azblob (go build -tags gcs ./cmd/scalingodb): their SDKs
would slow the start of every command (make bench measures each).

Layout: PREFIX/DATABASE/CREATED_<backup-id>.tar.gz, CREATED being the
backup's creation time in UTC (20261205T031500Z), and
PREFIX/DATABASE/manifest.json, which lists each copy (ID, name, created_at,
size, sha256, ETag, copied_at, tool version) and is written after the
copies it lists, atomically.

A backup already copied (its object there with the manifest's size and
ETag) is not fetched again: a run with nothing new makes one list request
per database and no download. A copy replaced since (another ETag) is read
again, and copied again unless its SHA-256 still matches. To a bucket, an archive is streamed (multipart upload,
bounded memory) and hashed on the way; an interrupted upload leaves nothing
at its key and the next run starts it again. To a folder, a download is
atomic and the next run resumes it. A killed upload can leave an incomplete
multipart upload, which the bucket bills until it is aborted: give the
bucket a lifecycle rule that aborts them after a day. No S3 request waits
for ever on a hung endpoint: 30s to connect and for the TLS handshake,
2 minutes for the response headers and 2 minutes without a byte sent or
received, each attempt retried by the AWS SDK (3 in all); an upload that
moves is never cut. Every query parameter of gocloud.dev's s3blob works
(region, endpoint, use_path_style, profile, ssetype,
request_checksum_calculation…); prefix= is added to every key.

One sync of a database at a time: each holds PREFIX/DATABASE/.sync-lock.json
while it runs. A second sync fails that database (naming the holder, exit
code 1) and copies the others; the lock of a killed run is taken over after
10 minutes, or at once on the same host (and PID namespace) once its
process is gone, by one run only (a .sync-lock.takeover-* marker decides). A run that cannot renew
its lock (every 2 minutes) stops before the lock expires.

Retention (restic forget's rules; without any, nothing is pruned): a copy
is kept when any rule keeps it; days, weeks (ISO, Monday first) and months
are those of UTC.
  --keep-last N      the N most recent copies
  --keep-daily N     the most recent copy of each of the last N days with copies
  --keep-weekly N    the same, per week
  --keep-monthly N   the same, per month
  --keep-within SPAN every copy within SPAN of the most recent one (such as
                     30d, 6m, 1y6m, 2d12h: y, m, d, h)
A backup that the rules would prune is not copied. Prune deletes only
objects the manifest lists, never anything else under the prefix, and not
when a copy of the same database failed in the run, nor while a kept copy
is lost (listed, but absent, of another size or replaced, with its backup
gone from the API), nor when a backup is dated more than a day ahead:
those are failures. --dry-run prints what
would be copied and pruned, and changes nothing (but creates a missing
destination folder, which it lists); with -o json its records say
"dry_run": true and give would_copy, would_prune, would_copy_backups and
would_prune_backups instead of copied, pruned, copied_backups and
pruned_backups.

Progress goes to stderr, one line per step (with an RFC 3339 timestamp
without a terminal, and a line per archive at least every 10 seconds);
stdout gets one record per database: a table, or with -o json an array of
{database_id, copied, skipped, pruned, bytes, seconds, errors,
copied_backups, pruned_backups}. The exit
code is 0 when every database succeeded, 1 when any failed (the others
are still copied), 2 for bad usage, 130/143 when interrupted.

Nightly, from cron (the manifest makes the next run start where this one
stopped):
  # m h dom mon dow  command
  15 4 * * *  SCALINGO_API_TOKEN=tk-us-... scalingodb backups sync --app my-app --to 's3://acme-offsite/scalingo?region=eu-west-3' --keep-daily 14 --keep-monthly 12 >>/var/log/scalingodb-sync.log 2>&1

The least rights on S3 (replace acme-offsite and scalingo/):
  {
    "Version": "2012-10-17",
    "Statement": [
      {"Effect": "Allow", "Action": ["s3:ListBucket"],
       "Resource": "arn:aws:s3:::acme-offsite",
       "Condition": {"StringLike": {"s3:prefix": ["scalingo/*"]}}},
      {"Effect": "Allow",
       "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                  "s3:AbortMultipartUpload"],
       "Resource": "arn:aws:s3:::acme-offsite/scalingo/*"}
    ]
  }
s3:DeleteObject also removes the lock at the end of a run (and prunes, with
--keep-… rules); "backups verify" needs only s3:ListBucket and s3:GetObject.`

// syncFlags are the flags of backups sync.
type syncFlags struct {
	to                           string
	databases, apps, addons      []string
	last, daily, weekly, monthly int
	within                       string
	jobs                         int
	dryRun                       bool
	interval                     time.Duration
}

func backupsSyncCmd(a *app) *cobra.Command {
	var (
		f      syncFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "sync --to URL [--database ID ... | --app APP [--addon TYPE] ...]",
		Short: "Copy the backups of databases to a folder or a bucket, and prune the copies",
		Long:  backupsSyncLong,
		Example: `  scalingodb backups sync --database my-db-123 --to /srv/backups --keep-last 7
  SCALINGO_API_TOKEN=tk-us-... scalingodb backups sync --app my-app --app my-other-app --to 's3://acme-offsite/scalingo?region=eu-west-3' --keep-daily 14 --keep-monthly 12
  scalingodb backups sync --app my-app --addon postgresql --to /srv/backups --dry-run --keep-within 30d -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := run.CheckFormat(cmd, format); err != nil {
				return err
			}
			policy, err := f.policy(cmd)
			if err != nil {
				return err
			}
			if f.to == "" {
				return exit.Usagef(cmd, "--to is required: a folder, file:///PATH or s3://BUCKET/PREFIX")
			}
			if f.jobs < 1 || f.jobs > 64 {
				return exit.Usagef(cmd, "--jobs must be within 1-64")
			}
			if f.interval <= 0 {
				return exit.Usagef(cmd, "--progress-interval must be positive")
			}
			sources, err := a.syncSources(cmd, f)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			dst, err := backupsync.Open(ctx, f.to)
			if err != nil {
				return destinationError(cmd, err)
			}
			defer dst.Close()
			if f.dryRun {
				a.Status("dry run: nothing is copied nor pruned")
			}
			ev := a.newSyncEvents(f.interval, f.dryRun)
			results := backupsync.Sync(ctx, dst, sources, backupsync.Options{
				Jobs: f.jobs, Policy: policy, DryRun: f.dryRun, ToolVersion: "scalingodb " + a.Version, Events: ev.event,
			})
			ev.stop()
			if err := a.Print(format, syncResult(results, f.dryRun)); err != nil {
				return err
			}
			return syncOutcome(ctx, results)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", "destination: a folder, file:///PATH or s3://BUCKET/PREFIX?region=…[&endpoint=…&use_path_style=true]")
	fl.StringSliceVar(&f.databases, "database", nil, "a database to copy, by addon ID (repeatable, or comma-separated)")
	fl.StringSliceVar(&f.apps, "app", nil, "an application whose database addons to copy, with "+env.APIToken+" (repeatable)")
	fl.StringSliceVar(&f.addons, "addon", nil, "with --app: only the addons of this type ("+strings.Join(run.AddonTypes, ", ")+") or ID (repeatable)")
	fl.IntVar(&f.last, "keep-last", 0, "keep the N most recent copies")
	fl.IntVar(&f.daily, "keep-daily", 0, "keep the most recent copy of each of the last N days (UTC) with copies")
	fl.IntVar(&f.weekly, "keep-weekly", 0, "keep the most recent copy of each of the last N ISO weeks (UTC) with copies")
	fl.IntVar(&f.monthly, "keep-monthly", 0, "keep the most recent copy of each of the last N months (UTC) with copies")
	fl.StringVar(&f.within, "keep-within", "", "keep every copy within this span of the most recent one, such as 30d or 1y6m (y, m, d, h)")
	fl.IntVar(&f.jobs, "jobs", backupsync.DefaultJobs, "databases copied at a time (1-64), one archive each at a time")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be copied and pruned; change nothing")
	fl.DurationVar(&f.interval, "progress-interval", progress.DefaultInterval, "longest time between two progress lines of an archive")
	_ = fl.MarkHidden("progress-interval")
	run.AddFormatFlag(cmd, &format)
	cmd.Flags().Lookup("output").Usage = "output format: table, json (one record per database) or name (the databases that succeeded)"
	return cmd
}

// policy returns the retention policy of the flags.
func (f *syncFlags) policy(cmd *cobra.Command) (backupsync.Policy, error) {
	p := backupsync.Policy{Last: f.last, Daily: f.daily, Weekly: f.weekly, Monthly: f.monthly}
	for name, n := range map[string]int{"keep-last": f.last, "keep-daily": f.daily, "keep-weekly": f.weekly, "keep-monthly": f.monthly} {
		if n < 0 {
			return p, exit.Usagef(cmd, "--%s must not be negative", name)
		}
	}
	if run.Changed(cmd, "keep-within") {
		span, err := backupsync.ParseSpan(f.within)
		if err != nil {
			var se *backupsync.SpanError
			if errors.As(err, &se) {
				return p, exit.Usagef(cmd, "invalid --keep-within %q: %s", f.within, se.Reason)
			}
			return p, err
		}
		p.Within = span
	}
	return p, nil
}

// destinationError words a destination that cannot be opened.
func destinationError(cmd *cobra.Command, err error) error {
	var ue *backupsync.UnsupportedURLError
	if errors.As(err, &ue) {
		return exit.Usagef(cmd, "--to/--from: unsupported scheme %q: use a folder, file:///PATH or s3://BUCKET/PREFIX (gs:// and azblob:// need a build with -tags gcs or -tags azblob)", ue.Scheme)
	}
	return exit.Errf(err, "cannot open the destination")
}

// syncSources resolves the databases to copy and the client of each.
func (a *app) syncSources(cmd *cobra.Command, f syncFlags) ([]backupsync.Source, error) {
	dbs := slices.Clone(f.databases)
	apps := slices.Clone(f.apps)
	if len(dbs) == 0 && len(apps) == 0 {
		if v := strings.TrimSpace(a.IO.Getenv(env.Database)); v != "" {
			dbs = append(dbs, v)
		} else if v := strings.TrimSpace(a.IO.Getenv(env.App)); v != "" {
			apps = append(apps, v)
		}
	}
	if len(dbs) == 0 && len(apps) == 0 {
		return nil, exit.Usagef(cmd, "no database given: pass --database ID or --app APP (or set %s or %s)", env.Database, env.App)
	}
	if len(f.addons) > 0 && len(apps) == 0 {
		return nil, exit.Usagef(cmd, "--addon needs --app: the application whose addons to copy")
	}
	clients, err := a.Clients(cmd)
	if err != nil {
		return nil, err
	}
	clientOf := func(appName, addon string) (*scalingodb.Client, error) {
		switch {
		case clients.HasBearer():
		case !clients.HasAPIToken():
			return nil, &exit.UsageError{Msg: "no credentials: set " + env.Token + " (a token valid for every database), or " + env.APIToken + " with --app"}
		case appName == "":
			return nil, exit.Usagef(cmd, "--database %s with %s needs the application that owns it: pass --app (one)", addon, env.APIToken)
		}
		return clients.For(appName, addon)
	}
	var out []backupsync.Source
	seen := map[string]bool{}
	add := func(appName, db string) error {
		if db == "" || seen[db] {
			return nil
		}
		seen[db] = true
		c, err := clientOf(appName, db)
		if err != nil {
			return err
		}
		out = append(out, backupsync.Source{DatabaseID: db, Client: c})
		return nil
	}
	dbApp := ""
	if len(apps) == 1 {
		dbApp = apps[0]
	}
	for _, db := range dbs {
		if err := add(dbApp, db); err != nil {
			return nil, err
		}
	}
	for _, appName := range apps {
		ids, err := a.appDatabases(cmd, appName, f.addons)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if err := add(appName, id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// appDatabases returns the database addons of an application: those of
// the types (or IDs) of addons, or all of them.
func (a *app) appDatabases(cmd *cobra.Command, appName string, addons []string) ([]string, error) {
	apiToken := a.APIToken()
	if apiToken == "" {
		return nil, exit.Usagef(cmd, "--app %s: listing its addons needs a Scalingo API token in %s; or pass --database with each addon ID", appName, env.APIToken)
	}
	list, err := a.ListAddons(cmd, apiToken, appName)
	if err != nil {
		return nil, err
	}
	kinds := addons
	if len(kinds) == 0 {
		kinds = run.AddonTypes
	}
	var ids []string
	for _, want := range kinds {
		found := false
		for _, ad := range list {
			if ad.ID == want || run.AddonIs(ad, strings.ToLower(want)) {
				ids = append(ids, ad.ID)
				found = true
			}
		}
		if !found && len(addons) > 0 {
			if slices.Contains(run.AddonTypes, strings.ToLower(want)) {
				return nil, &run.AddonNotFoundError{App: appName, Kind: want}
			}
			return nil, exit.Errf(fmt.Errorf("%w: application %s has no addon %s (see 'scalingo --app %s addons')", scalingodb.ErrNotFound, appName, want, appName), "cannot copy the backups of %s", appName)
		}
	}
	if len(ids) == 0 {
		a.Status("application %s has no database addon", appName)
	}
	return ids, nil
}

// syncEvents prints the steps of a sync on stderr: one line per archive
// started, copied, skipped (with -v), pruned or failed, and a progress line
// per archive at least every interval (and at each tenth) while it goes.
type syncEvents struct {
	a        *app
	interval time.Duration
	dryRun   bool
	mu       sync.Mutex
	active   map[string]*syncTransfer // by database
	done     chan struct{}
	wg       sync.WaitGroup
}

// syncTransfer is an archive being copied.
type syncTransfer struct {
	backup       *scalingodb.Backup
	start, last  time.Time
	done, tenths int64
}

func (a *app) newSyncEvents(interval time.Duration, dryRun bool) *syncEvents {
	e := &syncEvents{a: a, interval: interval, dryRun: dryRun, active: map[string]*syncTransfer{}, done: make(chan struct{})}
	e.wg.Go(func() {
		t := time.NewTicker(max(interval/10, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-e.done:
				return
			case <-t.C:
				e.tick()
			}
		}
	})
	return e
}

func (e *syncEvents) stop() {
	close(e.done)
	e.wg.Wait()
}

// tick prints the archives that went an interval without a line.
func (e *syncEvents) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	for db, t := range e.active {
		if now.Sub(t.last) >= e.interval {
			e.line(db, t, now)
		}
	}
}

// line prints the progress of an archive; e.mu is held.
func (e *syncEvents) line(db string, t *syncTransfer, now time.Time) {
	t.last = now
	msg := fmt.Sprintf("%s: backup %s: %s of %s", db, t.backup.ID, output.BytesText(t.done), output.BytesText(t.backup.Size))
	if t.backup.Size > 0 {
		msg += fmt.Sprintf(" (%d%%)", t.done*100/t.backup.Size)
	}
	if s := now.Sub(t.start).Seconds(); s > 0 && t.done > 0 {
		msg += ", " + output.BytesText(int64(float64(t.done)/s)) + "/s"
	}
	e.a.Status("%s, %s elapsed", msg, output.DurationText(now.Sub(t.start)))
}

// event is the engine's callback.
func (e *syncEvents) event(ev backupsync.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	db := ev.DatabaseID
	id := ""
	if ev.Backup != nil {
		id = ev.Backup.ID
	}
	switch ev.Kind {
	case backupsync.EventListed:
		if ev.Total > 0 || e.a.Verbose {
			e.a.Status("%s: %d backup(s) to copy", db, ev.Total)
		}
	case backupsync.EventCopying:
		now := time.Now()
		e.active[db] = &syncTransfer{backup: ev.Backup, start: now, last: now}
		e.a.Status("%s: copying backup %s (%s, %s, created %s) to %s", db, id, output.OrDash(ev.Backup.Name), output.BytesText(ev.Backup.Size), output.TimeText(ev.Backup.CreatedAt), ev.Key)
	case backupsync.EventProgress:
		if t := e.active[db]; t != nil {
			t.done = ev.Done
			if ev.Total > 0 {
				if n := ev.Done * 10 / ev.Total; n > t.tenths && ev.Done < ev.Total {
					t.tenths = n
					e.line(db, t, time.Now())
				}
			}
		}
	case backupsync.EventCopied:
		t := e.active[db]
		delete(e.active, db)
		elapsed := ""
		if t != nil {
			elapsed = " in " + output.DurationText(time.Since(t.start))
		}
		e.a.Status("%s: copied backup %s (%s)%s", db, id, output.BytesText(ev.Backup.Size), elapsed)
	case backupsync.EventSkipped:
		if e.a.Verbose {
			e.a.Status("%s: backup %s already copied to %s", db, id, ev.Key)
		}
	case backupsync.EventWould:
		e.a.Status("%s: would copy backup %s (%s, created %s) to %s", db, id, output.BytesText(ev.Backup.Size), output.TimeText(ev.Backup.CreatedAt), ev.Key)
	case backupsync.EventPruned:
		verb := "pruned"
		if e.dryRun {
			verb = "would prune"
		}
		e.a.Status("%s: %s %s", db, verb, ev.Key)
	case backupsync.EventFailed:
		delete(e.active, db)
		_, msg := exit.DescribeCause(context.Background(), ev.Err)
		e.a.Status("%s: failed: %s", db, msg)
	}
}

// syncRecord is the -o json record of a database. In a dry run it says
// "dry_run": true, and what would be copied and pruned has keys of its
// own (would_*), so that a script that reads "copied" or "pruned" never
// counts it as done; a real run has neither.
type syncRecord struct {
	DatabaseID    string    `json:"database_id"`
	DryRun        bool      `json:"dry_run,omitempty"`
	Copied        *int      `json:"copied,omitempty"`
	WouldCopy     *int      `json:"would_copy,omitempty"`
	Skipped       int       `json:"skipped"`
	Pruned        *int      `json:"pruned,omitempty"`
	WouldPrune    *int      `json:"would_prune,omitempty"`
	Bytes         int64     `json:"bytes"`
	Seconds       float64   `json:"seconds"`
	Errors        []string  `json:"errors"`
	CopiedIDs     *[]string `json:"copied_backups,omitempty"`
	WouldCopyIDs  *[]string `json:"would_copy_backups,omitempty"`
	PrunedIDs     *[]string `json:"pruned_backups,omitempty"`
	WouldPruneIDs *[]string `json:"would_prune_backups,omitempty"`
}

// syncResult is what sync prints: one record per database.
func syncResult(results []backupsync.Result, dryRun bool) output.Result {
	r := output.Result{Header: []string{"DATABASE", "COPIED", "SKIPPED", "PRUNED", "BYTES", "SECONDS", "ERRORS"}}
	if dryRun {
		r.Header[1], r.Header[3] = "WOULD COPY", "WOULD PRUNE"
	}
	records := []syncRecord{}
	for _, res := range results {
		errs := make([]string, 0, len(res.Errors))
		for _, e := range res.Errors {
			errs = append(errs, output.Sanitize(e))
		}
		copied, pruned := len(res.Copied), len(res.Pruned)
		rec := syncRecord{DatabaseID: res.DatabaseID, DryRun: dryRun, Skipped: len(res.Skipped),
			Bytes: res.Bytes, Seconds: float64(int64(res.Seconds*1000)) / 1000, Errors: errs}
		if dryRun {
			rec.WouldCopy, rec.WouldPrune, rec.WouldCopyIDs, rec.WouldPruneIDs = &copied, &pruned, &res.Copied, &res.Pruned
		} else {
			rec.Copied, rec.Pruned, rec.CopiedIDs, rec.PrunedIDs = &copied, &pruned, &res.Copied, &res.Pruned
		}
		records = append(records, rec)
		errCol := "-"
		if len(errs) > 0 {
			errCol = strconv.Itoa(len(errs))
		}
		r.Rows = append(r.Rows, []string{res.DatabaseID, strconv.Itoa(len(res.Copied)), strconv.Itoa(len(res.Skipped)), strconv.Itoa(len(res.Pruned)),
			output.BytesText(res.Bytes), strconv.FormatFloat(res.Seconds, 'f', 1, 64), errCol})
		if !res.Failed() {
			r.Names = append(r.Names, res.DatabaseID)
		}
	}
	r.JSON = records
	return r
}

// syncFailed is a sync in which some databases failed: exit code 1.
type syncFailed struct {
	failed, total int
	first         string
}

func (e *syncFailed) Error() string {
	return fmt.Sprintf("%d of %d databases failed (the others were copied); first: %s; run the same command again to retry them", e.failed, e.total, e.first)
}

// syncOutcome returns the error of a sync: nil when every database
// succeeded, the interruption when the run was stopped.
func syncOutcome(ctx context.Context, results []backupsync.Result) error {
	n, first := 0, ""
	for _, r := range results {
		if r.Failed() {
			if n == 0 {
				_, msg := exit.DescribeCause(ctx, r.Err)
				first = r.DatabaseID + ": " + msg
			}
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if ctx.Err() != nil {
		return &exit.ResumeHint{Err: context.Canceled, Hint: "run the same command again: it starts where this one stopped"}
	}
	return &syncFailed{failed: n, total: len(results), first: first}
}

func backupsVerifyCmd(a *app) *cobra.Command {
	var (
		from   string
		dbs    []string
		format string
	)
	cmd := &cobra.Command{
		Use:   "verify --from URL [--database ID ...]",
		Short: "Re-read the copies made by backups sync and check them against their manifests",
		Long: `Re-read every copy that "backups sync" made under --from and check its size
and SHA-256 against the manifest of its database, for every database folder
(or those of --database). It reports missing copies (listed, absent),
corrupt ones (another size or sum, unreadable) and unlisted objects (in a
database's folder but not in its manifest: an interrupted copy, a file
someone else put there), and needs no API token: only read access to the
destination (s3:ListBucket and s3:GetObject).

Each problem is a line on stderr; stdout gets one record per database (a
table, or with -o json {database_id, ok, bytes, missing, corrupt,
unlisted, errors}). The exit code is 0 when every copy is intact (unlisted
objects are reported, not failures), 1 when any is missing or corrupt, or
when there is nothing to verify: no manifest under --from (a wrong URL, a
wiped bucket), or a database without copies.`,
		Example: `  scalingodb backups verify --from /srv/backups
  scalingodb backups verify --from 's3://acme-offsite/scalingo?region=eu-west-3' -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := run.CheckFormat(cmd, format); err != nil {
				return err
			}
			if from == "" {
				return exit.Usagef(cmd, "--from is required: the folder or bucket URL given to 'backups sync --to'")
			}
			ctx := cmd.Context()
			dst, err := backupsync.Open(ctx, from)
			if err != nil {
				return destinationError(cmd, err)
			}
			defer dst.Close()
			results, err := backupsync.Verify(ctx, dst, dbs...)
			if err != nil {
				return exit.Errf(err, "cannot verify %s", dst)
			}
			return a.verifyReport(format, results)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the destination of 'backups sync': a folder, file:///PATH or s3://BUCKET/PREFIX?…")
	cmd.Flags().StringSliceVar(&dbs, "database", nil, "verify only this database's folder (repeatable)")
	run.AddFormatFlag(cmd, &format)
	cmd.Flags().Lookup("output").Usage = "output format: table, json (one record per database) or name (the databases whose copies are intact)"
	return cmd
}

// verifyReport prints the problems on stderr and the records on stdout,
// and returns an error when a copy is missing or corrupt, or when a
// database had nothing to verify.
func (a *app) verifyReport(format string, results []backupsync.VerifyResult) error {
	r := output.Result{Header: []string{"DATABASE", "OK", "MISSING", "CORRUPT", "UNLISTED", "BYTES"}, JSON: results}
	if results == nil {
		r.JSON = []backupsync.VerifyResult{}
	}
	failed, first, none := 0, "", false
	for _, res := range results {
		for _, p := range res.Missing {
			a.Status("%s: missing %s (backup %s): %s", res.DatabaseID, p.Key, p.BackupID, p.Reason)
		}
		for _, p := range res.Corrupt {
			a.Status("%s: corrupt %s (backup %s): %s", res.DatabaseID, p.Key, p.BackupID, p.Reason)
		}
		for _, p := range res.Unlisted {
			a.Status("%s: unlisted %s: %s", res.DatabaseID, p.Key, p.Reason)
		}
		for _, e := range res.Errors {
			a.Status("%s: cannot verify: %s", res.DatabaseID, e)
		}
		r.Rows = append(r.Rows, []string{res.DatabaseID, strconv.Itoa(res.OK), strconv.Itoa(len(res.Missing)), strconv.Itoa(len(res.Corrupt)),
			strconv.Itoa(len(res.Unlisted)), output.BytesText(res.Bytes)})
		// A database with nothing to verify (no manifest, or one that lists
		// no copy: the library's ErrNothingToVerify) has failed too.
		if errors.Is(res.Err, backupsync.ErrNothingToVerify) {
			none = true
		}
		if res.Failed() {
			if failed == 0 {
				first = res.DatabaseID
			}
			failed++
		} else {
			r.Names = append(r.Names, res.DatabaseID)
		}
	}
	if err := a.Print(format, r); err != nil {
		return err
	}
	if failed > 0 {
		what := "missing or corrupt copies"
		if none {
			what += ", or none"
		}
		return fmt.Errorf("%d of %d databases have %s (first: %s): run 'scalingodb backups sync' to copy them again", failed, len(results), what, first)
	}
	return nil
}
