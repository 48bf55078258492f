package mockserver

import (
	"context"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// RunDatabaseAction runs an engine action; the available actions depend on the database type. An
// unknown or failed action answers 200 with ok 0 and an error, as the API does.
func (s handlers) RunDatabaseAction(_ context.Context, req dbapi.RunDatabaseActionRequestObject) (dbapi.RunDatabaseActionResponseObject, error) {
	if req.Body == nil {
		return respond.Error(http.StatusBadRequest, "missing request body"), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.store.dbs[req.DatabaseID]
	if db == nil {
		return respond.NotFound("database"), nil
	}
	return dbapi.RunDatabaseAction200JSONResponse(db.engine.Run(db.db.TypeName, req.Body.ActionName, req.Body.Params)), nil
}
