package actions

import (
	"encoding/json"
	"testing"
)

// TestRunAction runs every action of every engine in turn on one database
// per engine and pins each answer (ok, result or error) and the state it
// leaves, so that the table of actions keeps the behaviour of the switch
// it replaced.
func TestRunAction(t *testing.T) {
	dbs := map[string]*State{}
	for _, typ := range []string{"postgresql", "mysql", "mongodb", "influxdb", "redis"} {
		st := NewState(typ + "-1")
		st.sqlMode = "STRICT"
		dbs[typ] = &st
	}
	tests := []struct {
		typ, action string
		params      any
		want        string // the ActionResult as JSON
	}{
		{"postgresql", "list-extensions", nil, `{"ok":1,"result":[{"name":"plpgsql","version":"v1.0"},{"name":"postgis","version":"v3.4.0"}]}`},
		{"postgresql", "pg-list-queries", nil, `{"ok":1,"result":[{"pid":2000,"query":"SELECT * FROM users","query_duration":1000000000,"query_start":"2020-05-10T09:00:00Z","state":"active","username":"postgresql-1"},` +
			`{"pid":2001,"query":"","query_duration":61000000000,"query_start":"2020-05-10T08:59:00Z","state":"idle","username":"postgresql-1"}]}`},
		{"postgresql", "pg-cancel-query", map[string]any{"pid": 2000.0}, `{"ok":1}`},
		{"postgresql", "pg-terminate-query", map[string]any{"pid": 2001.0}, `{"ok":1}`},
		{"postgresql", "pg-cancel-query", map[string]any{"pid": 42.0}, `{"error":"no query with pid 42","ok":0}`},
		{"postgresql", "pg-terminate-query", nil, `{"error":"params.pid is required","ok":0}`},
		{"postgresql", "pg-stat-statements-enable", nil, `{"ok":1}`},
		{"postgresql", "pg-stat-statements-reset", nil, `{"ok":1}`},
		{"postgresql", "pg-stat-statements-list", nil, `{"ok":1,"result":[{"calls":24512,"max_time":3.5,"mean_time":0.6,"min_time":0.2,"query":"SELECT * FROM users","rows":500,"std_dev":0.1,"total_time":1837.1,"user_id":1000}]}`},
		{"postgresql", "list-databases", nil, `{"error":"unknown action \"list-databases\" for postgresql databases","ok":0}`},
		{"mysql", "list-databases", nil, `{"ok":1,"result":[{"name":"mysql-1","protected":true}]}`},
		{"mysql", "create-database", map[string]any{"database_name": "a-b_1"}, `{"ok":1,"result":{"name":"a-b_1","protected":false}}`},
		{"mysql", "create-database", map[string]any{"database_name": "a-b_1"}, `{"error":"database a-b_1 already exists","ok":0}`},
		{"mysql", "create-database", map[string]any{"database_name": "a b"}, `{"error":"params.database_name is required: letters, digits, _ and -","ok":0}`},
		{"mysql", "create-database", "x", `{"error":"params.database_name is required: letters, digits, _ and -","ok":0}`},
		{"mysql", "reset-database", map[string]any{"database_name": "a-b_1"}, `{"ok":1}`},
		{"mysql", "list-databases", nil, `{"ok":1,"result":[{"name":"mysql-1","protected":true},{"name":"a-b_1","protected":false}]}`},
		{"mysql", "delete-database", map[string]any{"database_name": "mysql-1"}, `{"error":"database mysql-1 is protected","ok":0}`},
		{"mysql", "reset-database", map[string]any{"database_name": "mysql-1"}, `{"error":"database mysql-1 is protected","ok":0}`},
		{"mysql", "delete-database", map[string]any{"database_name": "a-b_1"}, `{"ok":1}`},
		{"mysql", "delete-database", map[string]any{"database_name": "a-b_1"}, `{"error":"database \"a-b_1\" does not exist","ok":0}`},
		{"mysql", "get-sqlmode", nil, `{"ok":1,"result":"STRICT"}`},
		{"mysql", "set-sqlmode", 12.0, `{"error":"params should be the SQL mode, a string","ok":0}`},
		{"mysql", "set-sqlmode", "NO_ZERO_DATE", `{"ok":1}`},
		{"mysql", "get-sqlmode", nil, `{"ok":1,"result":"NO_ZERO_DATE"}`},
		{"mysql", "list-databases", nil, `{"ok":1,"result":[{"name":"mysql-1","protected":true}]}`},
		{"mysql", "pg-list-queries", nil, `{"error":"unknown action \"pg-list-queries\" for mysql databases","ok":0}`},
		{"mongodb", "create-database", map[string]any{"database_name": "m"}, `{"ok":1,"result":{"name":"m","protected":false}}`},
		{"mongodb", "list-databases", nil, `{"ok":1,"result":[{"name":"mongodb-1","protected":true},{"name":"m","protected":false}]}`},
		{"mongodb", "get-sqlmode", nil, `{"error":"unknown action \"get-sqlmode\" for mongodb databases","ok":0}`},
		{"mongodb", "set-sqlmode", "X", `{"error":"unknown action \"set-sqlmode\" for mongodb databases","ok":0}`},
		{"influxdb", "list-retention-policies", nil, `{"ok":1,"result":[{"default":true,"duration":"168h0m0s","name":"autogen"}]}`},
		{"influxdb", "add-retention-policy", map[string]any{"name": ""}, `{"error":"params.name is required","ok":0}`},
		{"influxdb", "add-retention-policy", map[string]any{"name": "week"}, `{"ok":1}`},
		{"influxdb", "add-retention-policy", map[string]any{"name": "week"}, `{"ok":1}`},
		{"influxdb", "list-retention-policies", nil, `{"ok":1,"result":[{"default":true,"duration":"168h0m0s","name":"autogen"},{"default":false,"duration":"168h0m0s","name":"week"}]}`},
		{"influxdb", "del-retention-policy", map[string]any{"name": "week"}, `{"ok":1}`},
		{"influxdb", "del-retention-policy", map[string]any{"name": "week"}, `{"error":"retention policy \"week\" does not exist","ok":0}`},
		{"influxdb", "list-databases", nil, `{"error":"unknown action \"list-databases\" for influxdb databases","ok":0}`},
		{"redis", "list-extensions", nil, `{"error":"unknown action \"list-extensions\" for redis databases","ok":0}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(dbs[tt.typ].Run(tt.typ, tt.action, tt.params))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s on %s with %v:\n got %s\nwant %s", tt.action, tt.typ, tt.params, got, tt.want)
		}
	}
}
