//go:build std

package main

import (
	"context"
	"net/http"
	"net/url"
)

// send sends a request, once.
func send(ctx context.Context, method, target, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

// pathParam escapes a path parameter.
func pathParam(_, value string) (string, error) { return url.PathEscape(value), nil }
