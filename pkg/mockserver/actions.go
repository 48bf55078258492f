package mockserver

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

var logicalNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// actionResult is the body of runDatabaseAction.
func actionOK(result any) dbapi.ActionResult {
	return dbapi.ActionResult{Ok: dbapi.ActionResultOkN1, Result: result}
}

func actionFailed(format string, args ...any) dbapi.ActionResult {
	msg := fmt.Sprintf(format, args...)
	return dbapi.ActionResult{Ok: dbapi.ActionResultOkN0, Error: &msg}
}

// paramString reads a string parameter of an action from a params object.
func paramString(params any, key string) (string, bool) {
	m, ok := params.(map[string]any)
	if !ok {
		return "", false
	}
	v, ok := m[key].(string)
	return v, ok
}

func paramNumber(params any, key string) (float64, bool) {
	m, ok := params.(map[string]any)
	if !ok {
		return 0, false
	}
	v, ok := m[key].(float64)
	return v, ok
}

// RunDatabaseAction runs an engine action; the available actions depend on the database type. An
// unknown or failed action answers 200 with ok 0 and an error, as the API does.
func (s handlers) RunDatabaseAction(_ context.Context, req dbapi.RunDatabaseActionRequestObject) (dbapi.RunDatabaseActionResponseObject, error) {
	if req.Body == nil {
		return errorResponse(http.StatusBadRequest, "missing request body"), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[req.DatabaseID]
	if db == nil {
		return notFound("database"), nil
	}
	return dbapi.RunDatabaseAction200JSONResponse(s.runAction(db, req.Body.ActionName, req.Body.Params)), nil
}

func (s *Server) runAction(db *database, name string, params any) dbapi.ActionResult {
	typ := db.db.TypeName
	switch {
	case typ == "postgresql":
		switch name {
		case "list-extensions":
			return actionOK([]map[string]string{{"name": "plpgsql", "version": "v1.0"}, {"name": "postgis", "version": "v3.4.0"}})
		case "pg-list-queries":
			return actionOK([]map[string]any{
				{"query": "SELECT * FROM users", "state": "active", "username": db.db.ResourceID, "query_start": "2020-05-10T09:00:00Z", "pid": 2000, "query_duration": 1000000000},
				{"query": "", "state": "idle", "username": db.db.ResourceID, "query_start": "2020-05-10T08:59:00Z", "pid": 2001, "query_duration": 61000000000},
			})
		case "pg-cancel-query", "pg-terminate-query":
			pid, ok := paramNumber(params, "pid")
			if !ok {
				return actionFailed("params.pid is required")
			}
			if pid != 2000 && pid != 2001 {
				return actionFailed("no query with pid %v", pid)
			}
			return actionOK(nil)
		case "pg-stat-statements-enable", "pg-stat-statements-reset":
			return actionOK(nil)
		case "pg-stat-statements-list":
			return actionOK([]map[string]any{{"user_id": 1000, "query": "SELECT * FROM users", "calls": 24512, "rows": 500,
				"total_time": 1837.1, "min_time": 0.2, "max_time": 3.5, "mean_time": 0.6, "std_dev": 0.1}})
		}
	case typ == "mysql" || typ == "mongodb":
		switch name {
		case "list-databases":
			return actionOK(slices.Clone(db.logical))
		case "create-database":
			n, ok := paramString(params, "database_name")
			if !ok || !logicalNameRE.MatchString(n) {
				return actionFailed("params.database_name is required: letters, digits, _ and -")
			}
			if slices.ContainsFunc(db.logical, func(l logicalDB) bool { return l.Name == n }) {
				return actionFailed("database %s already exists", n)
			}
			db.logical = append(db.logical, logicalDB{Name: n})
			return actionOK(logicalDB{Name: n})
		case "delete-database", "reset-database":
			n, _ := paramString(params, "database_name")
			i := slices.IndexFunc(db.logical, func(l logicalDB) bool { return l.Name == n })
			if i < 0 {
				return actionFailed("database %q does not exist", n)
			}
			if db.logical[i].Protected {
				return actionFailed("database %s is protected", n)
			}
			if name == "delete-database" {
				db.logical = slices.Delete(db.logical, i, i+1)
			}
			return actionOK(nil)
		case "get-sqlmode", "set-sqlmode":
			if typ != "mysql" {
				break
			}
			if name == "get-sqlmode" {
				return actionOK(db.sqlMode)
			}
			mode, ok := params.(string)
			if !ok {
				return actionFailed("params should be the SQL mode, a string")
			}
			db.sqlMode = mode
			return actionOK(nil)
		}
	case typ == "influxdb":
		switch name {
		case "list-retention-policies":
			out := make([]map[string]any, 0, len(db.retention))
			for _, p := range db.retention {
				out = append(out, map[string]any{"name": p, "duration": (7 * 24 * time.Hour).String(), "default": p == "autogen"})
			}
			return actionOK(out)
		case "add-retention-policy":
			n, ok := paramString(params, "name")
			if !ok || n == "" {
				return actionFailed("params.name is required")
			}
			if !slices.Contains(db.retention, n) {
				db.retention = append(db.retention, n)
			}
			return actionOK(nil)
		case "del-retention-policy":
			n, _ := paramString(params, "name")
			i := slices.Index(db.retention, n)
			if i < 0 {
				return actionFailed("retention policy %q does not exist", n)
			}
			db.retention = slices.Delete(db.retention, i, i+1)
			return actionOK(nil)
		}
	}
	return actionFailed("unknown action %q for %s databases", name, typ)
}
