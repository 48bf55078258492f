package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/specrules"
)

// databaseView is the database as the API shows it at now.
func (s *Server) databaseView(db *database, now time.Time) dbapi.Database {
	s.settleUpgrades(db, now)
	d := db.db
	d.Features = s.featuresView(db, now)
	d.PeriodicBackupsScheduledAt = slices.Clone(d.PeriodicBackupsScheduledAt)
	d.Instances = slices.Clone(d.Instances)
	d.CurrentOperationID = s.currentOperation(db, now)
	return d
}

// GetDatabase shows a database.
func (s handlers) GetDatabase(_ context.Context, req dbapi.GetDatabaseRequestObject) (dbapi.GetDatabaseResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseResponseObject, error) {
		return dbapi.GetDatabase200JSONResponse{Database: s.databaseView(db, s.cfg.clock.Now())}, nil
	})
}

// UpdateDatabase changes the periodic backup settings or the maintenance window (PATCH).
func (s handlers) UpdateDatabase(_ context.Context, req dbapi.UpdateDatabaseRequestObject) (dbapi.UpdateDatabaseResponseObject, error) {
	return s.updateDatabase(req.DatabaseID, req.Body.Database), nil
}

// PutDatabase is the PUT form of UpdateDatabase.
func (s handlers) PutDatabase(_ context.Context, req dbapi.PutDatabaseRequestObject) (dbapi.PutDatabaseResponseObject, error) {
	return s.updateDatabase(req.DatabaseID, req.Body.Database), nil
}

func (s *Server) updateDatabase(id string, in dbapi.DatabaseUpdate) respond.Response {
	var hours []int
	var errs []string
	if in.PeriodicBackupsScheduledAt != nil {
		raw, _ := in.PeriodicBackupsScheduledAt.MarshalJSON()
		// The union checks nothing: discriminate on the JSON itself.
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
			if err := json.Unmarshal(raw, &hours); err != nil {
				errs = append(errs, "periodic_backups_scheduled_at", "should be an hour or a list of hours")
			}
		} else {
			var h int
			if err := json.Unmarshal(raw, &h); err != nil {
				errs = append(errs, "periodic_backups_scheduled_at", "should be an hour or a list of hours")
			}
			hours = []int{h}
		}
		for _, h := range hours {
			if h < 0 || h > 23 {
				errs = append(errs, "periodic_backups_scheduled_at", "should be between 0 and 23")
				break
			}
		}
	}
	if mw := in.MaintenanceWindow; mw != nil {
		if mw.WeekdayUtc != nil && (*mw.WeekdayUtc < 0 || *mw.WeekdayUtc > 6) {
			errs = append(errs, "maintenance_window.weekday_utc", "should be between 0 and 6")
		}
		if mw.StartingHourUtc != nil && (*mw.StartingHourUtc < 0 || *mw.StartingHourUtc > 23) {
			errs = append(errs, "maintenance_window.starting_hour_utc", "should be between 0 and 23")
		}
	}
	if len(errs) > 0 {
		return respond.Invalid(errs...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[id]
	if db == nil {
		return respond.NotFound("database")
	}
	if in.PeriodicBackupsEnabled != nil {
		db.db.PeriodicBackupsEnabled = *in.PeriodicBackupsEnabled
	}
	if hours != nil {
		slices.Sort(hours)
		db.db.PeriodicBackupsScheduledAt = slices.Compact(hours)
	}
	if mw := in.MaintenanceWindow; mw != nil {
		if mw.WeekdayUtc != nil {
			db.db.MaintenanceWindow.WeekdayUtc = *mw.WeekdayUtc
		}
		if mw.StartingHourUtc != nil {
			db.db.MaintenanceWindow.StartingHourUtc = *mw.StartingHourUtc
		}
	}
	return respond.JSON(http.StatusOK, dbapi.DatabaseResponse{Database: s.databaseView(db, s.cfg.clock.Now())})
}

// UpgradeDatabase starts an upgrade to the next version: 202 with a Location and the target version.
func (s handlers) UpgradeDatabase(ctx context.Context, req dbapi.UpgradeDatabaseRequestObject) (dbapi.UpgradeDatabaseResponseObject, error) {
	base, err := s.linkBase(ctx)
	if err != nil {
		return respond.Error(http.StatusBadRequest, err.Error()), nil // before anything starts
	}
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.UpgradeDatabaseResponseObject, error) {
		s.settleUpgrades(db, s.cfg.clock.Now())
		if db.db.NextVersionID == nil {
			return respond.Invalid("version", "is already the latest available"), nil
		}
		next, ok := s.store.versions[*db.db.NextVersionID]
		if !ok {
			return respond.Invalid("version", "has no known next version"), nil
		}
		op := s.startOperation(db, OperationTypeUpgrade, s.cfg.clock.Now())
		op.target = next.ID
		db.upgrades = append(db.upgrades, op)
		opID := op.id
		loc := base + "/databases/" + url.PathEscape(req.DatabaseID) + "/operations/" + opID
		mw := db.db.MaintenanceWindow
		msg := fmt.Sprintf("Database upgrade to %d.%d.%d-%d is pending", next.Major, next.Minor, next.Patch, next.Build)
		warning := ""
		return dbapi.UpgradeDatabase202JSONResponse{
			Body: dbapi.UpgradeResponse{
				Message: msg, OperationID: opID, ID: next.ID, DatabaseTypeID: &next.DatabaseTypeID,
				CreatedAt: &next.CreatedAt, UpdatedAt: &next.UpdatedAt, Major: &next.Major, Minor: &next.Minor,
				Patch: &next.Patch, Build: &next.Build, Features: &next.Features, MaintenanceWindow: &mw,
				WarningMessage: &warning, AllowedPlugins: next.AllowedPlugins,
			},
			Headers: dbapi.UpgradeDatabase202ResponseHeaders{Location: &loc},
		}, nil
	})
}

// settleUpgrades moves db to the version of each of its upgrades that has finished at now, in the
// order they started: the database then shows that version, readable, and the one after it as
// its next (none at the last). It holds s.mu.
func (s *Server) settleUpgrades(db *database, now time.Time) {
	for len(db.upgrades) > 0 && s.operationView(db.upgrades[0], now).Status == dbapi.OperationStatusFinished {
		if v, ok := s.store.versions[db.upgrades[0].target]; ok {
			db.db.VersionID = v.ID
			db.db.ReadableVersion = fmt.Sprintf("%d.%d.%d-%d", v.Major, v.Minor, v.Patch, v.Build)
			db.db.NextVersionID = nil
			if v.NextUpgrade != nil {
				next := v.NextUpgrade.ID
				db.db.NextVersionID = &next
			}
		}
		db.upgrades = db.upgrades[1:]
	}
}

// pitrWindow is the recovery window of a PostgreSQL database: the last seven days.
func pitrWindow(now time.Time) (time.Time, time.Time) {
	now = now.UTC().Truncate(time.Second)
	return now.AddDate(0, 0, -7), now
}

// RestoreDatabasePitr starts a point-in-time restore (PostgreSQL only).
func (s handlers) RestoreDatabasePitr(_ context.Context, req dbapi.RestoreDatabasePitrRequestObject) (dbapi.RestoreDatabasePitrResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.RestoreDatabasePitrResponseObject, error) {
		if db.db.TypeName != "postgresql" {
			return respond.Invalid("database", "point-in-time recovery is only available for PostgreSQL"), nil
		}
		now := s.cfg.clock.Now()
		from, to := pitrWindow(now)
		if rt := req.Body.RestoreTime; rt.Before(from) || rt.After(to) {
			return respond.Invalid("restore_time", "should be within the recovery window"), nil
		}
		op := s.operationView(s.startOperation(db, OperationTypePitrRestore, now), now)
		return dbapi.RestoreDatabasePitr201JSONResponse{Operation: dbapi.Operation{ID: op.ID, Type: &op.Type, Status: &op.Status, CreatedAt: &op.CreatedAt, FinishedAt: op.FinishedAt}}, nil
	})
}

// GetPitrRecoveryWindow shows the recovery window (PostgreSQL only, 404 otherwise).
func (s handlers) GetPitrRecoveryWindow(_ context.Context, req dbapi.GetPitrRecoveryWindowRequestObject) (dbapi.GetPitrRecoveryWindowResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetPitrRecoveryWindowResponseObject, error) {
		if db.db.TypeName != "postgresql" {
			return respond.NotFoundBecause("recovery_window", "point-in-time recovery is only available for PostgreSQL"), nil
		}
		from, to := pitrWindow(s.cfg.clock.Now())
		return dbapi.GetPitrRecoveryWindow200JSONResponse{RecoveryWindow: dbapi.RecoveryWindow{EarliestRecoverableAt: &from, LatestRecoverableAt: &to}}, nil
	})
}

func findFeature(db *database, name string) int {
	return slices.IndexFunc(db.features, func(f *feature) bool { return f.name == name })
}

// EnableDatabaseFeature asks for a feature; it is PENDING_TO_ACTIVATE, then ACTIVATED on the
// database once the activation delay has passed.
func (s handlers) EnableDatabaseFeature(_ context.Context, req dbapi.EnableDatabaseFeatureRequestObject) (dbapi.EnableDatabaseFeatureResponseObject, error) {
	name := string(req.Body.Feature.Name)
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.EnableDatabaseFeatureResponseObject, error) {
		if !specrules.KnownFeature(db.db.TypeName, name) {
			return respond.Invalid("name", fmt.Sprintf("%q is not a feature of %s databases", name, db.db.TypeName)), nil
		}
		if name == "publicly-available" && findFeature(db, "force-ssl") < 0 {
			return respond.Invalid("name", "publicly-available needs force-ssl to be enabled first"), nil
		}
		now := s.cfg.clock.Now()
		if i := findFeature(db, name); i >= 0 {
			st := s.featuresView(db, now)[i].Status
			return dbapi.EnableDatabaseFeature200JSONResponse{Name: name, Status: st, Message: name + " feature is already enabled"}, nil
		}
		db.features = append(db.features, &feature{name: name, status: dbapi.FeatureStatusPENDINGTOACTIVATE, since: now})
		st := dbapi.FeatureStatusPENDINGTOACTIVATE
		if s.cfg.featureActivation == 0 {
			st = dbapi.FeatureStatusACTIVATED
		}
		return dbapi.EnableDatabaseFeature200JSONResponse{Name: name, Status: st, Message: name + " feature is being enabled"}, nil
	})
}

// DisableDatabaseFeature turns a feature off.
func (s handlers) DisableDatabaseFeature(_ context.Context, req dbapi.DisableDatabaseFeatureRequestObject) (dbapi.DisableDatabaseFeatureResponseObject, error) {
	name := string(req.Params.Feature)
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.DisableDatabaseFeatureResponseObject, error) {
		if !specrules.KnownFeature(db.db.TypeName, name) {
			return respond.Invalid("feature", fmt.Sprintf("%q is not a feature of %s databases", name, db.db.TypeName)), nil
		}
		if i := findFeature(db, name); i >= 0 {
			db.features = slices.Delete(db.features, i, i+1)
		}
		return dbapi.DisableDatabaseFeature200JSONResponse{Message: name + " feature has been disabled"}, nil
	})
}
