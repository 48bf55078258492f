package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/poll"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// The commands of the operations known only from the JavaScript client:
// engine types and plans, asynchronous operations, backup restorations,
// the CA certificate, ping, replication lag and metric series.

var operationColumns = output.Columns[*scalingodb.Operation]{
	Header: []string{"ID", "TYPE", "STATUS", "CREATED", "FINISHED", "ERROR"},
	Row: func(o *scalingodb.Operation) []string {
		return []string{o.ID, o.Type, string(o.Status), output.TimeText(o.CreatedAt), output.TimePtrText(o.FinishedAt), output.OrDash(o.Error)}
	},
	Name: func(o *scalingodb.Operation) string { return o.ID },
}

// waitOperation waits for an asynchronous operation to succeed.
func (a *app) waitOperation(ctx context.Context, c *scalingodb.Client, db, opID string, w poll.Flags) (*scalingodb.Operation, error) {
	a.Status("waiting for operation %s of %s", opID, db)
	wctx, cancel, opts, log := w.Start(ctx, a.State, "operation "+opID, "")
	defer cancel()
	o, err := c.Operations.Wait(wctx, db, opID, opts...)
	if err != nil {
		var of *scalingodb.OperationFailedError
		if errors.As(err, &of) {
			return nil, errors.New("operation " + of.Operation.ID + " ended in state " + string(of.Operation.Status) + ": " + output.OrDash(of.Operation.Error))
		}
		return nil, exit.WaitEnded(ctx, err, "operation "+opID, "", "run 'scalingodb operations wait "+opID+"' to wait again")
	}
	log.End(string(o.Status))
	return o, nil
}

func operationsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "operations",
		Short:   "Follow the asynchronous operations of the database (upgrades, restores)",
		Example: "  scalingodb operations get 5f0000000000000000000001\n  scalingodb operations wait 5f0000000000000000000001 --timeout 1h",
	}
	get := a.Simple(&cobra.Command{
		Use:     "get ID",
		Short:   "Show an operation",
		Example: "  scalingodb operations get 5f0000000000000000000001",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		o, err := c.Operations.Get(cmd.Context(), db, id)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get operation %s of %s", id, db)
		}
		return operationColumns.One(o), nil
	})
	var wf poll.Flags
	wait := a.Simple(&cobra.Command{
		Use:     "wait ID",
		Short:   "Wait until an operation succeeds (exit code 1 when it fails)",
		Example: "  scalingodb operations wait 5f0000000000000000000001 --timeout 1h",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		o, err := a.waitOperation(cmd.Context(), c, db, id, wf)
		if err != nil {
			return output.Result{}, exit.Errf(err, "operation %s of %s", id, db)
		}
		return operationColumns.One(o), nil
	})
	wf.Add(wait)
	cmd.AddCommand(get, wait)
	return cmd
}

func typesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "types",
		Short:   "List the database engines the platform offers",
		Example: "  scalingodb types list\n  scalingodb types get 5bf30d1104c87f000161285c",
	}
	cols := output.Columns[*scalingodb.DatabaseType]{
		Header: []string{"ID", "NAME", "DESCRIPTION"},
		Row: func(t *scalingodb.DatabaseType) []string {
			return []string{t.ID, t.Name, output.OrDash(t.ShortDescription)}
		},
		Name: func(t *scalingodb.DatabaseType) string { return t.ID },
	}
	list := a.SimpleClient(&cobra.Command{
		Use:     "list",
		Short:   "List the database types",
		Example: "  scalingodb types list",
		Args:    cobra.NoArgs,
	}, func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error) {
		ts, err := c.Types.List(cmd.Context())
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot list the database types")
		}
		return cols.List(ts), nil
	})
	get := a.SimpleClient(&cobra.Command{
		Use:     "get ID",
		Short:   "Show a database type",
		Example: "  scalingodb types get 5bf30d1104c87f000161285c",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error) {
		t, err := c.Types.Get(cmd.Context(), cmd.Flags().Arg(0))
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get database type %s", cmd.Flags().Arg(0))
		}
		return cols.One(t), nil
	})
	cmd.AddCommand(list, get)
	return cmd
}

func planResult(p *scalingodb.Plan) output.Result {
	return output.Result{JSON: p, Header: []string{"ID", "NAME", "DISK MB", "MEMORY MB", "BACKUPS", "PITR DAYS"},
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
			if err := run.CheckFormat(cmd, format); err != nil {
				return err
			}
			if len(args) == 2 {
				c, err := a.ClientFor(cmd)
				if err != nil {
					return err
				}
				p, err := c.Plans.Get(cmd.Context(), args[0], args[1])
				if err != nil {
					return exit.Errf(err, "cannot get plan %s of %s", args[1], args[0])
				}
				return a.Print(format, planResult(p))
			}
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			p, err := c.Databases.Plan(cmd.Context(), db)
			if err != nil {
				return exit.Errf(err, "cannot get the plan of %s", db)
			}
			return a.Print(format, planResult(p))
		},
	}
	run.AddFormatFlag(cmd, &format)
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
			c, err := a.ClientFor(cmd)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := c.Databases.CACertificate(cmd.Context(), a.IO.Out)
				return exit.Errf(err, "cannot get the CA certificate")
			}
			if _, err := c.Databases.CACertificateToFile(cmd.Context(), out); err != nil {
				return exit.Errf(err, "cannot save the CA certificate to %s", out)
			}
			a.Status("wrote the CA certificate to %s", out)
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
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			if err := c.Databases.Ping(cmd.Context(), db); err != nil {
				return exit.Errf(err, "%s did not answer", db)
			}
			a.Status("%s answered", db)
			return nil
		},
	}
}

// printRaw prints a JSON answer the API does not document, indented,
// with the characters a terminal acts on escaped.
func (a *app) printRaw(raw []byte) error {
	return output.RawJSON(a.IO.Out, raw)
}

func lagCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "lag",
		Short:   "Print the replication lag of the database's followers (JSON)",
		Example: "  scalingodb lag",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			lag, err := c.Metrics.Lag(cmd.Context(), db)
			if err != nil {
				return exit.Errf(err, "cannot get the lag of %s", db)
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
			c, db, err := a.Target(cmd)
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
				return exit.Errf(err, "cannot get the %s series of %s", args[0], db)
			}
			return a.printRaw(raw)
		},
	}
	cmd.Flags().StringVar(&instance, "instance", "", "one instance (see 'scalingodb instances')")
	cmd.Flags().IntVar(&since, "since-hours", 0, "hours to look back (default: the API's, 3)")
	cmd.Flags().BoolVar(&last, "last", false, "the last value only")
	return cmd
}
