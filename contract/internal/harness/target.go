package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// CheckTarget makes one GET of the configured database on a live target and turns every way it
// can fail into an error that says what to fix: a *ConfigError naming the setting for a refused
// token or an unknown database, an *UnreachableError (one line) when nothing answers in time. It
// sends nothing but GET, so it is safe in a read-only run. client is the suite's HTTP client:
// when its transport reports that the answer broke the contract, the error wraps that
// *conformance.ViolationError instead. v (may be nil) names the operation in an
// *UnreachableError.
func CheckTarget(ctx context.Context, client *http.Client, cfg Config, v *conformance.Validator) error {
	for _, db := range []struct{ envVar, id string }{{EnvDatabaseID, cfg.DatabaseID}, {EnvESDatabaseID, cfg.ESDatabaseID}} {
		if db.id == "" {
			continue
		}
		err := checkDatabase(ctx, client, cfg, db.envVar, db.id)
		var ce *ConfigError
		var ve *conformance.ViolationError
		if err != nil && !errors.As(err, &ce) && !errors.As(err, &ve) {
			err = RequestFailure(v, err, cfg.Timeout)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkDatabase(ctx context.Context, client *http.Client, cfg Config, envVar, id string) error {
	u := cfg.SpecBaseURL() + "/databases/" + url.PathEscape(id)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &ConfigError{Var: EnvBaseURL, Problem: fmt.Sprintf("cannot build GET %s: %v", u, err)}
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	var ve *conformance.ViolationError
	if errors.As(err, &ve) {
		return fmt.Errorf("GET %s answered, but broke the contract: %w", u, ve)
	}
	if err != nil {
		return err // RequestFailure renders it on one line
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &ConfigError{Var: EnvToken, Problem: fmt.Sprintf("GET %s answered %d: the token was refused; set %s to a valid token for database %q", u, resp.StatusCode, EnvToken, id)}
	case resp.StatusCode == http.StatusNotFound:
		return &ConfigError{Var: envVar, Problem: fmt.Sprintf("GET %s answered 404: database %q not found; set %s to the ID of an existing database (and check that %s ends with /api)", u, id, envVar, EnvBaseURL)}
	default:
		return &ConfigError{Var: EnvBaseURL, Problem: fmt.Sprintf("GET %s answered %d; expected 200 for database %q", u, resp.StatusCode, id)}
	}
}
