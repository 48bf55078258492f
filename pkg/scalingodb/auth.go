package scalingodb

import (
	"context"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/auth"
)

// The token sources are those of package auth.
type (
	// TokenSource supplies the bearer token of the Database API. It is
	// called before every request and must be safe for concurrent use.
	TokenSource = auth.TokenSource
	// AddonTokenConfig configures NewAddonTokenSource.
	AddonTokenConfig = auth.AddonTokenConfig
	// AddonTokenSource obtains the addon token of a database from the main
	// Scalingo API and caches it for its lifetime.
	AddonTokenSource = auth.AddonTokenSource
	// Addon is an addon of a Scalingo application, as the main API lists it.
	Addon = auth.Addon
	// AddonProvider is the kind of an addon.
	AddonProvider = auth.AddonProvider
)

// DefaultAuthURL is the Scalingo authentication API.
const DefaultAuthURL = auth.DefaultAuthURL

// StaticToken returns a TokenSource that always gives token, such as the
// DB_BEARER_TOKEN of the Scalingo documentation. The token is never printed.
func StaticToken(token string) TokenSource { return auth.StaticToken(token) }

// NewAddonTokenSource checks cfg and returns a token source; it does no I/O.
func NewAddonTokenSource(cfg AddonTokenConfig) (*AddonTokenSource, error) {
	return auth.NewAddonTokenSource(cfg)
}

// ListAddons lists the addons of cfg.App through the main API (see
// auth.ListAddons).
//
// API: GET {APIURL}/v1/apps/{app}/addons
func ListAddons(ctx context.Context, cfg AddonTokenConfig) ([]Addon, error) {
	return auth.ListAddons(ctx, cfg)
}
