package scalingodb

import (
	"context"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// InstancesService reports the status of each node of a database.
type InstancesService struct{ service }

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

func (i *InstanceStatus) missing() string { return missingIf(i.ID == "", `"id" of an instance`) }

// Status returns the type, status and role of every node of a database.
//
// API: GET /databases/{database_id}/instances_status (getDatabaseInstancesStatus)
func (s *InstancesService) Status(ctx context.Context, databaseID string) ([]*InstanceStatus, error) {
	return apicall.FetchList[InstanceStatus](ctx, s.c.caller, apicall.OpGetDatabaseInstancesStatus, apicall.Call1(s.c.api.GetDatabaseInstancesStatus, databaseID))
}
