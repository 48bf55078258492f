package contract_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// ids are the identifiers an operation's path needs.
type ids struct {
	db, backup, user, maintenance, rule, typeVersion, token string
}

// unknownIDs returns identifiers that no target holds: fresh random ones, so that a live run
// never guesses a real resource.
func unknownIDs() ids {
	return ids{
		db: "contract-" + randomHex(8), backup: randomHex(12), user: "contract" + randomHex(6),
		maintenance: randomHex(12), rule: randomHex(12), typeVersion: randomHex(12), token: randomHex(16),
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// operation is one operation of the spec with a well-formed request for it, so that the error
// specs every operation shares can be declared once.
type operation struct {
	id       string
	method   string
	resource harness.Label
	// missing names what an unknown identifier makes the target miss (404), "" when the
	// operation has nothing that can be missing.
	missing string
	access  access
	send    func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error)
}

// access says what authorises an operation, and so which tokens it refuses.
type access int

const (
	// databaseToken: the bearer token, which must grant the database the operation addresses
	// (an addon token of another database gets 403).
	databaseToken access = iota
	// anyToken: the bearer token; the operation addresses no database, so any valid token will do.
	anyToken
	// presignedURL: the token of a pre-signed URL, not a bearer token.
	presignedURL
)

func jsonBody(s string) *strings.Reader { return strings.NewReader(s) }

const jsonType = "application/json"

// byDatabase is the way of sending an operation whose one argument is the database's ID.
func byDatabase(send func(*dbapi.Client, context.Context, string, ...dbapi.RequestEditorFn) (*http.Response, error)) func(context.Context, *dbapi.Client, ids) (*http.Response, error) {
	return func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) { return send(c, ctx, in.db) }
}

// operations lists every operation of the spec; a spec below proves the list matches it.
var operations = append([]operation{
	{"getDatabase", "GET", harness.Databases, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabase)},
	{"updateDatabase", "PATCH", harness.Databases, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.UpdateDatabaseWithBody(ctx, in.db, jsonType, jsonBody(`{"database":{"periodic_backups_enabled":true}}`))
	}},
	{"putDatabase", "PUT", harness.Databases, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.PutDatabaseWithBody(ctx, in.db, jsonType, jsonBody(`{"database":{"periodic_backups_enabled":true}}`))
	}},
	{"upgradeDatabase", "POST", harness.Databases, "database", databaseToken, byDatabase((*dbapi.Client).UpgradeDatabase)},
	{"restoreDatabasePitr", "POST", harness.PITR, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.RestoreDatabasePitrWithBody(ctx, in.db, jsonType, jsonBody(`{"restore_time":"2019-07-18T23:00:00Z"}`))
	}},
	{"getPitrRecoveryWindow", "GET", harness.PITR, "database", databaseToken, byDatabase((*dbapi.Client).GetPitrRecoveryWindow)},
	{"enableDatabaseFeature", "POST", harness.Features, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.EnableDatabaseFeatureWithBody(ctx, in.db, jsonType, jsonBody(`{"feature":{"name":"force-ssl"}}`))
	}},
	{"disableDatabaseFeature", "DELETE", harness.Features, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.DisableDatabaseFeature(ctx, in.db, &dbapi.DisableDatabaseFeatureParams{Feature: "force-ssl"})
	}},
	{"runDatabaseAction", "POST", harness.Actions, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.RunDatabaseActionWithBody(ctx, in.db, jsonType, jsonBody(`{"action_name":"pg-list-queries"}`))
	}},
	{"listDatabaseUsers", "GET", harness.Users, "database", databaseToken, byDatabase((*dbapi.Client).ListDatabaseUsers)},
	{"createDatabaseUser", "POST", harness.Users, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.CreateDatabaseUserWithBody(ctx, in.db, jsonType, jsonBody(fmt.Sprintf(`{"database_user":{"name":%q}}`, in.user)))
	}},
	{"updateDatabaseUser", "PATCH", harness.Users, "user", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.UpdateDatabaseUserWithBody(ctx, in.db, in.user, jsonType, jsonBody(`{"database_user":{"password":"Contract-Suite-Password-0001","password_confirmation":"Contract-Suite-Password-0001"}}`))
	}},
	{"deleteDatabaseUser", "DELETE", harness.Users, "user", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.DeleteDatabaseUser(ctx, in.db, in.user)
	}},
	{"resetDatabaseUserPassword", "POST", harness.Users, "user", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.ResetDatabaseUserPassword(ctx, in.db, in.user)
	}},
	{"listBackups", "GET", harness.Backups, "database", databaseToken, byDatabase((*dbapi.Client).ListBackups)},
	{"createBackup", "POST", harness.Backups, "database", databaseToken, byDatabase((*dbapi.Client).CreateBackup)},
	{"getBackup", "GET", harness.Backups, "backup", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetBackup(ctx, in.backup)
	}},
	{"getBackupArchive", "GET", harness.Backups, "backup", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetBackupArchive(ctx, in.db, in.backup)
	}},
	{"downloadBackup", "GET", harness.Backups, "", presignedURL, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.DownloadBackup(ctx, in.db, in.backup, &dbapi.DownloadBackupParams{Token: in.token})
	}},
	{"listMaintenances", "GET", harness.Maintenance, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.ListMaintenances(ctx, in.db, nil)
	}},
	{"getMaintenance", "GET", harness.Maintenance, "maintenance", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetMaintenance(ctx, in.db, in.maintenance)
	}},
	{"getDatabaseInstancesStatus", "GET", harness.Instances, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabaseInstancesStatus)},
	{"getDatabaseMetrics", "GET", harness.Metrics, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabaseMetrics)},
	{"getDatabaseHealth", "GET", harness.Metrics, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabaseHealth)},
	{"getDatabaseLogsUrl", "GET", harness.Logs, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabaseLogsURL)},
	{"listDatabaseLogsArchives", "GET", harness.Logs, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.ListDatabaseLogsArchives(ctx, in.db, nil)
	}},
	{"getDatabaseTypeVersion", "GET", harness.TypeVersions, "type version", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabaseTypeVersion(ctx, in.typeVersion)
	}},
	{"listFirewallRules", "GET", harness.Firewall, "database", databaseToken, byDatabase((*dbapi.Client).ListFirewallRules)},
	{"createFirewallRule", "POST", harness.Firewall, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.CreateFirewallRuleWithBody(ctx, in.db, jsonType, jsonBody(`{"type":"custom_range","cidr":"203.0.113.0/24","label":"contract suite"}`))
	}},
	{"deleteFirewallRule", "DELETE", harness.Firewall, "rule", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.DeleteFirewallRule(ctx, in.db, in.rule)
	}},
	{"listFirewallManagedRanges", "GET", harness.Firewall, "", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.ListFirewallManagedRanges(ctx)
	}},
}, jsOnlyOperations...)

// operationsOf returns the catalogue entries of one resource.
func operationsOf(resource harness.Label) []operation {
	var out []operation
	for _, op := range operations {
		if op.resource == resource {
			out = append(out, op)
		}
	}
	return out
}

// labels turns typed labels into a Ginkgo decorator; specs never spell a label as a string.
func labels(ls ...harness.Label) Labels { return Label(harness.Strings(ls...)...) }

// itAnswersSharedErrors declares, inside a resource's Describe, the error answers that every
// operation of the resource documents: 404 for what does not exist, 413 for a body over the
// limit, 429 with Retry-After and each documented 5xx status (the last two from mocks started
// with faults, so only on the mock). The 401 and 403 answers are the auth family's
// (behaviour_test.go).
func itAnswersSharedErrors(resource harness.Label) {
	ops := operationsOf(resource)
	Context("when what the request names does not exist", func() {
		for _, op := range ops {
			if op.missing == "" {
				continue
			}
			It(fmt.Sprintf("answers 404 to %s for an unknown %s", op.id, op.missing), opLabels(op), func(ctx SpecContext) {
				in := unknownIDs()
				if op.missing != "database" {
					in.db = suite.db
				}
				resp, err := op.send(ctx, suite.raw, in)
				expectError(resp, err, http.StatusNotFound)
			})
		}
	})
	Context("when the request body is over the size limit", func() {
		for _, op := range ops {
			if !documents(op.id, "413") {
				continue
			}
			It("answers 413 to "+op.id, labels(harness.TrafficLabel(op.method)), func(ctx SpecContext) {
				skipOnLive("the body limit is the mock's (1 MiB); the API's own is not documented")
				resp, err := sendRaw(ctx, op.method, fillPath(specOperations()[op.id].path, sampleIDs()), jsonType, oversizedBody())
				expectError(resp, err, http.StatusRequestEntityTooLarge)
			})
		}
	})
	Context("when the API rate-limits the client", func() {
		for _, op := range ops {
			It("answers 429 with Retry-After to "+op.id, opLabels(op), func(ctx SpecContext) {
				skipOnLive("rate limiting cannot be provoked on a live target")
				resp, err := op.send(ctx, suite.rateLimited, sampleIDs())
				expectError(resp, err, http.StatusTooManyRequests)
				Expect(resp.Header.Get("Retry-After")).NotTo(BeEmpty())
			})
		}
	})
	Context("when the server fails", func() {
		for _, op := range ops {
			for _, status := range serverErrorStatuses(op.id) {
				It(fmt.Sprintf("answers %d to %s", status, op.id), opLabels(op), func(ctx SpecContext) {
					skipOnLive("server failures cannot be provoked on a live target")
					// The failing mock answers each request with one of the documented 5xx statuses,
					// drawn at random: ask until this one comes.
					seen := map[int]int{}
					for range 200 {
						resp, err := op.send(ctx, suite.failing, sampleIDs())
						noError(err)
						resp.Body.Close()
						Expect(resp.StatusCode).To(BeNumerically(">=", 500))
						Expect(resp.StatusCode).To(BeNumerically("<", 600))
						if resp.StatusCode == status {
							return
						}
						seen[resp.StatusCode]++
					}
					Fail(fmt.Sprintf("the failing mock never answered %d in 200 requests (answers: %v)", status, seen))
				})
			}
		}
	})
}

// fillPath puts the identifiers of in into the path parameters of a spec path.
func fillPath(path string, in ids) string {
	return strings.NewReplacer("{database_id}", in.db, "{username}", in.user, "{backup_id}", in.backup,
		"{maintenance_id}", in.maintenance, "{firewall_rule_id}", in.rule, "{database_type_version_id}", in.typeVersion).Replace(path)
}

// oversizedBody is well-formed JSON of 1 MiB and a bit, over the mock's body limit.
func oversizedBody() string {
	return `{"padding":"` + strings.Repeat("x", 1<<20) + `"}`
}

// serverErrorStatuses returns the 5xx statuses the spec documents for an operation, in order.
func serverErrorStatuses(id string) []int {
	var out []int
	for key := range specOperations()[id].statuses {
		if n, err := strconv.Atoi(key); err == nil && n >= 500 && n <= 599 {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// irreversible lists the operations that no spec sends to a live target where the target might
// carry them out against a token that should have been refused, with why.
var irreversible = map[string]string{
	"upgradeDatabase":     "an upgrade cannot be undone",
	"restoreDatabasePitr": "a restore overwrites the database",
}

// backupOfTarget returns the ID of a backup of the database under test, and skips the spec when
// it has none.
func backupOfTarget(ctx SpecContext) string {
	GinkgoHelper()
	backups := listBackups(ctx)
	if len(backups) == 0 {
		Skip("the database under test has no backup to ask for")
	}
	return backups[0].ID
}

// specOperation is what the suite reads of an operation in the embedded spec.
type specOperation struct {
	path     string
	statuses map[string]bool
	bearer   bool // the operation takes the bearer token (it does not override security with [])
}

// specOperations reads the embedded spec once, when the suite's tree is built: which statuses
// each operation documents decides which shared error specs exist.
var specOperations = sync.OnceValue(func() map[string]specOperation {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("the embedded spec does not load: %v", err))
	}
	out := map[string]specOperation{}
	for path, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			so := specOperation{path: path, statuses: map[string]bool{}, bearer: op.Security == nil || len(*op.Security) > 0}
			for status := range op.Responses.Map() {
				so.statuses[status] = true
			}
			out[op.OperationID] = so
		}
	}
	return out
})

// documents reports whether the spec documents status for the operation.
func documents(operationID, status string) bool {
	return specOperations()[operationID].statuses[status]
}

// sampleIDs names the database under test and otherwise unknown resources.
func sampleIDs() ids {
	in := unknownIDs()
	in.db = suite.db
	return in
}

// skipOnLive skips a spec that needs the built-in mock.
func skipOnLive(why string) {
	if suite.live() {
		Skip(why + "; it runs against the built-in mock")
	}
}

var _ = Describe("The operation catalogue", labels(harness.ReadOnly, harness.Stateless), func() {
	It("names every operation of the spec with its method", func() {
		want := map[string]string{}
		for _, op := range suite.validator.Operations() {
			want[op.ID] = op.Method
		}
		got := map[string]string{}
		for _, op := range operations {
			Expect(got).NotTo(HaveKey(op.id), "operation %s listed twice", op.id)
			got[op.id] = op.method
			Expect(op.resource.Valid()).To(BeTrue(), "operation %s has resource label %q, not in the closed set", op.id, op.resource)
		}
		Expect(got).To(Equal(want))
	})

	It("says which token each operation takes, as the spec's paths and security do", func() {
		spec := specOperations()
		for _, op := range operations {
			so, ok := spec[op.id]
			Expect(ok).To(BeTrue(), "operation %s not in the spec", op.id)
			want := anyToken
			switch {
			case !so.bearer:
				want = presignedURL
			case strings.Contains(so.path, "{database_id}") || strings.Contains(so.path, "{backup_id}"):
				want = databaseToken
			}
			Expect(op.access).To(Equal(want), "access of %s (%s)", op.id, so.path)
		}
	})

	It("adds the operations known from one client only, each marked js-client", func() {
		var marked, added []string
		for id, srcs := range specSources() {
			Expect(srcs).To(Equal([]string{"js-client"}), "x-sources of %s", id)
			marked = append(marked, id)
		}
		for _, op := range jsOnlyOperations {
			added = append(added, op.id)
		}
		slices.Sort(marked)
		slices.Sort(added)
		Expect(added).To(Equal(marked))
	})
})

// The operations known only from the JavaScript client: openapi.yaml marks them
// x-sources: [js-client], and every spec that sends one is labelled unverified, so that a live run
// can leave them out (--label-filter='!unverified') until a second source confirms their shapes.

// The unknown identifiers these operations need, taken from the random ones of ids.
func (in ids) restoration() string  { return in.maintenance }
func (in ids) operation() string    { return in.rule }
func (in ids) plan() string         { return "contract-" + in.typeVersion }
func (in ids) databaseType() string { return in.typeVersion }
func (in ids) instance() string     { return "contract-" + in.token }

func init() {
	irreversible["restoreBackup"] = "a restore overwrites the database"
}

// jsOnlyOperations completes the operation catalogue with the operations known only from the
// JavaScript client.
var jsOnlyOperations = []operation{
	{"updateFirewallRule", "PATCH", harness.Firewall, "rule", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.UpdateFirewallRuleWithBody(ctx, in.db, in.rule, jsonType, jsonBody(`{"firewall_rule":{"label":"contract suite"}}`))
	}},
	{"restoreBackup", "POST", harness.Backups, "backup", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.RestoreBackup(ctx, in.db, in.backup)
	}},
	{"getBackupRestoration", "GET", harness.Backups, "restoration", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetBackupRestoration(ctx, in.db, in.restoration())
	}},
	{"getDatabaseOperation", "GET", harness.Databases, "operation", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabaseOperation(ctx, in.db, in.operation())
	}},
	{"getDatabasePlan", "GET", harness.Databases, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabasePlan)},
	{"pingDatabase", "POST", harness.Databases, "database", databaseToken, byDatabase((*dbapi.Client).PingDatabase)},
	{"getCaCertificate", "GET", harness.Databases, "", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetCaCertificate(ctx)
	}},
	{"getPlan", "GET", harness.TypeVersions, "plan", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetPlan(ctx, in.plan(), &dbapi.GetPlanParams{Type: "postgresql"})
	}},
	{"listDatabaseTypes", "GET", harness.TypeVersions, "", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.ListDatabaseTypes(ctx)
	}},
	{"getDatabaseType", "GET", harness.TypeVersions, "database type", anyToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabaseType(ctx, in.databaseType())
	}},
	{"getDatabaseMetricsByType", "GET", harness.Metrics, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabaseMetricsByType(ctx, in.db, "cpu", nil)
	}},
	{"getInstanceMetricsByType", "GET", harness.Metrics, "instance", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetInstanceMetricsByType(ctx, in.db, in.instance(), "cpu", nil)
	}},
	{"getDatabaseLag", "GET", harness.Metrics, "database", databaseToken, byDatabase((*dbapi.Client).GetDatabaseLag)},
}

// opLabels are the labels of a spec that sends op: its traffic label, and unverified when the
// spec knows op's shape from one client only.
func opLabels(op operation) Labels {
	ls := []harness.Label{harness.TrafficLabel(op.method)}
	if oneClientOnly(op.id) {
		ls = append(ls, harness.Unverified)
	}
	return labels(ls...)
}

// oneClientOnly reports whether the embedded spec marks the operation x-sources with one client.
func oneClientOnly(operationID string) bool {
	return len(specSources()[operationID]) == 1
}

// specSources reads the x-sources of every operation of the embedded spec, once.
var specSources = sync.OnceValue(func() map[string][]string {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		panic(fmt.Sprintf("the embedded spec does not load: %v", err))
	}
	m := map[string][]string{}
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			list, _ := o.Extensions["x-sources"].([]any)
			for _, s := range list {
				if name, ok := s.(string); ok {
					m[o.OperationID] = append(m[o.OperationID], name)
				}
			}
		}
	}
	return m
})
