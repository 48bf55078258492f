package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// addonsServer serves the token exchange and the addons list of my-app
// with body as its answer.
func addonsServer(t *testing.T, body string) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/tokens/exchange", func(w http.ResponseWriter, r *http.Request) {
		if _, pw, _ := r.BasicAuth(); pw != "tk-us-good" {
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"token":"jwt"}`)
	})
	mux.HandleFunc("GET /v1/apps/{app}/addons", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer jwt" {
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
			return
		}
		if r.PathValue("app") != "my-app" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
			return
		}
		fmt.Fprint(w, body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestListAddons(t *testing.T) {
	const good = `{"addons":[{"id":"ad-1","app_id":"app-1","resource_id":"my-app-1","status":"running","addon_provider":{"id":"postgresql","name":"PostgreSQL"}}]}`
	for _, tc := range []struct {
		name, body, app, token string
		want                   []Addon
		check                  func(error) bool
	}{
		{name: "ok", body: good, app: "my-app", token: "tk-us-good",
			want: []Addon{{ID: "ad-1", AppID: "app-1", ResourceID: "my-app-1", Status: "running", Provider: AddonProvider{ID: "postgresql", Name: "PostgreSQL"}}}},
		{name: "none", body: `{"addons":[]}`, app: "my-app", token: "tk-us-good", want: []Addon{}},
		{name: "no envelope", body: `{"items":[]}`, app: "my-app", token: "tk-us-good",
			check: func(err error) bool { var re *ResponseError; return errors.As(err, &re) }},
		{name: "addon without provider", body: `{"addons":[{"id":"ad-1"}]}`, app: "my-app", token: "tk-us-good",
			check: func(err error) bool { var re *ResponseError; return errors.As(err, &re) }},
		{name: "not JSON", body: `<html>`, app: "my-app", token: "tk-us-good",
			check: func(err error) bool { var re *ResponseError; return errors.As(err, &re) }},
		{name: "unknown app", body: good, app: "other", token: "tk-us-good",
			check: func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{name: "bad API token", body: good, app: "my-app", token: "tk-us-bad",
			check: func(err error) bool { return errors.Is(err, ErrUnauthorized) }},
		{name: "no app", body: good, app: "", token: "tk-us-good",
			check: func(err error) bool { var ie *InvalidInputError; return errors.As(err, &ie) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := addonsServer(t, tc.body)
			got, err := ListAddons(context.Background(), AddonTokenConfig{APIToken: NewSecret(tc.token), App: tc.app, AuthURL: u, APIURL: u})
			if tc.check != nil {
				if err == nil || !tc.check(err) {
					t.Fatalf("err = %v, want a typed error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
