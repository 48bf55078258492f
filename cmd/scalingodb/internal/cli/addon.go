package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// addonTypes are the database types that --addon accepts in place of an
// addon ID, as Scalingo's CLI does: the addon is then the only one of that
// type of --app.
var addonTypes = []string{"postgresql", "mysql", "mongodb", "redis", "elasticsearch", "opensearch", "influxdb"}

// addonNotFoundError says that an application has no addon of a type. It
// matches scalingodb.ErrNotFound (exit code 3).
type addonNotFoundError struct{ app, kind string }

func (e *addonNotFoundError) Error() string {
	return fmt.Sprintf("application %s has no %s addon (see 'scalingo --app %s addons')", e.app, e.kind, e.app)
}

// Is reports whether target is scalingodb.ErrNotFound.
func (e *addonNotFoundError) Is(target error) bool { return target == scalingodb.ErrNotFound }

// addonType returns the database type that --addon (or SCALINGO_ADDON)
// gives, or "" when it gives an addon ID or nothing.
func (a *app) addonType(cmd *cobra.Command) string {
	v := a.setting(cmd, "addon", envAddon, a.addon)
	if slices.Contains(addonTypes, strings.ToLower(v)) {
		return strings.ToLower(v)
	}
	return ""
}

// addonID returns the addon that --addon names: the value itself when it
// is an addon ID (or empty), else the ID of the only addon of that type
// of --app, found once through the main API with SCALINGO_API_TOKEN.
func (a *app) addonID(cmd *cobra.Command) (string, error) {
	kind := a.addonType(cmd)
	if kind == "" {
		return a.setting(cmd, "addon", envAddon, a.addon), nil
	}
	if a.resolvedAddon != "" {
		return a.resolvedAddon, nil
	}
	appName := a.setting(cmd, "app", envApp, a.appName)
	if appName == "" {
		return "", usagef(cmd, "--addon %s names an addon by its type: pass --app (or set %s) as well", kind, envApp)
	}
	apiToken := a.io.Getenv(envAPIToken)
	if apiToken == "" {
		return "", usagef(cmd, "--addon %s: finding the %s addon of %s needs a Scalingo API token in %s; or pass --database with the addon ID", kind, kind, appName, envAPIToken)
	}
	addons, err := scalingodb.ListAddons(cmd.Context(), scalingodb.AddonTokenConfig{
		APIToken: scalingodb.NewSecret(apiToken), App: appName,
		Region:  a.setting(cmd, "region", envRegion, a.region),
		AuthURL: a.io.Getenv(envAuthURL), APIURL: a.io.Getenv(envMainAPI),
	})
	if err != nil {
		return "", errf(err, "cannot list the addons of application %s", appName)
	}
	var ids []string
	for _, ad := range addons {
		if addonIs(ad, kind) {
			ids = append(ids, ad.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", &addonNotFoundError{app: appName, kind: kind}
	case 1:
	default:
		return "", usagef(cmd, "application %s has %d %s addons (%s): pass --addon ID to choose one", appName, len(ids), kind, strings.Join(ids, ", "))
	}
	a.resolvedAddon = ids[0]
	if a.verbose {
		a.status("addon %s of %s: %s", kind, appName, ids[0])
	}
	return ids[0], nil
}

// addonDatabase returns the database that --addon TYPE names, and false
// when --addon names no type. A --database flag that names another
// database is a usage error; SCALINGO_DATABASE loses to an addon type.
func (a *app) addonDatabase(cmd *cobra.Command) (string, bool, error) {
	if a.addonType(cmd) == "" {
		return "", false, nil
	}
	id, err := a.addonID(cmd)
	if err != nil {
		return "", true, err
	}
	if f := cmd.Flags().Lookup("database"); f != nil && f.Changed && a.database != id {
		return "", true, usagef(cmd, "--database %s and --addon %s (%s) name two databases: pass one of them", a.database, a.addonType(cmd), id)
	}
	return id, true, nil
}

// addonIs reports whether an addon is a database of the type kind (such
// as postgresql, which Scalingo's providers also spell scalingo-postgresql).
func addonIs(ad scalingodb.Addon, kind string) bool {
	p := strings.ToLower(ad.Provider.ID)
	return p == kind || p == "scalingo-"+kind
}
