package validate_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/scalingodb/dbapi-go/pkg/mockserver"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/validate"
)

// ExampleOption checks the answers of the API in a test or a CI job: the
// mock keeps the contract, and a server that answers a backup without its
// name fails the call.
func ExampleOption() {
	mock, err := mockserver.New(mockserver.WithSeed(mockserver.DemoSeed()))
	if err != nil {
		log.Fatal(err)
	}
	good := httptest.NewServer(mock.Handler())
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"database_backups":[{"id":"b1","status":"done","database_id":"db","created_at":"2026-01-02T03:04:05Z"}]}`)
	}))
	defer bad.Close()
	ctx := context.Background()

	for _, base := range []string{good.URL, bad.URL} {
		client, err := scalingodb.New(
			scalingodb.WithBaseURL(base),
			scalingodb.WithToken(mockserver.DefaultToken),
			validate.Option(),
		)
		if err != nil {
			log.Fatal(err)
		}
		backups, err := client.Backups.List(ctx, mockserver.DemoDatabaseID)
		var re *scalingodb.ResponseError
		switch {
		case errors.As(err, &re):
			fmt.Println("refused:", re.Reason, errors.Is(err, scalingodb.ErrMalformedResponse))
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println("backups:", len(backups) > 0)
		}
	}
	// Output:
	// backups: true
	// refused: the answer breaks the API description (1 violation(s)) true
}
