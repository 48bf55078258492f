// Package actions runs the engine actions of runDatabaseAction: per database type, a table of
// named actions over the state they read and change (logical databases, SQL mode, retention
// policies). An unknown or failed action is an ActionResult with ok 0 and an error, as the API
// answers it.
package actions

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// State is what the actions of one database read and change. The zero State has nothing; NewState
// gives the state a new database starts with.
type State struct {
	resourceID string // the database's resource ID: the user of its queries
	logical    []logicalDB
	sqlMode    string
	retention  []string
}

type logicalDB struct {
	Name      string `json:"name"`
	Protected bool   `json:"protected"`
}

// NewState returns the state of a new database of resource ID resourceID: one protected logical
// database of that name, MySQL's default SQL mode and InfluxDB's autogen retention policy.
func NewState(resourceID string) State {
	return State{
		resourceID: resourceID,
		logical:    []logicalDB{{Name: resourceID, Protected: true}},
		sqlMode:    "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION",
		retention:  []string{"autogen"},
	}
}

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

// Run runs the action name of the engine (a database type name, see engineActions) on st; an
// action the engine does not have fails. The caller serialises the calls on one State.
func (st *State) Run(engine, name string, params any) dbapi.ActionResult {
	if run := engineActions[engine][name]; run != nil {
		return run(st, params)
	}
	return actionFailed("unknown action %q for %s databases", name, engine)
}

// action runs one engine action on db with the request's params.
type action func(db *State, params any) dbapi.ActionResult

// engineActions are the actions of each database type, by name. It is
// never written after initialisation.
var engineActions = map[string]map[string]action{
	"postgresql": {
		"list-extensions":           pgListExtensions,
		"pg-list-queries":           pgListQueries,
		"pg-cancel-query":           pgSignalQuery,
		"pg-terminate-query":        pgSignalQuery,
		"pg-stat-statements-enable": noResult,
		"pg-stat-statements-reset":  noResult,
		"pg-stat-statements-list":   pgStatStatements,
	},
	"mysql":   withLogicalDatabases(map[string]action{"get-sqlmode": getSQLMode, "set-sqlmode": setSQLMode}),
	"mongodb": withLogicalDatabases(map[string]action{}),
	"influxdb": {
		"list-retention-policies": listRetentionPolicies,
		"add-retention-policy":    addRetentionPolicy,
		"del-retention-policy":    delRetentionPolicy,
	},
}

// withLogicalDatabases adds to actions those that manage the logical
// databases of a MySQL or MongoDB database.
func withLogicalDatabases(actions map[string]action) map[string]action {
	actions["list-databases"] = listDatabases
	actions["create-database"] = createDatabase
	actions["delete-database"] = removeDatabase(true)
	actions["reset-database"] = removeDatabase(false)
	return actions
}

func noResult(*State, any) dbapi.ActionResult { return actionOK(nil) }

func pgListExtensions(*State, any) dbapi.ActionResult {
	return actionOK([]map[string]string{{"name": "plpgsql", "version": "v1.0"}, {"name": "postgis", "version": "v3.4.0"}})
}

func pgListQueries(db *State, _ any) dbapi.ActionResult {
	return actionOK([]map[string]any{
		{"query": "SELECT * FROM users", "state": "active", "username": db.resourceID, "query_start": "2020-05-10T09:00:00Z", "pid": 2000, "query_duration": 1000000000},
		{"query": "", "state": "idle", "username": db.resourceID, "query_start": "2020-05-10T08:59:00Z", "pid": 2001, "query_duration": 61000000000},
	})
}

// pgSignalQuery cancels or terminates one of the queries pgListQueries lists.
func pgSignalQuery(_ *State, params any) dbapi.ActionResult {
	pid, ok := paramNumber(params, "pid")
	if !ok {
		return actionFailed("params.pid is required")
	}
	if pid != 2000 && pid != 2001 {
		return actionFailed("no query with pid %v", pid)
	}
	return actionOK(nil)
}

func pgStatStatements(*State, any) dbapi.ActionResult {
	return actionOK([]map[string]any{{"user_id": 1000, "query": "SELECT * FROM users", "calls": 24512, "rows": 500,
		"total_time": 1837.1, "min_time": 0.2, "max_time": 3.5, "mean_time": 0.6, "std_dev": 0.1}})
}

func listDatabases(db *State, _ any) dbapi.ActionResult { return actionOK(slices.Clone(db.logical)) }

func createDatabase(db *State, params any) dbapi.ActionResult {
	n, ok := paramString(params, "database_name")
	if !ok || !logicalNameRE.MatchString(n) {
		return actionFailed("params.database_name is required: letters, digits, _ and -")
	}
	if slices.ContainsFunc(db.logical, func(l logicalDB) bool { return l.Name == n }) {
		return actionFailed("database %s already exists", n)
	}
	db.logical = append(db.logical, logicalDB{Name: n})
	return actionOK(logicalDB{Name: n})
}

// removeDatabase deletes a logical database, or resets it (which the mock
// does not model: it only checks that the database may be reset).
func removeDatabase(del bool) action {
	return func(db *State, params any) dbapi.ActionResult {
		n, _ := paramString(params, "database_name")
		i := slices.IndexFunc(db.logical, func(l logicalDB) bool { return l.Name == n })
		if i < 0 {
			return actionFailed("database %q does not exist", n)
		}
		if db.logical[i].Protected {
			return actionFailed("database %s is protected", n)
		}
		if del {
			db.logical = slices.Delete(db.logical, i, i+1)
		}
		return actionOK(nil)
	}
}

func getSQLMode(db *State, _ any) dbapi.ActionResult { return actionOK(db.sqlMode) }

func setSQLMode(db *State, params any) dbapi.ActionResult {
	mode, ok := params.(string)
	if !ok {
		return actionFailed("params should be the SQL mode, a string")
	}
	db.sqlMode = mode
	return actionOK(nil)
}

func listRetentionPolicies(db *State, _ any) dbapi.ActionResult {
	out := make([]map[string]any, 0, len(db.retention))
	for _, p := range db.retention {
		out = append(out, map[string]any{"name": p, "duration": (7 * 24 * time.Hour).String(), "default": p == "autogen"})
	}
	return actionOK(out)
}

func addRetentionPolicy(db *State, params any) dbapi.ActionResult {
	n, ok := paramString(params, "name")
	if !ok || n == "" {
		return actionFailed("params.name is required")
	}
	if !slices.Contains(db.retention, n) {
		db.retention = append(db.retention, n)
	}
	return actionOK(nil)
}

func delRetentionPolicy(db *State, params any) dbapi.ActionResult {
	n, _ := paramString(params, "name")
	i := slices.Index(db.retention, n)
	if i < 0 {
		return actionFailed("retention policy %q does not exist", n)
	}
	db.retention = slices.Delete(db.retention, i, i+1)
	return actionOK(nil)
}
