package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/poll"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func featuresCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "features",
		Short: "List, enable and disable optional features such as force-ssl",
		Example: `  scalingodb features list
  scalingodb features enable force-ssl
  scalingodb features disable publicly-available`,
	}
	list := a.Simple(&cobra.Command{
		Use:     "list",
		Short:   "List the features of the database and their state",
		Example: "  scalingodb features list",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		d, err := c.Databases.Get(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the features of %s", db)
		}
		return output.Columns[scalingodb.Feature]{
			Header: []string{"NAME", "STATUS"},
			Row:    func(f scalingodb.Feature) []string { return []string{f.Name, string(f.Status)} },
			Name:   func(f scalingodb.Feature) string { return f.Name },
		}.List(d.Features), nil
	})
	enable := a.Simple(&cobra.Command{
		Use:     "enable NAME",
		Short:   "Enable a feature (it activates asynchronously)",
		Example: "  scalingodb features enable force-ssl",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		name := cmd.Flags().Arg(0)
		t, err := c.Features.Enable(cmd.Context(), db, name)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot enable %s on %s", name, db)
		}
		return output.Result{JSON: t, Header: []string{"NAME", "STATUS", "MESSAGE"},
			Rows: [][]string{{t.Name, string(t.Status), output.OrDash(t.Message)}}, Names: []string{t.Name}}, nil
	})
	disable := a.Simple(&cobra.Command{
		Use:     "disable NAME",
		Short:   "Disable a feature",
		Example: "  scalingodb features disable force-ssl",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		name := cmd.Flags().Arg(0)
		disabled, err := c.Features.Disable(cmd.Context(), db, name)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot disable %s on %s", name, db)
		}
		msg := disabled.Message
		return output.Result{JSON: map[string]string{"name": name, "message": msg}, Header: []string{"NAME", "MESSAGE"},
			Rows: [][]string{{name, msg}}, Names: []string{name}}, nil
	})
	cmd.AddCommand(list, enable, disable)
	return cmd
}

func actionsCmd(a *app) *cobra.Command {
	var params string
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "Run engine-specific administrative actions",
		Example: `  scalingodb actions run pg-list-queries
  scalingodb actions run pg-cancel-query --params '{"pid": 1234}'`,
	}
	run := &cobra.Command{
		Use:   "run NAME",
		Short: "Run an action and print its JSON result",
		Long: `Run an action of the database engine, such as pg-list-queries,
pg-cancel-query or pg-terminate-query (PostgreSQL), or list-databases (MySQL,
MongoDB), and print its result as JSON. --params gives the action's
parameters as a JSON value.`,
		Example: `  scalingodb actions run pg-list-queries
  scalingodb actions run pg-terminate-query --params '{"pid": 1234}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var p any
			if params != "" {
				if !json.Valid([]byte(params)) {
					return exit.Usagef(cmd, "--params is not valid JSON")
				}
				p = json.RawMessage(params)
			}
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			res, err := c.Actions.Run(cmd.Context(), db, args[0], p)
			if err != nil {
				return exit.Errf(err, "cannot run %s on %s", args[0], db)
			}
			return a.printRaw(res)
		},
	}
	run.Flags().StringVar(&params, "params", "", "parameters of the action, as JSON")
	cmd.AddCommand(run)
	return cmd
}

func maintenanceCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "maintenance",
		Short:   "List the maintenance operations of the database",
		Example: "  scalingodb maintenance list\n  scalingodb maintenance get my-maintenance-1",
	}
	cols := output.Columns[*scalingodb.Maintenance]{
		Header: []string{"ID", "TYPE", "STATUS", "STARTED", "ENDED"},
		Row: func(m *scalingodb.Maintenance) []string {
			return []string{m.ID, string(m.Type), string(m.Status), output.TimePtrText(m.StartedAt), output.TimePtrText(m.EndedAt)}
		},
		Name: func(m *scalingodb.Maintenance) string { return m.ID },
	}
	var page, perPage int
	list := a.Simple(&cobra.Command{
		Use:     "list",
		Short:   "List the maintenance operations (every page, or one with --page)",
		Example: "  scalingodb maintenance list\n  scalingodb maintenance list --page 2 --per-page 10",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		switch {
		case page < 0:
			return output.Result{}, exit.Usagef(cmd, "--page %d: pages count from 1", page)
		case page == 0 && run.Changed(cmd, "per-page"):
			return output.Result{}, exit.Usagef(cmd, "--per-page sizes the page of --page: give --page too (without it, every page is listed)")
		}
		var items []*scalingodb.Maintenance
		if page > 0 {
			p, err := c.Maintenance.List(cmd.Context(), db, &scalingodb.ListParams{Page: page, PerPage: perPage})
			if err != nil {
				return output.Result{}, exit.Errf(err, "cannot list the maintenance of %s", db)
			}
			items = p.Items
		} else {
			for m, err := range c.Maintenance.All(cmd.Context(), db) {
				if err != nil {
					return output.Result{}, exit.Errf(err, "cannot list the maintenance of %s", db)
				}
				items = append(items, m)
			}
		}
		return cols.List(items), nil
	})
	list.Flags().IntVar(&page, "page", 0, "print only this page (from 1)")
	list.Flags().IntVar(&perPage, "per-page", 0, "items per page with --page (1-100)")
	get := a.Simple(&cobra.Command{
		Use:     "get ID",
		Short:   "Show one maintenance operation",
		Example: "  scalingodb maintenance get my-maintenance-1",
		Args:    cobra.ExactArgs(1),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		m, err := c.Maintenance.Get(cmd.Context(), db, id)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get maintenance %s of %s", id, db)
		}
		return cols.One(m), nil
	})
	cmd.AddCommand(list, get)
	return cmd
}

func firewallCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "firewall",
		Short: "Manage the address ranges allowed to reach the database",
		Example: `  scalingodb firewall list
  scalingodb firewall create --cidr 203.0.113.0/24 --label office
  scalingodb firewall create --range eu
  scalingodb firewall delete 6580a2c91ef5f0001b3c5d7e -y`,
	}
	cols := output.Columns[*scalingodb.FirewallRule]{
		Header: []string{"ID", "TYPE", "CIDR", "RANGE", "LABEL"},
		Row: func(r *scalingodb.FirewallRule) []string {
			return []string{r.ID, string(r.Type), output.OrDash(r.CIDR), output.OrDash(r.RangeID), output.OrDash(r.Label)}
		},
		Name: func(r *scalingodb.FirewallRule) string { return r.ID },
	}
	list := a.Simple(&cobra.Command{
		Use:     "list",
		Short:   "List the firewall rules",
		Example: "  scalingodb firewall list",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		rules, err := c.Firewall.List(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot list the firewall rules of %s", db)
		}
		return cols.List(rules), nil
	})
	var cidr, rangeID, label string
	create := a.Simple(&cobra.Command{
		Use:     "create",
		Short:   "Allow a custom CIDR (--cidr) or a managed range (--range)",
		Example: "  scalingodb firewall create --cidr 203.0.113.0/24 --label office\n  scalingodb firewall create --range eu",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		p := &scalingodb.CreateFirewallRuleParams{Type: scalingodb.FirewallCustomRange, CIDR: cidr, Label: label}
		if rangeID != "" {
			p = &scalingodb.CreateFirewallRuleParams{Type: scalingodb.FirewallManagedRange, RangeID: rangeID, Label: label}
		}
		rule, err := c.Firewall.Create(cmd.Context(), db, p)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot add a firewall rule to %s", db)
		}
		return cols.One(rule), nil
	})
	create.Flags().StringVar(&cidr, "cidr", "", "a custom range, such as 203.0.113.0/24")
	create.Flags().StringVar(&rangeID, "range", "", "the ID of a managed range (see 'scalingodb firewall ranges')")
	create.Flags().StringVar(&label, "label", "", "a label for the rule")
	create.MarkFlagsMutuallyExclusive("cidr", "range")
	create.MarkFlagsOneRequired("cidr", "range")
	update := a.Simple(&cobra.Command{
		Use:               "update ID --label LABEL",
		Short:             "Change the label of a firewall rule",
		Example:           "  scalingodb firewall update 6580a2c91ef5f0001b3c5d7e --label office-paris",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeFirewallRules(a),
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		id := cmd.Flags().Arg(0)
		rule, err := c.Firewall.Update(cmd.Context(), db, id, label)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot update firewall rule %s of %s", id, db)
		}
		return cols.One(rule), nil
	})
	update.Flags().StringVar(&label, "label", "", "the new label (required)")
	_ = update.MarkFlagRequired("label")
	del := a.Delete(&cobra.Command{
		Use:               "delete ID",
		ValidArgsFunction: completeFirewallRules(a),
		Short:             "Delete a firewall rule",
		Example:           "  scalingodb firewall delete 6580a2c91ef5f0001b3c5d7e -y",
	}, "firewall rule", func(ctx context.Context, c *scalingodb.Client, db, id string) error {
		return c.Firewall.Delete(ctx, db, id)
	})
	ranges := a.SimpleClient(&cobra.Command{
		Use:     "ranges",
		Short:   "List the managed ranges a rule can allow",
		Example: "  scalingodb firewall ranges",
		Args:    cobra.NoArgs,
	}, func(cmd *cobra.Command, c *scalingodb.Client) (output.Result, error) {
		rs, err := c.Firewall.ManagedRanges(cmd.Context())
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot list the managed ranges")
		}
		return output.Columns[*scalingodb.ManagedRange]{
			Header: []string{"ID", "NAME"},
			Row:    func(m *scalingodb.ManagedRange) []string { return []string{m.ID, m.Name} },
			Name:   func(m *scalingodb.ManagedRange) string { return m.ID },
		}.List(rs), nil
	})
	cmd.AddCommand(list, create, update, del, ranges)
	return cmd
}

// archiveView is a log archive in -o json.
type archiveView struct {
	URL  string    `json:"url"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Size int64     `json:"size"`
}

func logsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "logs",
		Short:   "Get the URL of the database logs and the archived log files",
		Example: "  curl \"$(scalingodb logs url)\"\n  scalingodb logs archives -o name | head -n 1 | xargs curl -O",
	}
	url := a.Simple(&cobra.Command{
		Use:     "url",
		Short:   "Print an authenticated URL from which the logs can be read",
		Long:    "Print an authenticated URL from which the logs can be read. It carries a token: keep it private.",
		Example: "  curl \"$(scalingodb logs url)\"",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		u, err := c.Logs.URL(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the logs URL of %s", db)
		}
		return output.Result{JSON: map[string]string{"url": u.URL()}, Rows: [][]string{{u.URL()}}, Names: []string{u.URL()}}, nil
	})
	archives := a.Simple(&cobra.Command{
		Use:   "archives",
		Short: "List every archived log file (all pages), newest first",
		Long: `List every archived log file, newest first, fetching every page. The table
shows the period and size of each file; -o name prints their URLs (which
carry a token) and -o json everything.`,
		Example: "  scalingodb logs archives\n  scalingodb logs archives -o name",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		r := output.Result{Header: []string{"FROM", "TO", "SIZE"}}
		views := []archiveView{}
		// AllArchives stops with an error, never silently, when the pages
		// cannot be followed to the end: no part of the list passes for all.
		for ar, err := range c.Logs.AllArchives(cmd.Context(), db) {
			if err != nil {
				return output.Result{}, exit.Errf(err, "cannot list the log archives of %s", db)
			}
			views = append(views, archiveView{URL: ar.URL.URL(), From: ar.From, To: ar.To, Size: ar.Size})
			r.Rows = append(r.Rows, []string{output.TimeText(ar.From), output.TimeText(ar.To), output.BytesText(ar.Size)})
			r.Names = append(r.Names, ar.URL.URL())
		}
		r.JSON = views
		return r, nil
	})
	cmd.AddCommand(url, archives)
	return cmd
}

func pitrCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "pitr",
		Short:   "Restore a PostgreSQL database to a point in time",
		Example: "  scalingodb pitr window\n  scalingodb pitr restore --time 2024-05-01T08:30:00Z -y",
	}
	window := a.Simple(&cobra.Command{
		Use:     "window",
		Short:   "Show the earliest and latest instants a restore can target",
		Example: "  scalingodb pitr window",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		w, err := c.PITR.RecoveryWindow(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the recovery window of %s", db)
		}
		return output.Result{JSON: w, Header: []string{"EARLIEST", "LATEST"},
			Rows: [][]string{{output.TimePtrText(w.EarliestRecoverableAt), output.TimePtrText(w.LatestRecoverableAt)}}}, nil
	})
	var (
		at  string
		yes bool
		wf  poll.Flags
	)
	restore := a.Simple(&cobra.Command{
		Use:   "restore --time TIME",
		Short: "Restore the data as it was at a point in time (irreversible)",
		Long: `Restore the data of the database as it was at --time (RFC 3339, such as
2024-05-01T08:30:00Z), within 'scalingodb pitr window'. The data written
since is lost. The restore runs asynchronously: its operation is printed.`,
		Example: "  scalingodb pitr restore --time 2024-05-01T08:30:00Z -y",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return output.Result{}, exit.Usagef(cmd, "--time %q is not an RFC 3339 time such as 2024-05-01T08:30:00Z", at)
		}
		if err := a.Confirm(cmd, yes, "restore "+db+" to "+t.UTC().Format(time.RFC3339)+"? data written since is lost"); err != nil {
			return output.Result{}, err
		}
		op, err := c.PITR.Restore(cmd.Context(), db, t)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot restore %s", db)
		}
		if wf.Wait {
			if op, err = a.waitOperation(cmd.Context(), c, db, op.ID, wf); err != nil {
				return output.Result{}, exit.Errf(err, "restore of %s", db)
			}
		}
		return output.Result{JSON: op, Header: []string{"OPERATION", "TYPE", "STATUS", "CREATED"},
			Rows: [][]string{{op.ID, op.Type, string(op.Status), output.TimeText(op.CreatedAt)}}, Names: []string{op.ID}}, nil
	})
	restore.Flags().StringVar(&at, "time", "", "the instant to restore to, RFC 3339 (required)")
	run.AddYesFlag(restore, &yes)
	wf.AddWait(restore, "wait until the restore's operation succeeds")
	_ = restore.MarkFlagRequired("time")
	cmd.AddCommand(window, restore)
	return cmd
}

func instancesCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:     "instances",
		Short:   "Show the type, status and role of every node of the database",
		Example: "  scalingodb instances",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		is, err := c.Instances.Status(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the instances of %s", db)
		}
		return output.Columns[*scalingodb.InstanceStatus]{
			Header: []string{"ID", "TYPE", "STATUS", "ROLE"},
			Row: func(i *scalingodb.InstanceStatus) []string {
				return []string{i.ID, string(i.Type), string(i.Status), output.OrDash(string(i.Role))}
			},
			Name: func(i *scalingodb.InstanceStatus) string { return i.ID },
		}.List(is), nil
	})
}

func metricsCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:     "metrics",
		Short:   "Show the CPU, memory and disk usage of the database and of each instance",
		Example: "  scalingodb metrics\n  scalingodb metrics -o json | jq .cpu_usage",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		m, err := c.Metrics.Get(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the metrics of %s", db)
		}
		r := output.Result{JSON: m, Header: []string{"INSTANCE", "CPU", "MEMORY", "SWAP", "DISK"}}
		r.Rows = append(r.Rows, []string{"(database)", fmt.Sprintf("%.1f%%", m.CPUUsage),
			output.BytesText(m.Memory.Memory) + " / " + output.BytesText(m.Memory.MemoryLimit),
			output.BytesText(m.Memory.Swap) + " / " + output.BytesText(m.Memory.SwapLimit), output.BytesText(m.RealDiskSize)})
		ids := make([]string, 0, len(m.InstancesMetrics))
		for id := range m.InstancesMetrics {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			im := m.InstancesMetrics[id]
			r.Rows = append(r.Rows, []string{id, fmt.Sprintf("%.1f%%", im.CPU.UsageInPercents),
				output.BytesText(im.Memory.MemoryUsage) + " / " + output.BytesText(im.Memory.MemoryLimit),
				output.BytesText(im.Memory.SwapUsage) + " / " + output.BytesText(im.Memory.SwapLimit), output.BytesText(im.RealDiskSize)})
			r.Names = append(r.Names, id)
		}
		return r, nil
	})
}

// healthView is the health of a cluster in -o json.
type healthView struct {
	Epoch        time.Time `json:"epoch"`
	Status       string    `json:"status"`
	Cluster      string    `json:"cluster"`
	Shards       int64     `json:"shards"`
	PendingTasks int64     `json:"pending_tasks"`
}

func healthCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:     "health",
		Short:   "Show the health of an Elasticsearch cluster",
		Example: "  scalingodb health --database my-es-123",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		h, err := c.Metrics.Health(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get the health of %s", db)
		}
		return output.Result{
			JSON:   healthView{Epoch: h.Epoch, Status: string(h.Status), Cluster: h.Cluster, Shards: h.Shards, PendingTasks: h.PendingTasks},
			Header: []string{"CLUSTER", "STATUS", "SHARDS", "PENDING TASKS", "AT"},
			Rows:   [][]string{{h.Cluster, string(h.Status), strconv.FormatInt(h.Shards, 10), strconv.FormatInt(h.PendingTasks, 10), output.TimeText(h.Epoch)}},
			Names:  []string{h.Cluster},
		}, nil
	})
}

func typeVersionCmd(a *app) *cobra.Command {
	var (
		format string
		next   bool
	)
	cmd := &cobra.Command{
		Use:   "type-version [ID]",
		Short: "Describe an engine version (the database's own by default)",
		Long: `Describe a version of a database engine: the one named, or else the
database's current version (or the next one with --next).`,
		Example: "  scalingodb type-version\n  scalingodb type-version --next\n  scalingodb type-version 5f217c7a406c12000e889be3",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := run.CheckFormat(cmd, format); err != nil {
				return err
			}
			if len(args) == 1 && next {
				return exit.Usagef(cmd, "give a version ID or --next, not both")
			}
			c, err := a.ClientFor(cmd)
			if err != nil {
				return err
			}
			var id string
			if len(args) == 1 {
				id = args[0]
			} else {
				db, err := a.DatabaseID(cmd)
				if err != nil {
					return err
				}
				d, err := c.Databases.Get(cmd.Context(), db)
				if err != nil {
					return exit.Errf(err, "cannot get database %s", db)
				}
				id = d.VersionID
				if next {
					if d.NextVersionID == "" {
						return exit.Errf(fmt.Errorf("no newer version is available"), "database %s", db)
					}
					id = d.NextVersionID
				}
			}
			v, err := c.TypeVersions.Get(cmd.Context(), id)
			if err != nil {
				return exit.Errf(err, "cannot get version %s", id)
			}
			nextText := "-"
			if v.NextUpgrade != nil {
				nextText = v.NextUpgrade.String()
			}
			return a.Print(format, output.Result{
				JSON:   v,
				Header: []string{"ID", "VERSION", "NEXT UPGRADE", "FEATURES"},
				Rows:   [][]string{{v.ID, v.String(), nextText, strconv.Itoa(len(v.Features))}},
				Names:  []string{v.ID},
			})
		},
	}
	cmd.Flags().BoolVar(&next, "next", false, "the version the database would be upgraded to")
	run.AddFormatFlag(cmd, &format)
	return cmd
}
