package scalingodb

import (
	"context"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// InstancesService reports the status of each node of a database.
type InstancesService service

// InstanceRole is the role of a database node.
type InstanceRole string

// Instance roles; gateways have InstanceNoRole.
const (
	InstanceLeader   InstanceRole = "leader"
	InstanceFollower InstanceRole = "follower"
	InstanceMaster   InstanceRole = "master"
	InstanceNoRole   InstanceRole = ""
)

// InstanceStatus is the status of one node.
type InstanceStatus struct {
	ID         string        `json:"id"`
	Type       InstanceType  `json:"type"`
	Status     InstanceState `json:"status"`
	Role       InstanceRole  `json:"role"`
	DBMSStatus string        `json:"dbms_status,omitempty"`
}

func (i *InstanceStatus) missing() string {
	if i.ID == "" {
		return `"id" of an instance`
	}
	return ""
}

// Status returns the type, status and role of every node of a database.
//
// API: GET /databases/{database_id}/instances_status (getDatabaseInstancesStatus)
func (s *InstancesService) Status(ctx context.Context, databaseID string) ([]*InstanceStatus, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	return fetchList[InstanceStatus](ctx, s.c, "getDatabaseInstancesStatus", func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabaseInstancesStatus(ctx, databaseID, e...)
	})
}
