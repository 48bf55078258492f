package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/poll"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func databaseCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "database",
		Short: "Get the database, update its settings, upgrade its engine",
		Example: `  scalingodb database get
  scalingodb database update --backup-hours 3 --maintenance-day sun --maintenance-hour 2
  scalingodb database upgrade --wait -y`,
	}
	cmd.AddCommand(databaseGetCmd(a), databaseUpdateCmd(a), databaseUpgradeCmd(a))
	return cmd
}

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func databaseResult(d *scalingodb.Database) output.Result {
	mw := d.MaintenanceWindow
	return output.Result{
		JSON: d,
		Rows: output.Fields(
			"ID", d.ID,
			"Addon", output.OrDash(d.ResourceID),
			"App", output.OrDash(d.AppName),
			"Type", d.TypeName+" "+d.ReadableVersion,
			"Plan", d.Plan,
			"Status", string(d.Status),
			"Hostname", output.OrDash(d.Hostname),
			"Instances", strconv.Itoa(len(d.Instances)),
			"Next version", output.OrDash(d.NextVersionID),
			"Current operation", output.OrDash(d.CurrentOperationID),
			"Periodic backups", strconv.FormatBool(d.PeriodicBackupsEnabled)+" at "+output.Ints(d.PeriodicBackupsScheduledAt)+" h UTC",
			"Maintenance window", fmt.Sprintf("%s %02d:00 UTC, %d h", weekdayName(int(mw.WeekdayUTC)), mw.StartingHourUTC, mw.DurationInHour),
			"Encryption at rest", strconv.FormatBool(d.EncryptionAtRest),
			"Created", output.TimeText(d.CreatedAt),
		),
		Names: []string{d.ID},
	}
}

func weekdayName(d int) string {
	if d >= 0 && d < len(weekdays) {
		return weekdays[d]
	}
	return strconv.Itoa(d)
}

// parseWeekday reads a day as 0-6 (0 is Sunday) or an English name or its prefix.
func parseWeekday(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0 && n <= 6
	}
	s = strings.ToLower(s)
	for i, d := range weekdays {
		if len(s) >= 3 && strings.HasPrefix(d, s) {
			return i, true
		}
	}
	return 0, false
}

func databaseGetCmd(a *app) *cobra.Command {
	return a.Simple(&cobra.Command{
		Use:     "get",
		Short:   "Show the database: version, plan, status, backups schedule, maintenance window",
		Example: "  scalingodb database get\n  scalingodb database get -o json | jq .periodic_backups_scheduled_at",
	}, func(cmd *cobra.Command, c *scalingodb.Client, db string) (output.Result, error) {
		d, err := c.Databases.Get(cmd.Context(), db)
		if err != nil {
			return output.Result{}, exit.Errf(err, "cannot get database %s", db)
		}
		return databaseResult(d), nil
	})
}

func databaseUpdateCmd(a *app) *cobra.Command {
	var (
		format            string
		periodic          bool
		hours             []int
		day               string
		hour              int
		put               bool
		maintenanceChange bool
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Change the periodic backups schedule or the maintenance window",
		Long: `Change the periodic backups (on or off, and the hours of the day, UTC, at
which they run) or the start of the weekly maintenance window (day and
hour, UTC). Settings not given are left alone.`,
		Example: `  scalingodb database update --backup-hours 3
  scalingodb database update --periodic-backups=false
  scalingodb database update --maintenance-day sunday --maintenance-hour 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := run.CheckFormat(cmd, format); err != nil {
				return err
			}
			u := scalingodb.UpdateDatabaseParams{UsePUT: put}
			f := cmd.Flags()
			if f.Changed("periodic-backups") {
				u.PeriodicBackupsEnabled = &periodic
			}
			if f.Changed("backup-hours") {
				u.PeriodicBackupsScheduledAt = hours
			}
			if f.Changed("maintenance-day") {
				d, ok := parseWeekday(day)
				if !ok {
					return exit.Usagef(cmd, "--maintenance-day %q: give 0-6 (0 is Sunday) or a day name", day)
				}
				wd := time.Weekday(d)
				u.MaintenanceWindow = &scalingodb.MaintenanceWindowParams{WeekdayUTC: &wd}
				maintenanceChange = true
			}
			if f.Changed("maintenance-hour") {
				if u.MaintenanceWindow == nil {
					u.MaintenanceWindow = &scalingodb.MaintenanceWindowParams{}
				}
				u.MaintenanceWindow.StartingHourUTC = &hour
				maintenanceChange = true
			}
			if u.PeriodicBackupsEnabled == nil && u.PeriodicBackupsScheduledAt == nil && !maintenanceChange {
				return exit.Usagef(cmd, "nothing to update: pass --periodic-backups, --backup-hours, --maintenance-day or --maintenance-hour")
			}
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			d, err := c.Databases.Update(cmd.Context(), db, &u) // PUT when --put (u.UsePUT)
			if err != nil {
				return exit.Errf(err, "cannot update database %s", db)
			}
			return a.Print(format, databaseResult(d))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&periodic, "periodic-backups", true, "turn periodic backups on or off (--periodic-backups=false)")
	f.IntSliceVar(&hours, "backup-hours", nil, "hours of the day (0-23, UTC) at which periodic backups run, such as 3 or 3,15")
	f.StringVar(&day, "maintenance-day", "", "day the maintenance window starts: 0-6 (0 is Sunday) or a name such as sunday")
	f.IntVar(&hour, "maintenance-hour", 0, "hour (0-23, UTC) at which the maintenance window starts")
	f.BoolVar(&put, "put", false, "send the update with PUT (putDatabase) instead of PATCH")
	run.AddFormatFlag(cmd, &format)
	return cmd
}

func databaseUpgradeCmd(a *app) *cobra.Command {
	var (
		format string
		yes    bool
		wf     poll.Flags
	)
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Upgrade the engine to the next version, and wait for it with --wait",
		Long: `Start an upgrade of the database engine to the next available version (see
'scalingodb type-version --next'). The upgrade runs asynchronously; --wait
follows its operation until it succeeds.`,
		Example: "  scalingodb database upgrade -y\n  scalingodb database upgrade -y --wait --timeout 1h",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, db, err := a.FormatTarget(cmd, format)
			if err != nil {
				return err
			}
			if err := a.Confirm(cmd, yes, "upgrade the engine of "+db+" to its next version?"); err != nil {
				return err
			}
			up, err := c.Databases.Upgrade(cmd.Context(), db)
			if err != nil {
				return exit.Errf(err, "cannot upgrade database %s", db)
			}
			a.Status("%s (operation %s)", up.Message, up.OperationID)
			if up.WarningMessage != "" {
				a.Status("warning: %s", up.WarningMessage)
			}
			if wf.Wait {
				if _, err := a.waitOperation(cmd.Context(), c, db, up.OperationID, wf); err != nil {
					return exit.Errf(err, "upgrade of %s", db)
				}
			}
			return a.Print(format, output.Result{
				JSON:   upgradeView{Message: up.Message, OperationID: up.OperationID, WarningMessage: up.WarningMessage, Target: up.Target},
				Header: []string{"OPERATION", "TARGET VERSION", "TARGET ID"},
				Rows:   [][]string{{up.OperationID, up.Target.String(), up.Target.ID}},
				Names:  []string{up.OperationID},
			})
		},
	}
	run.AddYesFlag(cmd, &yes)
	wf.AddWait(cmd, "wait until the upgrade's operation succeeds")
	run.AddFormatFlag(cmd, &format)
	return cmd
}

// upgradeView is an upgrade in -o json.
type upgradeView struct {
	Message        string                         `json:"message"`
	OperationID    string                         `json:"operation_id"`
	WarningMessage string                         `json:"warning_message,omitempty"`
	Target         scalingodb.DatabaseTypeVersion `json:"target"`
}
