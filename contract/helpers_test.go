package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// expectStatus asserts that a call succeeded at the HTTP level with status want, and returns
// the body. The transport has already validated the response against the spec.
func expectStatus(resp *http.Response, err error, want int) []byte {
	GinkgoHelper()
	noError(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	noError(err)
	Expect(resp.StatusCode).To(Equal(want), "%s %s answered %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body)
	return body
}

// expectError asserts an error answer of status want with the spec's error body: the per-field
// errors map for 422, the Error shape otherwise.
func expectError(resp *http.Response, err error, want int) {
	GinkgoHelper()
	body := expectStatus(resp, err, want)
	if want == http.StatusUnprocessableEntity {
		ve := decode[dbapi.ValidationErrors](body)
		Expect(ve.Errors).NotTo(BeEmpty())
		return
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		Expect(decode[dbapi.Error](body).Error).NotTo(BeEmpty())
	}
}

// expectFieldError asserts that a well-formed request that breaks a rule of field was refused
// (422 with an errors map naming field, by the one rule of expectRefused).
func expectFieldError(resp *http.Response, err error, field string) {
	GinkgoHelper()
	expectRefused(resp, err, harness.BreaksRule, field)
}

func decode[T any](body []byte) T {
	GinkgoHelper()
	var v T
	Expect(json.Unmarshal(body, &v)).To(Succeed(), "body: %s", body)
	return v
}

// sendRaw sends a request the generated client cannot shape (malformed JSON, a bad query
// parameter) through the suite's validated client, with the bearer token.
func sendRaw(ctx context.Context, method, path, contentType, body string, header ...string) (*http.Response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, suite.base+path, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.Header.Set("Authorization", "Bearer "+token())
	return suite.http.Do(req)
}

// token is the bearer token of the target.
func token() string {
	if suite.live() {
		return suite.cfg.Token
	}
	return mockToken
}

// getDatabase reads the database under test.
func getDatabase(ctx context.Context, id string) dbapi.Database {
	GinkgoHelper()
	resp, err := suite.api.GetDatabaseWithResponse(ctx, id)
	noError(err)
	Expect(resp.StatusCode()).To(Equal(http.StatusOK), "GET database %s: %s", id, resp.Body)
	Expect(resp.JSON200).NotTo(BeNil())
	return resp.JSON200.Database
}

func ptr[T any](v T) *T { return &v }

// response is what every response of the generated typed client has: the status it came with.
type response interface{ StatusCode() int }

// answer is a typed client's response whose transport error has been checked.
type answer[R response] struct{ resp R }

// answered fails the spec on a transport error, as noError does, and returns the response for
// its status to be checked: answered(suite.api.XWithResponse(ctx, ...)).with(http.StatusOK).
func answered[R response](resp R, err error) answer[R] {
	GinkgoHelper()
	noError(err)
	return answer[R]{resp}
}

// with asserts that the response came with status want, its body in the failure message, and
// returns it.
func (a answer[R]) with(want int) R {
	GinkgoHelper()
	Expect(a.resp.StatusCode()).To(Equal(want), "%s", responseBody(a.resp))
	return a.resp
}

// responseBody returns the body a typed client's response keeps in its Body field (the
// generated responses have no method that returns it), nil when it has none.
func responseBody(resp any) []byte {
	v := reflect.ValueOf(resp)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	if f := v.FieldByName("Body"); f.IsValid() {
		b, _ := f.Interface().([]byte)
		return b
	}
	return nil
}

// noError fails the spec on a transport error, in one line: a contract violation in its short
// form (operation, pointer, expected, got); a target that did not answer (refused, broken, timed
// out) with the operation and the cause; never a dump of the error's structure, where the
// request's URL and its pre-signed token would show.
func noError(err error) {
	GinkgoHelper()
	if err == nil {
		return
	}
	var ve *conformance.ViolationError
	if errors.As(err, &ve) {
		// Reported here with whatever else the spec met; the AfterEach need not repeat them.
		errs := suite.violations.take()
		if !slices.Contains(errs, ve) {
			errs = append(errs, ve)
		}
		recordViolations(errs...)
		failAs(harness.ContractBroken, violationMessage(errs))
	}
	err = harness.RequestFailure(suite.validator, err, suite.cfg.Timeout)
	var ue *harness.UnreachableError
	if errors.As(err, &ue) {
		failAs(harness.Unreachable, err.Error())
	}
	var hr *harness.HostRefusedError
	if errors.As(err, &hr) {
		failAs(harness.SettingsWrong, err.Error())
	}
	failAs(harness.ContractBroken, err.Error())
}

// expectRefused asserts that a request was refused for reason r with the status the suite's one
// rule (harness.RefusalStatus) gives for its operation, with the spec's error body; a 422's
// errors map names field when one is given. It returns the status that came.
func expectRefused(resp *http.Response, err error, r harness.Refusal, field ...string) int {
	GinkgoHelper()
	noError(err)
	req := resp.Request.Clone(resp.Request.Context())
	req.URL, _ = url.Parse(harness.SpecURL(suite.base, req.URL.String(), suite.cfg.BasePath))
	route, rerr := suite.validator.Route(req)
	Expect(rerr).NotTo(HaveOccurred())
	want, ok := harness.RefusalStatus(r, func(s string) bool { return slices.Contains(route.Operation.Statuses, s) })
	Expect(ok).To(BeTrue(), "%s documents no refusal of a bad request", route.Operation.ID)
	body := expectStatus(resp, nil, want)
	if want == http.StatusUnprocessableEntity {
		errs := decode[dbapi.ValidationErrors](body).Errors
		Expect(errs).NotTo(BeEmpty(), "a 422 without its errors map")
		for _, f := range field {
			Expect(errs).To(HaveKey(f), "the 422 of %s does not name %s", route.Operation.ID, f)
		}
	} else if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		Expect(decode[dbapi.Error](body).Error).NotTo(BeEmpty(), "a %d without its error", want)
	}
	return want
}
