package harness_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

// A read-only run wraps its transport so that nothing but GET can leave the process.
func ExampleReadOnlyTransport() {
	client := &http.Client{Transport: harness.ReadOnlyTransport(nil)}
	_, err := client.Post("http://127.0.0.1:1/api/databases/my-db-123/backups", "application/json", strings.NewReader("{}"))
	var refused *harness.WriteRefusedError
	fmt.Println(errors.As(err, &refused), refused.Method)
	// Output: true POST
}

// The suite reads its target from the environment and reports every problem at once.
func ExampleFromEnv() {
	env := map[string]string{harness.EnvBaseURL: "https://db-api.osc-fr1.scalingo.com"}
	_, err := harness.FromEnv(func(k string) string { return env[k] })
	fmt.Println(err)
	// Output:
	// DBAPI_BASE_URL: "https://db-api.osc-fr1.scalingo.com" does not end with /api; set it to the API base URL with /api, e.g. https://db-api.osc-fr1.scalingo.com/api (or set DBAPI_BASE_PATH for a server under another path)
	// DB_BEARER_TOKEN: empty; set it to a bearer token of the database (the addon token) for a live run
	// DBAPI_DATABASE_ID: empty; set it to the ID of the database to test, e.g. my-db-123
}
