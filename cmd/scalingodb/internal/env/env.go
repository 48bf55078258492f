// Package env names the environment variables scalingodb reads. Each is
// documented in `scalingodb --help` (a test of package cli checks it), and
// a flag wins over its variable, which wins over the default.
package env

// The variables, by the setting they give.
const (
	// Token is the Database API bearer token (--token).
	Token = "DB_BEARER_TOKEN"
	// APIToken is a Scalingo API token exchanged for an addon's token.
	APIToken = "SCALINGO_API_TOKEN"
	// App is the application of the addon (--app).
	App = "SCALINGO_APP"
	// Addon is the addon, by ID or type (--addon).
	Addon = "SCALINGO_ADDON"
	// Region is the region of the Database API (--region).
	Region = "SCALINGO_REGION"
	// APIURL is the base URL of another Database API server (--api-url).
	APIURL = "DBAPI_BASE_URL"
	// RequestTimeout bounds each request (--request-timeout).
	RequestTimeout = "DBAPI_REQUEST_TIMEOUT"
	// Database is the database, the ID of the addon (--database).
	Database = "SCALINGO_DATABASE"
	// AuthURL is where the Scalingo API token is exchanged.
	AuthURL = "SCALINGO_AUTH_URL"
	// MainAPI is the main Scalingo API that gives an addon's token.
	MainAPI = "SCALINGO_API_URL"
	// NoColor turns colour off (--no-color).
	NoColor = "NO_COLOR"
)
