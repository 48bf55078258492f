package scalingodb

import (
	"context"
	"errors"
	"time"
)

// OperationsService follows the asynchronous operations of a database: the
// upgrades (Databases.Upgrade), point-in-time restores (PITR.Restore) and
// backup restorations (Backups.Restore) it runs.
//
// The operation is known only from the JavaScript client, so its shape
// comes from one client only.
type OperationsService service

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
	return fetchOne[Operation](ctx, s.c, opGetDatabaseOperation, call2(s.c.api.GetDatabaseOperation, databaseID, operationID))
}

// Wait polls an operation, with a growing interval (see WithPollInterval), until
// it succeeds (the operation is returned) or fails (an
// *OperationFailedError that matches ErrOperationFailed), or ctx is done.
// Transient errors of a poll are retried by the client's retry policy; any
// other error stops the wait. The operationID is Upgrade.OperationID or the
// ID of the Operation that PITR.Restore returns.
//
// API: GET /databases/{database_id}/operations/{operation_id} (getDatabaseOperation)
func (s *OperationsService) Wait(ctx context.Context, databaseID, operationID string, opts ...WaitOption) (*Operation, error) {
	var done *Operation
	err := poll(ctx, opts, func() (bool, error) {
		o, err := s.Get(ctx, databaseID, operationID)
		if err != nil {
			return false, err
		}
		if !o.Status.Finished() {
			return false, nil
		}
		if !o.Status.Succeeded() {
			return false, &OperationFailedError{Operation: o}
		}
		done = o
		return true, nil
	})
	return done, err
}

// poll calls check, waiting a growing interval between two calls (see
// WithPollInterval), until it reports done or an error, or ctx is done.
func poll(ctx context.Context, opts []WaitOption, check func() (bool, error)) error {
	cfg := waitConfig{first: time.Second, max: 15 * time.Second}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	interval := cfg.first
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		interval = min(interval+interval/2, cfg.max)
	}
}
