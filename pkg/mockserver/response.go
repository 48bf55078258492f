package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// apiResponse is a JSON answer of any operation: it implements the Visit method of every generated
// response interface, so a handler can return errors (and bodies that need explicit nulls) without one
// generated type per operation and status.
type apiResponse struct {
	status int
	body   any    // encoded with encoding/json unless raw is set
	raw    []byte // pre-encoded body
	header map[string]string
	cached *cachedBody // the cached list raw comes from: validated once (checkResponses)
}

// cachedResponse is a 200 answer of a cached list body.
func cachedResponse(c *cachedBody) apiResponse {
	return apiResponse{status: http.StatusOK, raw: c.raw, cached: c}
}

func (a apiResponse) visit(w http.ResponseWriter) error {
	body := a.raw
	if body == nil && a.body != nil {
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(a.body); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	h := w.Header()
	for k, v := range a.header {
		h.Set(k, v)
	}
	if body != nil {
		// Canonical keys, set directly: Header.Set would canonicalise them again on every answer.
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	if a.cached != nil {
		if hw, ok := w.(*heldWriter); ok {
			hw.cached = a.cached
		}
	}
	w.WriteHeader(a.status)
	if body == nil {
		return nil
	}
	_, err := w.Write(body)
	return err
}

func (a apiResponse) VisitCreateBackupResponse(w http.ResponseWriter) error       { return a.visit(w) }
func (a apiResponse) VisitCreateDatabaseUserResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitCreateFirewallRuleResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitDeleteDatabaseUserResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitDeleteFirewallRuleResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitDisableDatabaseFeatureResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitDownloadBackupResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitEnableDatabaseFeatureResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetBackupArchiveResponse(w http.ResponseWriter) error  { return a.visit(w) }
func (a apiResponse) VisitGetBackupResponse(w http.ResponseWriter) error         { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseHealthResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseInstancesStatusResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetDatabaseLogsURLResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseMetricsResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseResponse(w http.ResponseWriter) error        { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseTypeVersionResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetMaintenanceResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetPitrRecoveryWindowResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitListBackupsResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitListDatabaseLogsArchivesResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitListDatabaseUsersResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitListFirewallManagedRangesResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitListFirewallRulesResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitListMaintenancesResponse(w http.ResponseWriter) error  { return a.visit(w) }
func (a apiResponse) VisitPutDatabaseResponse(w http.ResponseWriter) error       { return a.visit(w) }
func (a apiResponse) VisitResetDatabaseUserPasswordResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitRestoreDatabasePitrResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitRunDatabaseActionResponse(w http.ResponseWriter) error   { return a.visit(w) }
func (a apiResponse) VisitUpdateDatabaseResponse(w http.ResponseWriter) error      { return a.visit(w) }
func (a apiResponse) VisitUpdateDatabaseUserResponse(w http.ResponseWriter) error  { return a.visit(w) }
func (a apiResponse) VisitUpgradeDatabaseResponse(w http.ResponseWriter) error     { return a.visit(w) }

func jsonResponse(status int, body any) apiResponse { return apiResponse{status: status, body: body} }

func errorResponse(status int, msg string) apiResponse {
	return apiResponse{status: status, body: dbapi.Error{Error: msg}}
}

func notFound(resource string) apiResponse {
	return apiResponse{status: http.StatusNotFound, body: dbapi.Error{Error: "not found", Resource: &resource}}
}

func forbidden(msg string) apiResponse {
	code := "forbidden"
	return apiResponse{status: http.StatusForbidden, body: dbapi.Error{Error: msg, Code: &code}}
}

// invalid is a 422 answer; errs holds field, message pairs.
func invalid(errs ...string) apiResponse {
	m := map[string][]string{}
	for i := 0; i+1 < len(errs); i += 2 {
		m[errs[i]] = append(m[errs[i]], errs[i+1])
	}
	return apiResponse{status: http.StatusUnprocessableEntity, body: dbapi.ValidationErrors{Errors: m}}
}

// writeError writes the spec's Error body from plain net/http code (never http.Error's plain text).
func writeError(w http.ResponseWriter, status int, msg string) {
	writeErrorBody(w, status, dbapi.Error{Error: msg})
}

func writeErrorBody(w http.ResponseWriter, status int, e dbapi.Error) {
	b, _ := json.Marshal(e)
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
func (a apiResponse) VisitRestoreBackupResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetBackupRestorationResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetDatabaseOperationResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetDatabasePlanResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetPlanResponse(w http.ResponseWriter) error         { return a.visit(w) }
func (a apiResponse) VisitListDatabaseTypesResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetDatabaseTypeResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitGetDatabaseMetricsByTypeResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetInstanceMetricsByTypeResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetDatabaseLagResponse(w http.ResponseWriter) error { return a.visit(w) }
func (a apiResponse) VisitPingDatabaseResponse(w http.ResponseWriter) error   { return a.visit(w) }
func (a apiResponse) VisitUpdateFirewallRuleResponse(w http.ResponseWriter) error {
	return a.visit(w)
}
func (a apiResponse) VisitGetCaCertificateResponse(w http.ResponseWriter) error { return a.visit(w) }
