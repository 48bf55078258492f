package scalingodb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// FeaturesService enables and disables optional features of a database,
// such as "force-ssl" or "publicly-available".
type FeaturesService struct{ service }

// FeatureStatus is the state of a feature.
type FeatureStatus string

// Feature states. FeaturePending is the older name of FeaturePendingToActivate.
const (
	FeaturePendingToActivate FeatureStatus = "PENDING_TO_ACTIVATE"
	FeaturePendingToRemove   FeatureStatus = "PENDING_TO_REMOVE"
	FeatureActivated         FeatureStatus = "ACTIVATED"
	FeatureFailed            FeatureStatus = "FAILED"
	FeaturePending           FeatureStatus = "PENDING"
)

// Feature is a feature and its state on a database.
type Feature struct {
	Name   string        `json:"name"`
	Status FeatureStatus `json:"status"`
}

// FeatureToggle is the answer to a request to enable a feature.
type FeatureToggle struct {
	Name    string        `json:"name"`
	Status  FeatureStatus `json:"status"`
	Message string        `json:"message"`
}

// FeatureDisabled is the answer to a request to disable a feature.
type FeatureDisabled struct {
	// Name is the feature the request named.
	Name string
	// Message is the server's message, such as "force-ssl feature has been disabled".
	Message string
}

func (t *FeatureToggle) missing() string {
	return missingIf(t.Name == "" || t.Status == "", `"name" or "status"`)
}

// Enable asks for a feature to be enabled. Activation is asynchronous: the
// answer usually says FeaturePendingToActivate. It is sent again only
// after a 429; a lost answer is an error matching ErrOutcomeUnknown.
//
// API: POST /databases/{database_id}/features (enableDatabaseFeature)
func (s *FeaturesService) Enable(ctx context.Context, databaseID, feature string) (*FeatureToggle, error) {
	if feature == "" {
		return nil, &InvalidInputError{Field: "feature", Reason: "must not be empty"}
	}
	body, err := json.Marshal(map[string]map[string]string{"feature": {"name": feature}})
	if err != nil {
		return nil, err
	}
	ft, err := apicall.FetchOne[FeatureToggle](ctx, s.c.caller, apicall.OpEnableDatabaseFeature, apicall.Body1(s.c.api.EnableDatabaseFeatureWithBody, databaseID, body))
	if err != nil {
		return nil, apicall.WithCheck(err, fmt.Sprintf("the features of database %s (Databases.Get) for %q, before enabling it again", databaseID, feature))
	}
	return ft, nil
}

// Disable turns a feature off and returns the server's message. As for
// every delete, a 404 after an earlier attempt that may have applied (a
// 5xx, a lost answer) means the feature is off, as asked: Disable succeeds
// with an empty Message. A 404 at the first attempt is ErrNotFound.
//
// API: DELETE /databases/{database_id}/features (disableDatabaseFeature)
func (s *FeaturesService) Disable(ctx context.Context, databaseID, feature string) (*FeatureDisabled, error) {
	if feature == "" {
		return nil, &InvalidInputError{Field: "feature", Reason: "must not be empty"}
	}
	w, err := apicall.FetchOne[wire.Message](ctx, s.c.caller, apicall.OpDisableDatabaseFeature, apicall.Call1P(s.c.api.DisableDatabaseFeature, databaseID, &dbapi.DisableDatabaseFeatureParams{Feature: dbapi.FeatureName(feature)}))
	if err != nil {
		return nil, err
	}
	return &FeatureDisabled{Name: feature, Message: w.Text()}, nil
}
