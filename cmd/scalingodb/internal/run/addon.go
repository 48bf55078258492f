package run

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// AddonTypes are the database types that --addon accepts in place of an
// addon ID, as Scalingo's CLI does: the addon is then the only one of that
// type of --app.
var AddonTypes = []string{"postgresql", "mysql", "mongodb", "redis", "elasticsearch", "opensearch", "influxdb"}

// AddonNotFoundError says that an application has no addon of a type. It
// matches scalingodb.ErrNotFound (exit code 3).
type AddonNotFoundError struct {
	// App is the application, Kind the addon type it lacks.
	App, Kind string
}

func (e *AddonNotFoundError) Error() string {
	return fmt.Sprintf("application %s has no %s addon (see 'scalingo --app %s addons')", e.App, e.Kind, e.App)
}

// Is reports whether target is scalingodb.ErrNotFound.
func (e *AddonNotFoundError) Is(target error) bool { return target == scalingodb.ErrNotFound }

// addonType returns the database type that --addon (or SCALINGO_ADDON)
// gives, or "" when it gives an addon ID or nothing.
func (s *State) addonType(cmd *cobra.Command) string {
	v := s.Setting(cmd, "addon", env.Addon, s.addon)
	if slices.Contains(AddonTypes, strings.ToLower(v)) {
		return strings.ToLower(v)
	}
	return ""
}

// addonID returns the addon that --addon names: the value itself when it
// is an addon ID (or empty), else the ID of the only addon of that type
// of --app, found once through the main API with SCALINGO_API_TOKEN.
func (s *State) addonID(cmd *cobra.Command) (string, error) {
	kind := s.addonType(cmd)
	if kind == "" {
		return s.Setting(cmd, "addon", env.Addon, s.addon), nil
	}
	if s.resolvedAddon != "" {
		return s.resolvedAddon, nil
	}
	appName := s.Setting(cmd, "app", env.App, s.appName)
	if appName == "" {
		return "", exit.Usagef(cmd, "--addon %s names an addon by its type: pass --app (or set %s) as well", kind, env.App)
	}
	apiToken := s.APIToken()
	if apiToken == "" {
		return "", exit.Usagef(cmd, "--addon %s: finding the %s addon of %s needs a Scalingo API token in %s; or pass --database with the addon ID", kind, kind, appName, env.APIToken)
	}
	addons, err := s.ListAddons(cmd, apiToken, appName)
	if err != nil {
		return "", err
	}
	var ids []string
	for _, ad := range addons {
		if AddonIs(ad, kind) {
			ids = append(ids, ad.ID)
		}
	}
	switch len(ids) {
	case 0:
		return "", &AddonNotFoundError{App: appName, Kind: kind}
	case 1:
	default:
		return "", exit.Usagef(cmd, "application %s has %d %s addons (%s): pass --addon ID to choose one", appName, len(ids), kind, strings.Join(ids, ", "))
	}
	s.resolvedAddon = ids[0]
	if s.Verbose {
		s.Status("addon %s of %s: %s", kind, appName, ids[0])
	}
	return ids[0], nil
}

// addonDatabase returns the database that --addon TYPE names, and false
// when --addon names no type. A --database flag that names another
// database is a usage error; SCALINGO_DATABASE loses to an addon type.
func (s *State) addonDatabase(cmd *cobra.Command) (string, bool, error) {
	if s.addonType(cmd) == "" {
		return "", false, nil
	}
	id, err := s.addonID(cmd)
	if err != nil {
		return "", true, err
	}
	if f := cmd.Flags().Lookup("database"); f != nil && f.Changed && s.database != id {
		return "", true, exit.Usagef(cmd, "--database %s and --addon %s (%s) name two databases: pass one of them", s.database, s.addonType(cmd), id)
	}
	return id, true, nil
}

// AddonIs reports whether an addon is a database of the type kind (such
// as postgresql, which Scalingo's providers also spell scalingo-postgresql).
func AddonIs(ad scalingodb.Addon, kind string) bool {
	p := strings.ToLower(ad.Provider.ID)
	return p == kind || p == "scalingo-"+kind
}

// ListAddons returns the addons of an application, listed through the main
// API with the Scalingo API token apiToken.
func (s *State) ListAddons(cmd *cobra.Command, apiToken, appName string) ([]scalingodb.Addon, error) {
	if err := CheckToken(apiToken, env.APIToken); err != nil {
		return nil, err
	}
	timeout, err := s.timeout(cmd)
	if err != nil {
		return nil, err
	}
	list, err := scalingodb.ListAddons(cmd.Context(), scalingodb.AddonTokenConfig{
		APIToken: scalingodb.NewSecret(apiToken), App: appName,
		Region:  s.Setting(cmd, "region", env.Region, s.region),
		AuthURL: s.IO.Getenv(env.AuthURL), APIURL: s.IO.Getenv(env.MainAPI), UserAgent: s.UserAgent(),
		HTTPClient: &http.Client{Timeout: timeout},
	})
	if err != nil {
		return nil, exit.Errf(err, "cannot list the addons of application %s", appName)
	}
	return list, nil
}
