package scalingodb

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// FeaturesService enables and disables optional features of a database,
// such as "force-ssl" or "publicly-available".
type FeaturesService service

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

var (
	opEnableFeature  = op{id: "enableDatabaseFeature"}
	opDisableFeature = op{id: "disableDatabaseFeature", idempotent: true}
)

// Enable asks for a feature to be enabled. Activation is asynchronous: the
// answer usually says FeaturePendingToActivate. It is never retried.
//
// API: POST /databases/{database_id}/features (enableDatabaseFeature)
func (s *FeaturesService) Enable(ctx context.Context, databaseID, feature string) (*FeatureToggle, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if feature == "" {
		return nil, &ValidationError{Field: "feature", Reason: "must not be empty"}
	}
	body, err := json.Marshal(map[string]map[string]string{"feature": {"name": feature}})
	if err != nil {
		return nil, err
	}
	var w struct {
		Name    *string       `json:"name"`
		Status  FeatureStatus `json:"status"`
		Message string        `json:"message"`
	}
	status, err := s.c.do(ctx, opEnableFeature, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.EnableDatabaseFeatureWithBody(ctx, databaseID, jsonContentType, bytes.NewReader(body), e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Name == nil || w.Status == "" {
		return nil, malformed(opEnableFeature, status, `missing required field "name" or "status"`)
	}
	return &FeatureToggle{Name: *w.Name, Status: w.Status, Message: w.Message}, nil
}

// Disable turns a feature off and returns the server's message.
//
// API: DELETE /databases/{database_id}/features (disableDatabaseFeature)
func (s *FeaturesService) Disable(ctx context.Context, databaseID, feature string) (string, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return "", err
	}
	if feature == "" {
		return "", &ValidationError{Field: "feature", Reason: "must not be empty"}
	}
	var w struct {
		Message *string `json:"message"`
	}
	status, err := s.c.do(ctx, opDisableFeature, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.DisableDatabaseFeature(ctx, databaseID, &dbapi.DisableDatabaseFeatureParams{Feature: dbapi.FeatureName(feature)}, e...)
	}, &w)
	if err != nil {
		return "", err
	}
	if w.Message == nil {
		return "", malformed(opDisableFeature, status, `missing required field "message"`)
	}
	return *w.Message, nil
}
