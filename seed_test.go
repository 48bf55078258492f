package spec_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// TestSpecSeedOperations pins the three operations of the original document
// (shared/reference/seed-users-backups.md) exactly as that document gives
// them: path, method, success status and body fields.
func TestSpecSeedOperations(t *testing.T) {
	ops := operations(loadSpecFile(t))
	tests := []struct {
		id, method, path, status string
		envelope                 string // required top-level key of the success body, "" when the body is bare
		fields                   []string
	}{
		{"listDatabaseUsers", http.MethodGet, "/databases/{database_id}/users", "200", "database-users", []string{"name", "read_only"}},
		{"createBackup", http.MethodPost, "/databases/{database_id}/backups", "201", "", []string{"id", "created_at", "name", "size", "status", "database_id", "type"}},
		{"getBackupArchive", http.MethodGet, "/databases/{database_id}/backups/{backup_id}/archive", "200", "", []string{"download_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			o, ok := ops[tt.id]
			if !ok {
				t.Fatalf("operation %s is missing", tt.id)
			}
			if o.method != tt.method || o.path != tt.path {
				t.Errorf("%s is %s %s, want %s %s", tt.id, o.method, o.path, tt.method, tt.path)
			}
			resp := o.op.Responses.Value(tt.status)
			if resp == nil {
				t.Fatalf("no %s response", tt.status)
			}
			schema := resp.Value.Content.Get("application/json").Schema.Value
			if tt.envelope != "" {
				if !contains(schema.Required, tt.envelope) {
					t.Errorf("required = %v, want %q", schema.Required, tt.envelope)
				}
				schema = schema.Properties[tt.envelope].Value.Items.Value
			}
			if tt.id == "createBackup" {
				// The bare shape of the original document is the second oneOf branch.
				schema = schema.OneOf[1].Value
			}
			for _, f := range tt.fields {
				if schema.Properties[f] == nil {
					t.Errorf("field %q is not described", f)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSpecCreateBackupShapes checks that createBackup's 201 accepts both the
// enveloped backup (current servers, official Go client) and the bare backup
// of the original document, and refuses malformed answers.
func TestSpecCreateBackupShapes(t *testing.T) {
	ops := operations(loadSpecFile(t))
	schema := ops["createBackup"].op.Responses.Value("201").Value.Content.Get("application/json").Schema.Value
	tests := []struct {
		name  string
		body  string
		valid bool
	}{
		{"enveloped, as documented", `{"database_backup":{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2018-09-02T03:00:00.178+02:00","started_at":null,"name":"20180902010000_kibana-3938","size":null,"status":"scheduled","database_id":"597601234ffb097af4f3099b","method":"periodic"}}`, true},
		{"bare, as in the original document", `{"id":"5b8b36104ffb090be1ac3ce1","created_at":"2019-07-18T03:00:00.178+02:00","name":"20180902010000_kibana-3938","size":0,"status":"pending","database_id":"597601234ffb097af4f3099b","type":"postgresql"}`, true},
		{"enveloped with an unknown status", `{"database_backup":{"id":"b","created_at":"2018-09-02T03:00:00.178+02:00","name":"n","status":"exploded","database_id":"d"}}`, false},
		{"bare without an id", `{"created_at":"2019-07-18T03:00:00.178+02:00","name":"n","status":"pending","database_id":"d"}`, false},
		{"enveloped with a negative size", `{"database_backup":{"id":"b","created_at":"2018-09-02T03:00:00.178+02:00","name":"n","size":-1,"status":"done","database_id":"d"}}`, false},
		{"envelope holding an array", `{"database_backup":[]}`, false},
		{"wrong envelope key", `{"backup":{"id":"b","created_at":"2018-09-02T03:00:00.178+02:00","name":"n","status":"done","database_id":"d"}}`, false},
		{"date that is not a date-time", `{"id":"b","created_at":"yesterday","name":"n","status":"done","database_id":"d"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSchema(t, schema, tt.body, tt.valid)
		})
	}
}

// TestSpecUserRules checks the documented rules on user names and passwords.
func TestSpecUserRules(t *testing.T) {
	doc := loadSpecFile(t)
	create := doc.Components.Schemas["DatabaseUserCreate"].Value
	tests := []struct {
		name  string
		body  string
		valid bool
	}{
		{"shortest name", `{"name":"abcdef"}`, true},
		{"name with hyphens", `{"name":"my-user-2"}`, true},
		{"longest name", `{"name":"abcdefghijklmnopqrstuvwxyz012345"}`, true},
		{"generated password", `{"name":"my-user","password":null,"password_confirmation":null}`, true},
		{"24-character password", `{"name":"my-user","password":"K_gaef6ripo7Ao4Uaxai6Kie"}`, true},
		{"name too short", `{"name":"abcde"}`, false},
		{"name too long", `{"name":"abcdefghijklmnopqrstuvwxyz0123456"}`, false},
		{"upper case", `{"name":"My-user"}`, false},
		{"leading hyphen", `{"name":"-myuser"}`, false},
		{"trailing hyphen", `{"name":"myuser-"}`, false},
		{"double hyphen", `{"name":"my--user"}`, false},
		{"underscore", `{"name":"my_user"}`, false},
		{"23-character password", `{"name":"my-user","password":"K_gaef6ripo7Ao4Uaxai6Ki"}`, false},
		{"65-character password", `{"name":"my-user","password":"` + string(make65()) + `"}`, false},
		{"missing name", `{"read_only":true}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSchema(t, create, tt.body, tt.valid)
		})
	}
}

func make65() []byte {
	b := make([]byte, 65)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

// seedServer answers the three operations of the original document through
// the generated strict server; the embedded interface leaves every other
// operation unimplemented, which this test never calls.
type seedServer struct {
	dbapi.StrictServerInterface
	created time.Time
}

func (s seedServer) ListDatabaseUsers(_ context.Context, req dbapi.ListDatabaseUsersRequestObject) (dbapi.ListDatabaseUsersResponseObject, error) {
	if req.DatabaseID != "my-db-123" {
		return dbapi.ListDatabaseUsers404JSONResponse{NotFoundJSONResponse: dbapi.NotFoundJSONResponse{Error: "not found"}}, nil
	}
	return dbapi.ListDatabaseUsers200JSONResponse{DatabaseUsers: []dbapi.DatabaseUser{
		{Name: "my-db-123", ReadOnly: false},
		{Name: "metabase", ReadOnly: true},
	}}, nil
}

func (s seedServer) CreateBackup(_ context.Context, req dbapi.CreateBackupRequestObject) (dbapi.CreateBackupResponseObject, error) {
	var body dbapi.CreatedBackup
	err := body.FromBackupResponse(dbapi.BackupResponse{DatabaseBackup: dbapi.Backup{
		ID: "5b8b36104ffb090be1ac3ce1", CreatedAt: s.created, Name: "20180902010000_kibana-3938",
		Status: dbapi.BackupStatusScheduled, DatabaseID: string(req.DatabaseID),
	}})
	return dbapi.CreateBackup201JSONResponse(body), err
}

func (s seedServer) GetBackupArchive(_ context.Context, req dbapi.GetBackupArchiveRequestObject) (dbapi.GetBackupArchiveResponseObject, error) {
	return dbapi.GetBackupArchive200JSONResponse{
		DownloadURL: "https://db-api.osc-fr1.scalingo.com/api/databases/" + string(req.DatabaseID) + "/backups/" + string(req.BackupID) + "/download?token=token1234",
	}, nil
}

// TestGeneratedRoundTrip runs the generated client against the generated
// strict server for the three operations of the original document.
func TestGeneratedRoundTrip(t *testing.T) {
	created := time.Date(2019, 7, 18, 3, 0, 0, 178e6, time.FixedZone("", 2*3600))
	mux := http.NewServeMux()
	handler := dbapi.HandlerWithOptions(
		dbapi.NewStrictHandler(seedServer{created: created}, nil),
		dbapi.StdHTTPServerOptions{BaseURL: "/api", BaseRouter: mux},
	)
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	client, err := dbapi.NewClientWithResponses(srv.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	users, err := client.ListDatabaseUsersWithResponse(ctx, "my-db-123")
	if err != nil {
		t.Fatal(err)
	}
	if users.StatusCode() != http.StatusOK || users.JSON200 == nil {
		t.Fatalf("listDatabaseUsers: status %d, body %s", users.StatusCode(), users.Body)
	}
	want := []dbapi.DatabaseUser{{Name: "my-db-123"}, {Name: "metabase", ReadOnly: true}}
	if diff := cmp.Diff(want, users.JSON200.DatabaseUsers); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	missing, err := client.ListDatabaseUsersWithResponse(ctx, "nope")
	if err != nil {
		t.Fatal(err)
	}
	if missing.StatusCode() != http.StatusNotFound || missing.JSON404 == nil || missing.JSON404.Error != "not found" {
		t.Errorf("unknown database: status %d, body %s", missing.StatusCode(), missing.Body)
	}

	backup, err := client.CreateBackupWithResponse(ctx, "my-db-123")
	if err != nil {
		t.Fatal(err)
	}
	if backup.StatusCode() != http.StatusCreated || backup.JSON201 == nil {
		t.Fatalf("createBackup: status %d, body %s", backup.StatusCode(), backup.Body)
	}
	env, err := backup.JSON201.AsBackupResponse()
	if err != nil {
		t.Fatal(err)
	}
	if env.DatabaseBackup.Status != dbapi.BackupStatusScheduled || !env.DatabaseBackup.CreatedAt.Equal(created) || env.DatabaseBackup.DatabaseID != "my-db-123" {
		t.Errorf("created backup = %+v", env.DatabaseBackup)
	}

	archive, err := client.GetBackupArchiveWithResponse(ctx, "my-db-123", "5b8b36104ffb090be1ac3ce1")
	if err != nil {
		t.Fatal(err)
	}
	if archive.StatusCode() != http.StatusOK || archive.JSON200 == nil {
		t.Fatalf("getBackupArchive: status %d, body %s", archive.StatusCode(), archive.Body)
	}
	wantURL := "https://db-api.osc-fr1.scalingo.com/api/databases/my-db-123/backups/5b8b36104ffb090be1ac3ce1/download?token=token1234"
	if archive.JSON200.DownloadURL != wantURL {
		t.Errorf("download_url = %q, want %q", archive.JSON200.DownloadURL, wantURL)
	}
}

// TestSpecServers checks the regional servers and the bearer scheme.
func TestSpecServers(t *testing.T) {
	doc := loadSpecFile(t)
	if len(doc.Servers) != 1 {
		t.Fatalf("servers = %d, want 1", len(doc.Servers))
	}
	s := doc.Servers[0]
	if s.URL != "https://db-api.{region}.scalingo.com/api" {
		t.Errorf("server URL = %q", s.URL)
	}
	if diff := cmp.Diff([]string{"osc-fr1", "osc-secnum-fr1"}, s.Variables["region"].Enum); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
	scheme := doc.Components.SecuritySchemes["bearerAuth"].Value
	if scheme.Type != "http" || scheme.Scheme != "bearer" {
		t.Errorf("bearerAuth = %s %s", scheme.Type, scheme.Scheme)
	}
	if len(doc.Security) != 1 {
		t.Errorf("global security = %v", doc.Security)
	}
}
