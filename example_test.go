package spec_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// Example_generatedClient calls the Database API with the generated, typed
// client. Most programs should prefer pkg/scalingodb, which adds token
// handling, retries and typed errors on top of it.
func Example_generatedClient() {
	// A stand-in for https://db-api.osc-fr1.scalingo.com/api.
	srv := httptest.NewServer(dbapi.HandlerWithOptions(
		dbapi.NewStrictHandler(seedServer{created: time.Now()}, nil),
		dbapi.StdHTTPServerOptions{BaseURL: "/api", BaseRouter: http.NewServeMux()},
	))
	defer srv.Close()
	baseURL := srv.URL + "/api"
	token := "my-db-bearer-token"

	client, err := dbapi.NewClientWithResponses(baseURL,
		dbapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.ListDatabaseUsersWithResponse(context.Background(), "my-db-123")
	if err != nil {
		log.Fatal(err)
	}
	if resp.JSON200 == nil {
		log.Fatalf("unexpected answer %d: %s", resp.StatusCode(), resp.Body)
	}
	for _, u := range resp.JSON200.DatabaseUsers {
		fmt.Printf("%s read-only=%t\n", u.Name, u.ReadOnly)
	}
	// Output:
	// my-db-123 read-only=false
	// metabase read-only=true
}
