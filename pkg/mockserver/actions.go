package mockserver

import (
	"context"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// RunDatabaseAction runs an engine action; the available actions depend on the database type. An
// unknown or failed action answers 200 with ok 0 and an error, as the API does.
func (s handlers) RunDatabaseAction(_ context.Context, req dbapi.RunDatabaseActionRequestObject) (dbapi.RunDatabaseActionResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.RunDatabaseActionResponseObject, error) {
		return dbapi.RunDatabaseAction200JSONResponse(db.engine.Run(db.db.TypeName, req.Body.ActionName, req.Body.Params)), nil
	})
}
