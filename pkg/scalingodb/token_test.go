package scalingodb

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestAddonTokenSource_UsedByClient checks that the client sends the addon
// token of an AddonTokenSource (package auth's, through the old name) and
// fetches it once for several calls; printing the client and the source
// shows no token.
func TestAddonTokenSource_UsedByClient(t *testing.T) {
	var addons atomic.Int64
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/apps/my-app/addons/ad-123/token" || r.Header.Get("Authorization") != "Bearer jwt-SECRET" {
			writeJSON(w, 401, `{"error":"unauthorized"}`)
			return
		}
		writeJSON(w, 200, fmt.Sprintf(`{"addon":{"id":"ad-123","token":"addon-token-%d"}}`, addons.Add(1)))
	}))
	t.Cleanup(auth.Close)
	ts, err := NewAddonTokenSource(AddonTokenConfig{BearerToken: NewSecret("jwt-SECRET"), App: "my-app", AddonID: "ad-123", AuthURL: auth.URL, APIURL: auth.URL})
	if err != nil {
		t.Fatal(err)
	}
	c, rec, _ := newTestClient(t, fixed(200, `{"database-users":[]}`), WithTokenSource(ts))
	for range 5 {
		if _, err := c.Users.List(context.Background(), "db"); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rec.all() {
		if r.Header.Get("Authorization") != "Bearer addon-token-1" {
			t.Fatalf("Authorization %q", r.Header.Get("Authorization"))
		}
	}
	if addons.Load() != 1 {
		t.Errorf("%d addon token requests for 5 calls, want 1", addons.Load())
	}
	c2, err := New(WithToken("static-SECRET"))
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v %#v %v %+v %#v", ts, c, c, StaticToken("static-SECRET"), c2, c2); strings.Contains(s, "SECRET") {
		t.Errorf("printing token sources leaks: %s", s)
	}
}
