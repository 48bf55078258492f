//go:build !std

package main

import (
	"context"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/oapi-codegen/runtime"
)

var retrying = func() *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	return c
}()

// send sends a request with retries.
func send(ctx context.Context, method, url, token string) (*http.Response, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return retrying.Do(req)
}

// pathParam escapes a path parameter as the generated client does.
func pathParam(name, value string) (string, error) {
	return runtime.StyleParamWithLocation("simple", false, name, runtime.ParamLocationPath, value)
}
