package scalingodb

import (
	"context"
	"fmt"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// TypeVersionsService describes database engine versions.
type TypeVersionsService struct{ service }

// Plugin is a plugin that a version allows (Elasticsearch).
type Plugin struct {
	ID          string `json:"id"`
	FeatureName string `json:"feature_name"`
	InstallName string `json:"install_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Description string `json:"description,omitempty"`
}

// DatabaseTypeVersion is a version of a database engine.
type DatabaseTypeVersion struct {
	ID             string    `json:"id"`
	DatabaseTypeID string    `json:"database_type_id"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Major          int       `json:"major"`
	Minor          int       `json:"minor"`
	Patch          int       `json:"patch"`
	Build          int       `json:"build"`
	Features       []string  `json:"features"`
	// NextUpgrade is the version an upgrade would go to, or nil.
	NextUpgrade    *DatabaseTypeVersion `json:"next_upgrade,omitempty"`
	AllowedPlugins []Plugin             `json:"allowed_plugins,omitempty"`
}

// String returns the readable version, such as "4.0.19-1".
func (v DatabaseTypeVersion) String() string {
	return fmt.Sprintf("%d.%d.%d-%d", v.Major, v.Minor, v.Patch, v.Build)
}

func (v *DatabaseTypeVersion) missing() string { return missingIf(v.ID == "", `"id"`) }

// Get returns one version of a database engine, as named by a database's
// VersionID or NextVersionID.
//
// API: GET /database_type_versions/{database_type_version_id} (getDatabaseTypeVersion)
func (s *TypeVersionsService) Get(ctx context.Context, versionID string) (*DatabaseTypeVersion, error) {
	return apicall.FetchOne[DatabaseTypeVersion](ctx, s.c.caller, apicall.OpGetDatabaseTypeVersion, apicall.Call1(s.c.api.GetDatabaseTypeVersion, versionID))
}
