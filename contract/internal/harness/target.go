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
// can fail into a *ConfigError that says what to set: an unreachable host, a refused token, an
// unknown database. It sends nothing but GET, so it is safe in a read-only run. client is the
// suite's HTTP client: when its transport reports that the answer broke the contract, the
// error wraps that *conformance.ViolationError instead.
func CheckTarget(ctx context.Context, client *http.Client, cfg Config) error {
	if err := checkDatabase(ctx, client, cfg, EnvDatabaseID, cfg.DatabaseID); err != nil {
		return err
	}
	if cfg.ESDatabaseID != "" {
		return checkDatabase(ctx, client, cfg, EnvESDatabaseID, cfg.ESDatabaseID)
	}
	return nil
}

func checkDatabase(ctx context.Context, client *http.Client, cfg Config, envVar, id string) error {
	u := cfg.BaseURL + "/databases/" + url.PathEscape(id)
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
		return &ConfigError{Var: EnvBaseURL, Problem: fmt.Sprintf("GET %s failed: %v; check that %s points at a reachable Database API", u, err, EnvBaseURL)}
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
