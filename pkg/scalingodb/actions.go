package scalingodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// ActionsService runs engine-specific administrative actions, such as
// "list-databases" (MySQL, MongoDB) or "pg-list-queries" (PostgreSQL).
type ActionsService struct{ service }

// ErrActionFailed matches an *ActionError.
var ErrActionFailed = errors.New("scalingodb: action failed")

// ActionError is an action that ran but failed (the server answered ok: 0).
// It matches ErrActionFailed.
type ActionError struct {
	// Action is the name of the action.
	Action string
	// Message is the server's explanation.
	Message string
}

// Error describes the failed action.
func (e *ActionError) Error() string {
	return "scalingodb: action " + e.Action + " failed: " + e.Message
}

// Is reports whether target is ErrActionFailed.
func (e *ActionError) Is(target error) bool { return target == ErrActionFailed }

// Run runs the action named name with params (any JSON-encodable value, or
// nil) and returns its raw JSON result, to be decoded by the caller into
// the shape the action documents ("null" for actions that return nothing).
// An action that fails on the server returns an *ActionError. It is sent
// again only after a 429: most actions change the database, and a lost
// answer is an error matching ErrOutcomeUnknown.
//
// API: POST /databases/{database_id}/action (runDatabaseAction)
func (s *ActionsService) Run(ctx context.Context, databaseID, name string, params any) (json.RawMessage, error) {
	if name == "" {
		return nil, &InvalidInputError{Field: "action_name", Reason: "must not be empty"}
	}
	body, err := json.Marshal(dbapi.ActionRequest{ActionName: name, Params: params})
	if err != nil {
		return nil, &InvalidInputError{Field: "params", Reason: "cannot be encoded as JSON"}
	}
	w, status, err := apicall.Fetch[wire.ActionResult](ctx, s.c.caller, apicall.OpRunDatabaseAction, apicall.Body1(s.c.api.RunDatabaseActionWithBody, databaseID, body))
	check := fmt.Sprintf("the effect of action %q on database %s, before running it again", name, databaseID)
	if err != nil {
		return nil, apicall.WithCheck(err, check)
	}
	switch {
	case w.OK == nil:
		return nil, apicall.WithCheck(apicall.Malformed(apicall.OpRunDatabaseAction, status, `missing required field "ok"`), check)
	case *w.OK == 0:
		return nil, &ActionError{Action: name, Message: w.Error}
	case *w.OK != 1:
		return nil, apicall.WithCheck(apicall.Malformed(apicall.OpRunDatabaseAction, status, `field "ok" is neither 0 nor 1`), check)
	}
	if w.Result == nil {
		w.Result = json.RawMessage("null")
	}
	return w.Result, nil
}
