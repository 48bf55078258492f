package contract_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/validate"
)

// The Go client of pkg/scalingodb decodes the target's answers, with response validation on, and
// agrees with the generated client on what they hold. It goes through the suite's HTTP client, so
// its traffic is validated and counted like the rest, and a read-only run stays read-only.
var _ = Describe("The Go client", func() {
	var client *scalingodb.Client

	BeforeEach(func() {
		var err error
		client, err = scalingodb.New(
			scalingodb.WithBaseURL(suite.base),
			scalingodb.WithToken(token()),
			scalingodb.WithHTTPClient(suite.http),
			scalingodb.WithUserAgent("scalingodb-contract"),
			validate.Option(),
		)
		Expect(err).NotTo(HaveOccurred())
	})

	It("reads the database as the generated client does", labels(harness.ReadOnly, harness.Databases), func(ctx SpecContext) {
		got, err := client.Databases.Get(ctx, suite.db)
		noError(err)
		want := getDatabase(ctx, suite.db)
		Expect(got.ID).To(Equal(want.ID))
		Expect(got.AppName).To(Equal(want.AppName))
		Expect(got.Plan).To(Equal(want.Plan))
		Expect(got.TypeName).To(Equal(want.TypeName))
		Expect(string(got.Status)).To(Equal(string(want.Status)))
		Expect(got.CreatedAt.Equal(want.CreatedAt)).To(BeTrue(), "created_at %s, generated client %s", got.CreatedAt, want.CreatedAt)
		Expect(got.Instances).To(HaveLen(len(want.Instances)))
	})

	It("lists the users as the generated client does", labels(harness.ReadOnly, harness.Users), func(ctx SpecContext) {
		users, err := client.Users.List(ctx, suite.db)
		noError(err)
		resp, err := suite.api.ListDatabaseUsersWithResponse(ctx, suite.db)
		noError(err)
		Expect(resp.JSON200).NotTo(BeNil(), "%s", resp.Body)
		want := map[string]bool{}
		for _, u := range resp.JSON200.DatabaseUsers {
			want[u.Name] = u.ReadOnly
		}
		got := map[string]bool{}
		for _, u := range users {
			got[u.Name] = u.ReadOnly
			// Never the value in the message: a report must not hold a password.
			Expect(u.Password.Reveal() == "").To(BeTrue(), "user %s listed with a password", u.Name)
		}
		Expect(got).To(Equal(want))
	})

	It("lists the backups and reads one", labels(harness.ReadOnly, harness.Backups), func(ctx SpecContext) {
		backups, err := client.Backups.List(ctx, suite.db)
		noError(err)
		if len(backups) == 0 {
			Skip("the database has no backup")
		}
		for _, b := range backups {
			Expect(b.ID).NotTo(BeEmpty())
			Expect(b.Status).NotTo(BeEmpty())
			Expect(b.CreatedAt.IsZero()).To(BeFalse(), "backup %s without created_at", b.ID)
		}
		one, err := client.Backups.Get(ctx, backups[0].ID)
		noError(err)
		Expect(one.ID).To(Equal(backups[0].ID))
		Expect(one.CreatedAt.Equal(backups[0].CreatedAt)).To(BeTrue(), "backup %s read alone has created_at %s, listed %s", one.ID, one.CreatedAt, backups[0].CreatedAt)
	})

	It("pages through the maintenance", labels(harness.ReadOnly, harness.Maintenance), func(ctx SpecContext) {
		page, err := client.Maintenance.List(ctx, suite.db, &scalingodb.ListParams{Page: 1, PerPage: 5})
		noError(err)
		Expect(page.Pagination.CurrentPage).To(Equal(1))
		Expect(len(page.Items)).To(BeNumerically("<=", 5))
		for _, m := range page.Items {
			Expect(m.ID).NotTo(BeEmpty())
		}
	})

	It("reads the instances' status", labels(harness.ReadOnly, harness.Instances), func(ctx SpecContext) {
		instances, err := client.Instances.Status(ctx, suite.db)
		noError(err)
		Expect(instances).NotTo(BeEmpty())
		for _, in := range instances {
			Expect(in.ID).NotTo(BeEmpty())
		}
	})

	It("reads the metrics", labels(harness.ReadOnly, harness.Metrics), func(ctx SpecContext) {
		m, err := client.Metrics.Get(ctx, suite.db)
		noError(err)
		Expect(m.CPUUsage).To(BeNumerically(">=", 0))
	})

	It("reads the logs URL and a page of archives", labels(harness.ReadOnly, harness.Logs), func(ctx SpecContext) {
		u, err := client.Logs.URL(ctx, suite.db)
		noError(err)
		Expect(u.URL()).To(HavePrefix("http"))
		_, err = client.Logs.Archives(ctx, suite.db, nil)
		noError(err)
	})

	It("reads the version of the database", labels(harness.ReadOnly, harness.TypeVersions), func(ctx SpecContext) {
		db, err := client.Databases.Get(ctx, suite.db)
		noError(err)
		v, err := client.TypeVersions.Get(ctx, db.VersionID)
		noError(err)
		Expect(v.ID).To(Equal(db.VersionID))
	})

	It("lists the firewall rules and the managed ranges", labels(harness.ReadOnly, harness.Firewall), func(ctx SpecContext) {
		_, err := client.Firewall.List(ctx, suite.db)
		noError(err)
		ranges, err := client.Firewall.ManagedRanges(ctx)
		noError(err)
		for _, r := range ranges {
			Expect(r.ID).NotTo(BeEmpty())
		}
	})

	It("reads the point-in-time recovery window", labels(harness.ReadOnly, harness.PITR), func(ctx SpecContext) {
		w, err := client.PITR.RecoveryWindow(ctx, suite.db)
		noError(err)
		if w.EarliestRecoverableAt != nil && w.LatestRecoverableAt != nil {
			Expect(w.EarliestRecoverableAt.After(w.LatestRecoverableAt.Add(time.Second))).To(BeFalse(), "the recovery window starts at %s, after its end %s", w.EarliestRecoverableAt, w.LatestRecoverableAt)
		}
	})
})
