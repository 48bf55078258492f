package scalingodb

import (
	"context"
	"encoding/json"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// PITRService restores PostgreSQL databases to a point in time.
type PITRService struct{ service }

// OperationStatus is the state of an asynchronous database operation.
type OperationStatus string

// Operation states.
const (
	OperationPending    OperationStatus = "pending"
	OperationRunning    OperationStatus = "running"
	OperationFinished   OperationStatus = "finished"
	OperationDone       OperationStatus = "done"
	OperationError      OperationStatus = "error"
	OperationUserError  OperationStatus = "user-error"
	OperationCancelling OperationStatus = "cancelling"
	OperationCancelled  OperationStatus = "cancelled"
)

// Operation is an asynchronous operation on a database.
type Operation struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Status    OperationStatus `json:"status"`
	CreatedAt time.Time       `json:"created_at"`
	// FinishedAt is nil until the operation ends.
	FinishedAt *time.Time `json:"finished_at"`
	// Error is the failure message, or "".
	Error string `json:"error"`
}

// RecoveryWindow is the span of time a point-in-time restore can target.
// A bound is nil when the server does not give it.
type RecoveryWindow struct {
	EarliestRecoverableAt *time.Time `json:"earliest_recoverable_at"`
	LatestRecoverableAt   *time.Time `json:"latest_recoverable_at"`
}

// Restore starts an asynchronous restoration of the database data as it
// was at t. It is sent again only after a 429; a lost answer is an error
// matching ErrOutcomeUnknown. Operations.Wait with the operation's ID
// waits for its end.
//
// API: POST /databases/{database_id}/pitr/restore (restoreDatabasePitr)
func (s *PITRService) Restore(ctx context.Context, databaseID string, t time.Time) (*Operation, error) {
	if t.IsZero() {
		return nil, &InvalidInputError{Field: "restore_time", Reason: "must not be zero"}
	}
	body, err := json.Marshal(dbapi.PitrRestoreRequest{RestoreTime: t.UTC()})
	if err != nil {
		return nil, err
	}
	op, err := apicall.FetchOne[Operation](ctx, s.c.caller, apicall.OpRestoreDatabasePitr, apicall.Body1(s.c.api.RestoreDatabasePitrWithBody, databaseID, body))
	if err != nil {
		return nil, apicall.WithCheck(err, "whether a point-in-time restore of database "+databaseID+" started (Databases.Get: its status), before restoring again")
	}
	return op, nil
}

// RecoveryWindow returns the earliest and latest instants the database can
// be restored to.
//
// API: GET /databases/{database_id}/pitr/recovery_window (getPitrRecoveryWindow)
func (s *PITRService) RecoveryWindow(ctx context.Context, databaseID string) (*RecoveryWindow, error) {
	return apicall.FetchOne[RecoveryWindow](ctx, s.c.caller, apicall.OpGetPitrRecoveryWindow, apicall.Call1(s.c.api.GetPitrRecoveryWindow, databaseID))
}
