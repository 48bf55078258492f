package contract_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

const newPassword = "Contract-Suite-Password-0001"

var _ = Describe("Database users", labels(harness.Users), func() {
	It("lists the users of the database", labels(harness.ReadOnly), func(ctx SpecContext) {
		resp := answered(suite.api.ListDatabaseUsersWithResponse(ctx, suite.db)).with(http.StatusOK)
		Expect(resp.JSON200.DatabaseUsers).NotTo(BeEmpty())
	})

	Context("when a user is created", Ordered, labels(harness.Mutating), func() {
		var name, password string

		BeforeAll(func(ctx SpecContext) {
			requireWrites()
			name = "contract-" + randomHex(4)
			resp := answered(suite.api.CreateDatabaseUserWithResponse(ctx, suite.db, dbapi.DatabaseUserCreateRequest{
				DatabaseUser: dbapi.DatabaseUserCreate{Name: name},
			})).with(http.StatusCreated)
			DeferCleanup(func(ctx SpecContext) {
				resp, err := suite.raw.DeleteDatabaseUser(ctx, suite.db, name)
				noError(err)
				resp.Body.Close()
				Expect(resp.StatusCode).To(BeElementOf(http.StatusNoContent, http.StatusNotFound))
			})
			Expect(resp.JSON201.DatabaseUser.Name).To(Equal(name))
			password = resp.JSON201.DatabaseUser.Password
		})

		It("returns a generated password of at least 24 characters", func() {
			Expect(len(password)).To(BeNumerically(">=", 24))
		})

		It("lists the user without its password", func(ctx SpecContext) {
			// The listed user's schema has no password, so the generated type cannot hold one:
			// the raw answer is read.
			resp := answered(suite.api.ListDatabaseUsersWithResponse(ctx, suite.db)).with(http.StatusOK)
			var raw struct {
				Users []map[string]json.RawMessage `json:"database-users"`
			}
			Expect(json.Unmarshal(resp.Body, &raw)).To(Succeed())
			i := slices.IndexFunc(raw.Users, func(u map[string]json.RawMessage) bool { return string(u["name"]) == strconv.Quote(name) })
			Expect(i).NotTo(Equal(-1), "user %s not listed", name)
			_, listed := raw.Users[i]["password"]
			Expect(listed).To(BeFalse(), "user %s listed with a password", name) // never the value: reports must not hold it
		})

		It("sets a password chosen by the caller", func(ctx SpecContext) {
			resp := answered(suite.api.UpdateDatabaseUserWithResponse(ctx, suite.db, name, dbapi.DatabaseUserUpdateRequest{
				DatabaseUser: dbapi.DatabaseUserUpdate{Password: newPassword, PasswordConfirmation: ptr(newPassword)},
			})).with(http.StatusOK)
			Expect(resp.JSON200.DatabaseUser.Name).To(Equal(name))
		})

		It("resets the password to a new generated one", func(ctx SpecContext) {
			resp := answered(suite.api.ResetDatabaseUserPasswordWithResponse(ctx, suite.db, name)).with(http.StatusOK)
			got := resp.JSON200.DatabaseUser.Password
			Expect(got != password && got != newPassword).To(BeTrue(), "the reset gave %s an earlier password again", name) // never the value
			Expect(len(got)).To(BeNumerically(">=", 24), "the reset password of %s is too short", name)
		})

		It("refuses a second user with the same name", func(ctx SpecContext) {
			body := dbapi.DatabaseUserCreateRequest{DatabaseUser: dbapi.DatabaseUserCreate{Name: name}}
			resp, err := suite.raw.CreateDatabaseUser(ctx, suite.db, body)
			resp, err = undoIfAccepted("createDatabaseUser", body, resp, err)
			expectFieldError(resp, err, "name")
		})

		It("deletes the user with 204", func(ctx SpecContext) {
			resp, err := suite.raw.DeleteDatabaseUser(ctx, suite.db, name)
			expectStatus(resp, err, http.StatusNoContent)
		})

		It("no longer lists the deleted user", func(ctx SpecContext) {
			Expect(findUser(ctx, name)).To(BeNil())
		})

		It("answers 404 to a password reset of the deleted user", func(ctx SpecContext) {
			resp, err := suite.raw.ResetDatabaseUserPassword(ctx, suite.db, name)
			expectError(resp, err, http.StatusNotFound)
		})
	})

	// The spec's example: a user created with the password its application will connect with.
	// A server that generates one instead answers 201 and the application is locked out.
	It("creates a user with the password the caller chose, and answers that password", Serial, labels(harness.Mutating, harness.Positive), func(ctx SpecContext) {
		name := "contract-" + randomHex(4)
		body := dbapi.DatabaseUserCreateRequest{DatabaseUser: dbapi.DatabaseUserCreate{
			Name: name, Password: ptr(newPassword), PasswordConfirmation: ptr(newPassword),
		}}
		resp, err := suite.raw.CreateDatabaseUser(ctx, suite.db, body)
		resp, err = undoIfAccepted("createDatabaseUser", body, resp, err) // deletes what it created
		created := decode[dbapi.DatabaseUserWithPasswordResponse](expectStatus(resp, err, http.StatusCreated))
		Expect(created.DatabaseUser.Password == newPassword).To(BeTrue(), "the new user %s was given another password than the one chosen", name) // never the value
		Expect(findUser(ctx, name)).NotTo(BeNil(), "the new user %s is not listed", name)
	})

	Context("when the new user breaks the rules", func() {
		It("answers 422 to an invalid name", labels(harness.Mutating), func(ctx SpecContext) {
			body := dbapi.DatabaseUserCreateRequest{DatabaseUser: dbapi.DatabaseUserCreate{Name: "Bad_Name!"}}
			resp, err := suite.raw.CreateDatabaseUser(ctx, suite.db, body)
			resp, err = undoIfAccepted("createDatabaseUser", body, resp, err)
			expectFieldError(resp, err, "name")
		})
		It("answers 422 to a password that is too short", labels(harness.Mutating), func(ctx SpecContext) {
			body := dbapi.DatabaseUserCreateRequest{DatabaseUser: dbapi.DatabaseUserCreate{
				Name: "contract-" + randomHex(4), Password: ptr("short"), PasswordConfirmation: ptr("short"),
			}}
			resp, err := suite.raw.CreateDatabaseUser(ctx, suite.db, body)
			resp, err = undoIfAccepted("createDatabaseUser", body, resp, err)
			expectFieldError(resp, err, "password")
		})
		It("answers 422 to a new password that is too short", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := suite.raw.UpdateDatabaseUser(ctx, suite.db, "contract"+randomHex(4), dbapi.DatabaseUserUpdateRequest{
				DatabaseUser: dbapi.DatabaseUserUpdate{Password: "short", PasswordConfirmation: ptr("short")},
			})
			expectFieldError(resp, err, "password")
		})
	})

	Context("when the user is protected", func() {
		var protected string
		BeforeEach(func(ctx SpecContext) {
			// On a live target a server that let these through would lock the owner out.
			skipOnLive("changing a protected user is too dangerous to try")
			protected = ""
			for _, u := range listUsers(ctx) {
				if u.Protected != nil && *u.Protected {
					protected = u.Name
				}
			}
			Expect(protected).NotTo(BeEmpty(), "the database has no protected user")
		})

		It("answers 403 to updateDatabaseUser", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := suite.raw.UpdateDatabaseUser(ctx, suite.db, protected, dbapi.DatabaseUserUpdateRequest{
				DatabaseUser: dbapi.DatabaseUserUpdate{Password: newPassword, PasswordConfirmation: ptr(newPassword)},
			})
			expectError(resp, err, http.StatusForbidden)
		})
		It("answers 403 to deleteDatabaseUser", labels(harness.Mutating), func(ctx SpecContext) {
			resp, err := suite.raw.DeleteDatabaseUser(ctx, suite.db, protected)
			expectError(resp, err, http.StatusForbidden)
		})
	})

	itAnswersSharedErrors(harness.Users)
})

// requireWrites skips a BeforeAll that would write on a read-only run.
func requireWrites() {
	if !suite.cfg.AllowWrites {
		Skip("writes disabled: set DBAPI_ALLOW_WRITES=1")
	}
}

func listUsers(ctx SpecContext) []dbapi.DatabaseUser {
	GinkgoHelper()
	resp := answered(suite.api.ListDatabaseUsersWithResponse(ctx, suite.db)).with(http.StatusOK)
	return resp.JSON200.DatabaseUsers
}

func findUser(ctx SpecContext, name string) *dbapi.DatabaseUser {
	GinkgoHelper()
	for _, u := range listUsers(ctx) {
		if u.Name == name {
			return &u
		}
	}
	return nil
}
