package contract_test

// The operations known only from the JavaScript client: openapi.yaml marks them
// x-sources: [js-client], and every spec that sends one is labelled unverified, so that a live run
// can leave them out (--label-filter='!unverified') until a second source confirms their shapes.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

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
	{"getDatabasePlan", "GET", harness.Databases, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabasePlan(ctx, in.db)
	}},
	{"pingDatabase", "POST", harness.Databases, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.PingDatabase(ctx, in.db)
	}},
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
	{"getDatabaseLag", "GET", harness.Metrics, "database", databaseToken, func(ctx context.Context, c *dbapi.Client, in ids) (*http.Response, error) {
		return c.GetDatabaseLag(ctx, in.db)
	}},
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

var _ = Describe("The operations known from one client only", labels(harness.ReadOnly), func() {
	It("are the ones the catalogue adds, each marked js-client", func() {
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

var _ = Describe("Backup restorations", labels(harness.Backups, harness.Unverified), func() {
	Context("when a done backup is restored", Ordered, labels(harness.Mutating, harness.Slow), func() {
		var restoration dbapi.BackupRestoration

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			skipOnLive("a restore overwrites the database")
			i := slices.IndexFunc(listBackups(ctx), func(b dbapi.Backup) bool { return b.Status == dbapi.BackupStatusDone })
			if i < 0 {
				Skip("the database under test has no done backup")
			}
			resp, err := suite.api.RestoreBackupWithResponse(ctx, suite.db, listBackups(ctx)[i].ID)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusCreated), "%s", resp.Body)
			restoration = dbapi.BackupRestoration(*resp.JSON201)
		})

		It("answers 201 with the bare restoration, not started", func() {
			Expect(restoration.ID).NotTo(BeEmpty())
			Expect(restoration.Status).To(BeElementOf(dbapi.BackupRestorationStatusScheduled, dbapi.BackupRestorationStatusRunning))
			Expect(restoration.EndedAt).To(BeNil())
		})

		It("reaches done with its start and end", func(ctx SpecContext) {
			Eventually(func(g Gomega) {
				resp, err := suite.api.GetBackupRestorationWithResponse(ctx, suite.db, restoration.ID)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(resp.StatusCode()).To(Equal(http.StatusOK))
				r := resp.JSON200.BackupRestoration
				g.Expect(r.Status).To(Equal(dbapi.BackupRestorationStatusDone))
				g.Expect(r.StartedAt).NotTo(BeNil())
				g.Expect(r.EndedAt).NotTo(BeNil())
			}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
		})
	})

	Context("when the backup is not done", func() {
		It("answers 422 to a restore", labels(harness.Mutating), func(ctx SpecContext) {
			skipOnLive("a restore of a wrongly accepted backup would overwrite the database")
			i := slices.IndexFunc(listBackups(ctx), func(b dbapi.Backup) bool { return b.Status == dbapi.BackupStatusError })
			Expect(i).NotTo(BeNumerically("<", 0), "the demo database has a backup in error")
			resp, err := suite.raw.RestoreBackup(ctx, suite.db, listBackups(ctx)[i].ID)
			expectFieldError(resp, err, "backup")
		})
	})
})

var _ = Describe("Database operations", labels(harness.Databases, harness.Unverified), func() {
	Context("when an upgrade is accepted", Ordered, labels(harness.Mutating), func() {
		var location string

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			skipOnLive("an upgrade cannot be undone")
			resp, err := suite.api.UpgradeDatabaseWithResponse(ctx, suite.db)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusAccepted), "%s", resp.Body)
			location = resp.HTTPResponse.Header.Get("Location")
		})

		It("points its Location at getDatabaseOperation, which shows the upgrade", func(ctx SpecContext) {
			u, err := url.Parse(location)
			Expect(err).NotTo(HaveOccurred())
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
			Expect(err).NotTo(HaveOccurred())
			id, ok := suite.validator.Match(req)
			Expect(ok).To(BeTrue(), "Location %s names no operation of the spec", location)
			Expect(id).To(Equal("getDatabaseOperation"))
			opID := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
			resp, err := suite.api.GetDatabaseOperationWithResponse(ctx, suite.db, opID)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			Expect(resp.JSON200.Operation.Type).To(HaveValue(Equal("upgrade")))
		})
	})

	Context("when a point-in-time restore runs", labels(harness.Mutating, harness.Slow), func() {
		It("is followed by its operation until it finishes", func(ctx SpecContext) {
			requireWrites()
			skipOnLive("a restore overwrites the database")
			resp, err := suite.api.RestoreDatabasePitrWithResponse(ctx, suite.db, dbapi.PitrRestoreRequest{RestoreTime: time.Now().Add(-time.Hour).UTC()})
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusCreated), "%s", resp.Body)
			id := resp.JSON201.Operation.ID
			Eventually(func(g Gomega) {
				resp, err := suite.api.GetDatabaseOperationWithResponse(ctx, suite.db, id)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(resp.StatusCode()).To(Equal(http.StatusOK))
				g.Expect(resp.JSON200.Operation.Status).To(HaveValue(Equal(dbapi.OperationStatusFinished)))
				g.Expect(resp.JSON200.Operation.FinishedAt).NotTo(BeNil())
			}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
		})
	})

	It("returns the plan of the database", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.api.GetDatabasePlanWithResponse(ctx, suite.db)
		noError(err)
		Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
		Expect(resp.JSON200.Plan.Name).To(Equal(getDatabase(ctx, suite.db).Plan))
	})

	It("answers a ping", labels(harness.Mutating), func(ctx SpecContext) {
		resp, err := suite.raw.PingDatabase(ctx, suite.db)
		expectStatus(resp, err, http.StatusOK)
	})

	It("serves the CA certificate in PEM", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.raw.GetCaCertificate(ctx)
		body := expectStatus(resp, err, http.StatusOK)
		Expect(resp.Header.Get("Content-Type")).To(HavePrefix(mockserver.CACertificateContentType))
		Expect(string(body)).To(HavePrefix("-----BEGIN CERTIFICATE-----"))
	})
})

var _ = Describe("Database types and plans", labels(harness.TypeVersions, harness.Unverified), func() {
	It("lists the types, the database's among them, and shows it", labels(harness.ReadOnly), func(ctx SpecContext) {
		db := getDatabase(ctx, suite.db)
		resp, err := suite.api.ListDatabaseTypesWithResponse(ctx)
		noError(err)
		Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
		Expect(resp.JSON200.DatabaseTypes).To(ContainElement(HaveField("ID", db.TypeID)))
		one, err := suite.api.GetDatabaseTypeWithResponse(ctx, db.TypeID)
		noError(err)
		Expect(one.StatusCode()).To(Equal(http.StatusOK), "%s", one.Body)
		Expect(one.JSON200.DatabaseType.Name).To(Equal(db.TypeName))
	})

	It("shows the database's plan by its name and type", labels(harness.ReadOnly), func(ctx SpecContext) {
		db := getDatabase(ctx, suite.db)
		resp, err := suite.api.GetPlanWithResponse(ctx, db.Plan, &dbapi.GetPlanParams{Type: dbapi.DatabaseTypeName(db.TypeName)})
		noError(err)
		Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
		Expect(resp.JSON200.Plan.Name).To(Equal(db.Plan))
	})

	It("answers 400 to a plan asked without its type", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := sendRaw(ctx, http.MethodGet, "/plans/"+getDatabase(ctx, suite.db).Plan, "", "")
		expectError(resp, err, http.StatusBadRequest)
	})

	It("answers 400 to a plan of an unknown type (type names are an enum of the spec)", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.raw.GetPlan(ctx, getDatabase(ctx, suite.db).Plan, &dbapi.GetPlanParams{Type: dbapi.DatabaseTypeName("contract-" + randomHex(4))})
		expectError(resp, err, http.StatusBadRequest)
	})
})

var _ = Describe("Metrics by type and lag", labels(harness.Metrics, harness.Unverified), func() {
	instance := func(ctx SpecContext) string {
		GinkgoHelper()
		instances := getDatabase(ctx, suite.db).Instances
		if len(instances) == 0 {
			Skip("the database under test has no instance")
		}
		return instances[len(instances)-1].ID
	}

	It("returns the CPU of the database over time", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.raw.GetDatabaseMetricsByType(ctx, suite.db, "cpu", &dbapi.GetDatabaseMetricsByTypeParams{Since: ptr(1)})
		expectStatus(resp, err, http.StatusOK)
	})

	It("returns the memory of an instance over time", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.raw.GetInstanceMetricsByType(ctx, suite.db, instance(ctx), "memory", &dbapi.GetInstanceMetricsByTypeParams{Last: ptr(true)})
		expectStatus(resp, err, http.StatusOK)
	})

	It("returns the replication lag", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp, err := suite.raw.GetDatabaseLag(ctx, suite.db)
		expectStatus(resp, err, http.StatusOK)
	})

	Context("when since is not a number", func() {
		It("answers 400 for the database", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/metrics/cpu?since=many", "", "")
			expectError(resp, err, http.StatusBadRequest)
		})
		It("answers 400 for an instance", labels(harness.ReadOnly), func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/instances/"+instance(ctx)+"/metrics/cpu?since=many", "", "")
			expectError(resp, err, http.StatusBadRequest)
		})
	})

	Context("when since reaches beyond what is kept", func() {
		It("answers 422 for the database", labels(harness.ReadOnly), func(ctx SpecContext) {
			skipOnLive("the bound of since is the mock's guess")
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/metrics/cpu?since=10000", "", "")
			expectFieldError(resp, err, "since")
		})
		It("answers 422 for an instance", labels(harness.ReadOnly), func(ctx SpecContext) {
			skipOnLive("the bound of since is the mock's guess")
			resp, err := sendRaw(ctx, http.MethodGet, "/databases/"+suite.db+"/instances/"+instance(ctx)+"/metrics/cpu?since=10000", "", "")
			expectFieldError(resp, err, "since")
		})
	})
})

var _ = Describe("Firewall rule labels", labels(harness.Firewall, harness.Unverified), func() {
	Context("when a rule is relabelled", Ordered, labels(harness.Mutating), func() {
		var rule dbapi.CustomRangeFirewallRule

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			var body dbapi.FirewallRuleCreate
			noError(body.FromCustomRangeFirewallRuleCreate(dbapi.CustomRangeFirewallRuleCreate{Cidr: randomDocumentationCIDR(), Label: ptr("contract suite")}))
			resp, err := suite.api.CreateFirewallRuleWithResponse(ctx, suite.db, body)
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusCreated), "%s", resp.Body)
			rule, err = resp.JSON201.Rule.AsCustomRangeFirewallRule()
			noError(err)
			DeferCleanup(func(ctx SpecContext) {
				resp, err := suite.raw.DeleteFirewallRule(ctx, suite.db, rule.ID)
				noError(err)
				resp.Body.Close()
			})
		})

		It("answers 200 with the new label, the range unchanged", func(ctx SpecContext) {
			resp, err := suite.api.UpdateFirewallRuleWithResponse(ctx, suite.db, rule.ID, dbapi.FirewallRuleUpdateRequest{
				FirewallRule: dbapi.FirewallRuleUpdate{Label: "contract suite (renamed)"},
			})
			noError(err)
			Expect(resp.StatusCode()).To(Equal(http.StatusOK), "%s", resp.Body)
			renamed, err := resp.JSON200.Rule.AsCustomRangeFirewallRule()
			noError(err)
			Expect(renamed.Label).To(HaveValue(Equal("contract suite (renamed)")))
			Expect(renamed.Cidr).To(Equal(rule.Cidr))
		})

		It("answers 422 to an empty label", func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPatch, "/databases/"+suite.db+"/firewall_rules/"+rule.ID, jsonType, `{"firewall_rule":{"label":""}}`)
			expectError(resp, err, http.StatusUnprocessableEntity)
		})

		It("answers 400 to a body that is not JSON", func(ctx SpecContext) {
			resp, err := sendRaw(ctx, http.MethodPatch, "/databases/"+suite.db+"/firewall_rules/"+rule.ID, jsonType, `{"firewall_rule":`)
			expectError(resp, err, http.StatusBadRequest)
		})
	})
})
