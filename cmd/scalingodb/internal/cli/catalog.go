package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// The commands of the operations known only from the JavaScript client:
// engine types and plans, asynchronous operations, backup restorations,
// the CA certificate, ping, replication lag and metric series.

func operationResult(o *scalingodb.Operation) result {
	return result{JSON: o, Header: []string{"ID", "TYPE", "STATUS", "CREATED", "FINISHED", "ERROR"},
		Rows:  [][]string{{o.ID, o.Type, string(o.Status), timeText(o.CreatedAt), timePtrText(o.FinishedAt), orDash(o.Error)}},
		Names: []string{o.ID}}
}

// waitOperation waits for an asynchronous operation to succeed.
func (a *app) waitOperation(ctx context.Context, c *scalingodb.Client, db, opID string, w waitFlags) (*scalingodb.Operation, error) {
	wctx, cancel := w.context(ctx)
	defer cancel()
	a.status("waiting for operation %s of %s", opID, db)
	log := a.newStateLog("operation "+opID, "")
	o, err := c.Operations.Wait(wctx, db, opID, scalingodb.WithPollInterval(w.interval, 15*time.Second), scalingodb.WithPollCallback(log.poll))
	if err != nil {
		var of *scalingodb.OperationFailedError
		if errors.As(err, &of) {
			return nil, errors.New("operation " + of.Operation.ID + " ended in state " + string(of.Operation.Status) + ": " + orDash(of.Operation.Error))
		}
		return nil, waitEnded(ctx, err, "operation "+opID, "", "run 'scalingodb operations wait "+opID+"' to wait again")
	}
	log.end(string(o.Status))
	return o, nil
}

func operationsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "operations",
		Short:   "Follow the asynchronous operations of the database (upgrades, restores)",
		Example: "  scalingodb operations get 5f0000000000000000000001\n  scalingodb operations wait 5f0000000000000000000001 --timeout 1h",
	}
	get := simple(a, &cobra.Command{
		Use:     "get ID",
		Short:   "Show an operation",
		Example: "  scalingodb operations get 5f0000000000000000000001",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (result, error) {
		id := cmd.Flags().Arg(0)
		o, err := c.Operations.Get(cmd.Context(), db, id)
		if err != nil {
			return result{}, errf(err, "cannot get operation %s of %s", id, db)
		}
		return operationResult(o), nil
	})
	var wf waitFlags
	wait := simple(a, &cobra.Command{
		Use:     "wait ID",
		Short:   "Wait until an operation succeeds (exit code 1 when it fails)",
		Example: "  scalingodb operations wait 5f0000000000000000000001 --timeout 1h",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (result, error) {
		id := cmd.Flags().Arg(0)
		o, err := a.waitOperation(cmd.Context(), c, db, id, wf)
		if err != nil {
			return result{}, errf(err, "operation %s of %s", id, db)
		}
		return operationResult(o), nil
	})
	wf.add(wait)
	cmd.AddCommand(get, wait)
	return cmd
}

func restorationResult(r *scalingodb.BackupRestoration) result {
	return result{JSON: r, Header: []string{"ID", "STATUS", "SOURCE BACKUP", "CREATED", "ENDED"},
		Rows:  [][]string{{r.ID, string(r.Status), orDash(r.SourceBackupID), timeText(r.CreatedAt), timePtrText(r.EndedAt)}},
		Names: []string{r.ID}}
}

// waitRestoration waits for a backup restoration to be done.
// known is its state before the wait, or "".
func (a *app) waitRestoration(ctx context.Context, c *scalingodb.Client, db, id, known string, w waitFlags) (*scalingodb.BackupRestoration, error) {
	wctx, cancel := w.context(ctx)
	defer cancel()
	a.status("waiting for restoration %s of %s", id, db)
	log := a.newStateLog("restoration "+id, "")
	r, err := c.Backups.WaitRestoration(wctx, db, id, scalingodb.WithPollInterval(w.interval, 15*time.Second), scalingodb.WithPollCallback(log.poll))
	if err != nil {
		return nil, waitEnded(ctx, err, "restoration "+id, known, "run 'scalingodb backups restoration "+id+" --wait' to wait again")
	}
	log.end(string(r.Status))
	return r, nil
}

func backupsRestoreCmd(a *app) *cobra.Command {
	var (
		yes, wait bool
		wf        waitFlags
	)
	cmd := simple(a, &cobra.Command{
		Use:   "restore ID",
		Short: "Restore a backup into the database (irreversible), and wait for it with --wait",
		Long: `Restore a done backup into its database: the database's data is replaced by
the backup's. The restoration runs asynchronously; --wait follows it.`,
		Example:           "  scalingodb backups restore 5bd2c6104ffb090be1ac3ce2 -y --wait",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeBackups(a),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (result, error) {
		id := cmd.Flags().Arg(0)
		if err := a.confirm(cmd, yes, "replace the data of "+db+" with backup "+id+"?"); err != nil {
			return result{}, err
		}
		r, err := c.Backups.Restore(cmd.Context(), db, id)
		if err != nil {
			return result{}, errf(withHint(err, "check the status of the database with 'scalingodb database get' before restoring again"), "cannot restore backup %s into %s", id, db)
		}
		if wait && r.Status != scalingodb.RestorationDone {
			if r, err = a.waitRestoration(cmd.Context(), c, db, r.ID, string(r.Status), wf); err != nil {
				return result{}, errf(err, "restoration of backup %s", id)
			}
		}
		return restorationResult(r), nil
	})
	addYesFlag(cmd, &yes)
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the restoration is done")
	wf.add(cmd)
	return cmd
}

func backupsRestorationCmd(a *app) *cobra.Command {
	var (
		wait bool
		wf   waitFlags
	)
	cmd := simple(a, &cobra.Command{
		Use:     "restoration ID",
		Short:   "Show a backup restoration, and wait for it with --wait",
		Example: "  scalingodb backups restoration 5f0000000000000000000002 --wait",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (result, error) {
		id := cmd.Flags().Arg(0)
		var (
			r   *scalingodb.BackupRestoration
			err error
		)
		if wait {
			r, err = a.waitRestoration(cmd.Context(), c, db, id, "", wf)
		} else {
			r, err = c.Backups.Restoration(cmd.Context(), db, id)
		}
		if err != nil {
			return result{}, errf(err, "restoration %s of %s", id, db)
		}
		return restorationResult(r), nil
	})
	cmd.Flags().BoolVar(&wait, "wait", false, "wait until the restoration is done")
	wf.add(cmd)
	return cmd
}

func typesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "types",
		Short:   "List the database engines the platform offers",
		Example: "  scalingodb types list\n  scalingodb types get 5bf30d1104c87f000161285c",
	}
	header := []string{"ID", "NAME", "DESCRIPTION"}
	row := func(t *scalingodb.DatabaseType) []string { return []string{t.ID, t.Name, orDash(t.ShortDescription)} }
	var listFormat string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the database types",
		Example: "  scalingodb types list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(cmd, listFormat); err != nil {
				return err
			}
			c, err := a.clientFor(cmd)
			if err != nil {
				return err
			}
			ts, err := c.Types.List(cmd.Context())
			if err != nil {
				return errf(err, "cannot list the database types")
			}
			r := result{Header: header, JSON: ts}
			if ts == nil {
				r.JSON = []*scalingodb.DatabaseType{}
			}
			for _, t := range ts {
				r.Rows = append(r.Rows, row(t))
				r.Names = append(r.Names, t.ID)
			}
			return a.print(listFormat, r)
		},
	}
	addFormatFlag(list, &listFormat)
	var getFormat string
	get := &cobra.Command{
		Use:     "get ID",
		Short:   "Show a database type",
		Example: "  scalingodb types get 5bf30d1104c87f000161285c",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(cmd, getFormat); err != nil {
				return err
			}
			c, err := a.clientFor(cmd)
			if err != nil {
				return err
			}
			t, err := c.Types.Get(cmd.Context(), args[0])
			if err != nil {
				return errf(err, "cannot get database type %s", args[0])
			}
			return a.print(getFormat, result{JSON: t, Header: header, Rows: [][]string{row(t)}, Names: []string{t.ID}})
		},
	}
	addFormatFlag(get, &getFormat)
	cmd.AddCommand(list, get)
	return cmd
}

func planResult(p *scalingodb.Plan) result {
	return result{JSON: p, Header: []string{"ID", "NAME", "DISK MB", "MEMORY MB", "BACKUPS", "PITR DAYS"},
		Rows: [][]string{{p.ID, p.Name, strconv.FormatInt(p.Disk, 10), strconv.FormatInt(p.Memory, 10),
			strconv.FormatBool(p.Backup), strconv.Itoa(p.PITRBackupDays)}},
		Names: []string{p.ID}}
}

func plansCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "plan [TYPE PLAN]",
		Short:   "Show the database's plan, or a plan of a type by name",
		Example: "  scalingodb plan\n  scalingodb plan postgresql postgresql-starter-1024",
		Args:    cobra.MatchAll(cobra.MaximumNArgs(2), func(cmd *cobra.Command, args []string) error { return oneOrTwo(args) }),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(cmd, format); err != nil {
				return err
			}
			if len(args) == 2 {
				c, err := a.clientFor(cmd)
				if err != nil {
					return err
				}
				p, err := c.Plans.Get(cmd.Context(), args[0], args[1])
				if err != nil {
					return errf(err, "cannot get plan %s of %s", args[1], args[0])
				}
				return a.print(format, planResult(p))
			}
			c, db, err := a.target(cmd)
			if err != nil {
				return err
			}
			p, err := c.Databases.Plan(cmd.Context(), db)
			if err != nil {
				return errf(err, "cannot get the plan of %s", db)
			}
			return a.print(format, planResult(p))
		},
	}
	addFormatFlag(cmd, &format)
	return cmd
}

func oneOrTwo(args []string) error {
	if len(args) == 1 {
		return errors.New("give a type and a plan name, or nothing for the database's plan")
	}
	return nil
}

func caCertificateCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "ca-certificate",
		Short: "Write the CA certificate of the databases' TLS certificates (PEM)",
		Long: `Write the PEM certificate of the authority that signs the databases' TLS
certificates: to stdout, or with -o to a file, replaced atomically.`,
		Example: "  scalingodb ca-certificate -o scalingo-ca.pem\n  psql \"sslmode=verify-full sslrootcert=scalingo-ca.pem ...\"",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.clientFor(cmd)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := c.Databases.CACertificate(cmd.Context(), a.io.Out)
				return errf(err, "cannot get the CA certificate")
			}
			if _, err := c.Databases.CACertificateToFile(cmd.Context(), out); err != nil {
				return errf(err, "cannot save the CA certificate to %s", out)
			}
			a.status("wrote the CA certificate to %s", out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: stdout)")
	return cmd
}

func pingCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "ping",
		Short:   "Ask the database to answer (exit code 0 when it does)",
		Example: "  scalingodb ping && echo up",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.target(cmd)
			if err != nil {
				return err
			}
			if err := c.Databases.Ping(cmd.Context(), db); err != nil {
				return errf(err, "%s did not answer", db)
			}
			a.status("%s answered", db)
			return nil
		},
	}
}

// printRaw prints a JSON answer the API does not document, indented.
func (a *app) printRaw(raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, err := a.io.Out.Write(buf.Bytes())
	return err
}

func lagCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "lag",
		Short:   "Print the replication lag of the database's followers (JSON)",
		Example: "  scalingodb lag",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.target(cmd)
			if err != nil {
				return err
			}
			lag, err := c.Metrics.Lag(cmd.Context(), db)
			if err != nil {
				return errf(err, "cannot get the lag of %s", db)
			}
			raw, err := json.Marshal(lag) // encoding/json sorts the keys
			if err != nil {
				return err
			}
			return a.printRaw(raw)
		},
	}
}

func seriesCmd(a *app) *cobra.Command {
	var (
		instance string
		since    int
		last     bool
	)
	cmd := &cobra.Command{
		Use:   "series TYPE",
		Short: "Print a time series of one metric, such as cpu or memory (JSON)",
		Long: `Print the time series of one metric (cpu, memory, swap, disk, connections...)
of the database, or of one instance with --instance, as the API gives it (JSON).`,
		Example: "  scalingodb series cpu --since-hours 24\n  scalingodb series memory --instance a541dfb5-1fa6-40d7-87de-159ab721322c --last",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, db, err := a.target(cmd)
			if err != nil {
				return err
			}
			p := &scalingodb.SeriesParams{SinceHours: since, Last: last}
			var raw json.RawMessage
			if instance != "" {
				raw, err = c.Metrics.InstanceSeries(cmd.Context(), db, instance, args[0], p)
			} else {
				raw, err = c.Metrics.Series(cmd.Context(), db, args[0], p)
			}
			if err != nil {
				return errf(err, "cannot get the %s series of %s", args[0], db)
			}
			return a.printRaw(raw)
		},
	}
	cmd.Flags().StringVar(&instance, "instance", "", "one instance (see 'scalingodb instances')")
	cmd.Flags().IntVar(&since, "since-hours", 0, "hours to look back (default: the API's, 3)")
	cmd.Flags().BoolVar(&last, "last", false, "the last value only")
	return cmd
}
