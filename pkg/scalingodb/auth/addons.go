package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// Addon is an addon of a Scalingo application, as the main API lists it
// (GET /v1/apps/{app}/addons). The ID of a database addon is the database
// ID of the Database API.
type Addon struct {
	// ID is the ID of the addon ("ad-..."), the database ID of the Database API.
	ID string `json:"id"`
	// AppID is the ID of the application that owns the addon.
	AppID string `json:"app_id"`
	// ResourceID is the name of the addon's resource, such as my-app-1234.
	ResourceID string `json:"resource_id"`
	// Status is the state of the addon, such as "running".
	Status string `json:"status"`
	// Provider is the kind of addon.
	Provider AddonProvider `json:"addon_provider"`
}

// AddonProvider is the kind of an addon: its ID is the type of database,
// such as "postgresql", "mysql", "mongodb", "redis", "elasticsearch",
// "opensearch" or "influxdb".
type AddonProvider struct {
	// ID names the kind, such as "postgresql".
	ID string `json:"id"`
	// Name is its display name, such as "PostgreSQL".
	Name string `json:"name"`
}

// ListAddons lists the addons of cfg.App through the main API, with the
// bearer token an addon token source uses: cfg.APIToken exchanged at the
// authentication API (or cfg.BearerToken). cfg.AddonID is not used. The
// answer is read up to 1 MiB; an addon without an ID or a provider makes
// it malformed (a *httpx.ResponseError).
//
// API: GET {APIURL}/v1/apps/{app}/addons
func ListAddons(ctx context.Context, cfg AddonTokenConfig) ([]Addon, error) {
	if cfg.APIToken.IsZero() && cfg.BearerToken.IsZero() {
		return nil, &httpx.InvalidInputError{Field: "AddonTokenConfig", Reason: "APIToken or BearerToken is required"}
	}
	if cfg.App == "" {
		return nil, &httpx.InvalidInputError{Field: "AddonTokenConfig", Reason: "App is required"}
	}
	s, err := newTokenSource(cfg)
	if err != nil {
		return nil, err
	}
	bearer, err := s.bearerToken(ctx)
	if err != nil {
		return nil, err
	}
	const op = "list addons"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.APIURL+"/v1/apps/"+url.PathEscape(cfg.App)+"/addons", http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	var out struct {
		Addons *[]Addon `json:"addons"`
	}
	if err := s.postJSON(req, op, &out); err != nil {
		return nil, err
	}
	if out.Addons == nil {
		return nil, &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: op, Reason: `missing envelope key "addons"`}
	}
	for i, a := range *out.Addons {
		if a.ID == "" || a.Provider.ID == "" {
			return nil, &httpx.ResponseError{StatusCode: http.StatusOK, OperationID: op, Reason: fmt.Sprintf("addon %d has no id or no addon_provider.id", i)}
		}
	}
	return *out.Addons, nil
}
