package scalingodb

import (
	"context"
	"errors"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// OperationsService follows the asynchronous operations of a database: the
// upgrades (Databases.Upgrade), point-in-time restores (PITR.Restore) and
// backup restorations (Backups.Restore) it runs.
//
// The operation is known only from the JavaScript client, so its shape
// comes from one client only.
type OperationsService struct{ service }

// Finished reports whether the operation will not change state any more.
func (s OperationStatus) Finished() bool {
	switch s {
	case OperationFinished, OperationDone, OperationError, OperationUserError, OperationCancelled:
		return true
	}
	return false
}

// Succeeded reports whether the operation ended well.
func (s OperationStatus) Succeeded() bool { return s == OperationFinished || s == OperationDone }

// ErrOperationFailed matches an *OperationFailedError.
var ErrOperationFailed = errors.New("scalingodb: operation failed")

// OperationFailedError is an operation that ended in the error, user-error
// or cancelled state while being waited for. It matches ErrOperationFailed.
type OperationFailedError struct {
	// Operation is the operation in its final state.
	Operation *Operation
}

// Error names the operation, its state and its error message.
func (e *OperationFailedError) Error() string {
	msg := "scalingodb: operation " + e.Operation.ID + " (" + e.Operation.Type + ") ended in state " + string(e.Operation.Status)
	if e.Operation.Error != "" {
		msg += ": " + e.Operation.Error
	}
	return msg
}

// Is reports whether target is ErrOperationFailed.
func (e *OperationFailedError) Is(target error) bool { return target == ErrOperationFailed }

func (o *Operation) missing() string {
	return missingIf(o.ID == "" || o.Status == "", `"operation.id" or "operation.status"`)
}

// Get returns an operation of a database.
//
// API: GET /databases/{database_id}/operations/{operation_id} (getDatabaseOperation)
func (s *OperationsService) Get(ctx context.Context, databaseID, operationID string) (*Operation, error) {
	return apicall.FetchOne[Operation](ctx, s.c.caller, apicall.OpGetDatabaseOperation, apicall.Call2(s.c.api.GetDatabaseOperation, databaseID, operationID))
}

// Wait polls an operation (see WaitOption) until it succeeds (the
// operation is returned) or fails (the operation is returned with an
// *OperationFailedError). A wait that stops first returns the operation
// as last seen with a *WaitError. The operationID is Upgrade.OperationID
// or the ID of the Operation that PITR.Restore returns.
//
// API: GET /databases/{database_id}/operations/{operation_id} (getDatabaseOperation)
func (s *OperationsService) Wait(ctx context.Context, databaseID, operationID string, opts ...WaitOption) (*Operation, error) {
	if err := apicall.PathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := apicall.PathID("operation_id", operationID); err != nil {
		return nil, err
	}
	return waitFor(ctx, "operation", operationID, nil, opts,
		func(ctx context.Context) (*Operation, error) { return s.Get(ctx, databaseID, operationID) },
		func(o *Operation) string { return string(o.Status) },
		func(o *Operation) (bool, error) {
			if !o.Status.Finished() {
				return false, nil
			}
			if !o.Status.Succeeded() {
				return false, &OperationFailedError{Operation: o}
			}
			return true, nil
		})
}
