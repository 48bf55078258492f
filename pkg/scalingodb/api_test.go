package scalingodb

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// editingTransport changes the header values of the first request in
// place, as a careless RoundTripper might.
type editingTransport struct {
	base http.RoundTripper
	done atomic.Bool
}

func (e *editingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !e.done.Swap(true) {
		for _, k := range []string{"User-Agent", "Accept", "Authorization"} {
			if v := req.Header[k]; len(v) > 0 {
				v[0] = "edited"
				req.Header[k] = append(v, "appended")
			}
		}
	}
	return e.base.RoundTrip(req)
}

// TestRequests_OwnHeaderSlices proves that a RoundTripper that edits the
// header values of one request in place changes no later request.
func TestRequests_OwnHeaderSlices(t *testing.T) {
	c, rec, _ := newTestClient(t, fixed(200, `{"database-users":[]}`),
		WithHTTPClient(&http.Client{Transport: &editingTransport{base: http.DefaultTransport}}), WithUserAgent("my-agent"))
	for range 2 {
		if _, err := c.Users.List(context.Background(), "db"); err != nil {
			t.Fatal(err)
		}
	}
	headers := func(r recorded) map[string][]string {
		return map[string][]string{"User-Agent": r.Header.Values("User-Agent"), "Accept": r.Header.Values("Accept"),
			"Authorization": r.Header.Values("Authorization")}
	}
	all := rec.all()
	// net/http sends one User-Agent.
	edited := map[string][]string{"User-Agent": {"edited"}, "Accept": {"edited", "appended"}, "Authorization": {"edited", "appended"}}
	if diff := cmp.Diff(edited, headers(all[0])); diff != "" {
		t.Errorf("first request, edited by the transport (-want +got):\n%s", diff)
	}
	clean := map[string][]string{"User-Agent": {"my-agent"}, "Accept": {"application/json"}, "Authorization": {"Bearer " + testToken}}
	if diff := cmp.Diff(clean, headers(all[1])); diff != "" {
		t.Errorf("second request, untouched (-want +got):\n%s", diff)
	}
}

// TestLogsService_AllArchives follows the cursor from page to page, stops
// on the last page and when the caller breaks, and yields an error once,
// a repeated cursor's too.
func TestLogsService_AllArchives(t *testing.T) {
	archive := func(name string) string {
		return `{"url":"https://logs.example/` + name + `?token=t","from":"2024-01-01T00:00:00Z","to":"2024-01-02T00:00:00Z","size":1}`
	}
	pages := map[string]string{
		"":   `{"archives":[` + archive("a") + `,` + archive("b") + `],"has_more":true,"next_cursor":"c2"}`,
		"c2": `{"archives":[` + archive("c") + `],"has_more":true,"next_cursor":"c3"}`,
		"c3": `{"archives":[],"has_more":false}`,
	}
	loop := map[string]string{
		"":   `{"archives":[` + archive("a") + `],"has_more":true,"next_cursor":"c2"}`,
		"c2": `{"archives":[` + archive("b") + `],"has_more":true,"next_cursor":"c2"}`,
	}
	serve := func(pages map[string]string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, ok := pages[r.URL.Query().Get("cursor")]
			if !ok {
				writeJSON(w, 404, `{"error":"no such cursor"}`)
				return
			}
			writeJSON(w, 200, body)
		}
	}
	collect := func(c *Client, limit int) ([]string, error) {
		var names []string
		for a, err := range c.Logs.AllArchives(context.Background(), "db") {
			if err != nil {
				return names, err
			}
			names = append(names, strings.TrimPrefix(strings.Split(a.URL.URL(), "?")[0], "https://logs.example/"))
			if len(names) == limit {
				break
			}
		}
		return names, nil
	}
	tests := []struct {
		name     string
		h        http.HandlerFunc
		limit    int
		want     []string
		requests int
		wantErr  error
	}{
		{"every page", serve(pages), 0, []string{"a", "b", "c"}, 3, nil},
		{"the caller breaks", serve(pages), 2, []string{"a", "b"}, 1, nil},
		{"a repeated cursor is yielded", serve(loop), 0, []string{"a", "b"}, 2, ErrRepeatedCursor},
		{"an error is yielded", fixed(500, `{"error":"down"}`), 0, nil, 3, ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, tt.h)
			got, err := collect(c, tt.limit)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("archives (-want +got):\n%s", diff)
			}
			if rec.count() != tt.requests {
				t.Errorf("%d requests, want %d", rec.count(), tt.requests)
			}
		})
	}
}

// TestMaintenanceWindow_Weekday decodes and sends weekdays as time.Weekday.
func TestMaintenanceWindow_Weekday(t *testing.T) {
	c, rec, _ := newTestClient(t, fixed(200, `{"database":{"id":"db","maintenance_window":{"weekday_utc":6,"starting_hour_utc":2,"duration_in_hour":8}}}`))
	sunday := time.Sunday
	d, err := c.Databases.Update(context.Background(), "db", &UpdateDatabaseParams{MaintenanceWindow: &MaintenanceWindowParams{WeekdayUTC: &sunday}})
	if err != nil {
		t.Fatal(err)
	}
	if d.MaintenanceWindow.WeekdayUTC != time.Saturday || d.MaintenanceWindow.WeekdayUTC.String() != "Saturday" {
		t.Errorf("decoded %v, want Saturday", d.MaintenanceWindow.WeekdayUTC)
	}
	var sent struct {
		Database struct {
			MaintenanceWindow map[string]int `json:"maintenance_window"`
		} `json:"database"`
	}
	r := rec.all()[0]
	if err := json.Unmarshal(r.Body, &sent); err != nil || r.Method != http.MethodPatch {
		t.Fatalf("%s %s: %v", r.Method, r.Body, err)
	}
	if diff := cmp.Diff(map[string]int{"weekday_utc": 0}, sent.Database.MaintenanceWindow); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

// TestFeaturesService_Disable returns the feature asked for and the
// server's message, and refuses an answer without a message.
func TestFeaturesService_Disable(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *FeatureDisabled
	}{
		{"message", `{"message":"force-ssl feature has been disabled"}`, &FeatureDisabled{Name: "force-ssl", Message: "force-ssl feature has been disabled"}},
		{"no message", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, _ := newTestClient(t, fixed(200, tt.body))
			got, err := c.Features.Disable(context.Background(), "db", "force-ssl")
			if tt.want == nil {
				if !errors.Is(err, ErrMalformedResponse) {
					t.Fatalf("got %v, %v; want ErrMalformedResponse", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if r := rec.all()[0]; r.Method != http.MethodDelete || r.RequestURI != "/api/databases/db/features?feature=force-ssl" {
				t.Errorf("sent %s %s", r.Method, r.RequestURI)
			}
		})
	}
}

// TestInvalidInput_NotValidation tells a local refusal (no request sent)
// from the server's 422.
func TestInvalidInput_NotValidation(t *testing.T) {
	c, rec, _ := newTestClient(t, fixed(422, `{"errors":{"name":["is taken"]}}`))
	ctx := context.Background()
	_, local := c.Users.Create(ctx, "db", &CreateUserParams{Name: "x"})
	if n := rec.count(); n != 0 || !errors.Is(local, ErrInvalidInput) || errors.Is(local, ErrValidation) {
		t.Errorf("local refusal: %v after %d requests, want ErrInvalidInput only, before any request", local, n)
	}
	_, server := c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user"})
	if n := rec.count(); n != 1 || !errors.Is(server, ErrValidation) || errors.Is(server, ErrInvalidInput) {
		t.Errorf("server refusal: %v after %d requests, want ErrValidation only, after one request", server, n)
	}
}

// TestBackupsService_CreatedAtIsRequired: a backup without created_at (a
// required field of the spec) is a malformed answer, not one created in
// year 1: Latest picks the newest backup, and backups sync keeps and prunes
// copies, by that date.
func TestBackupsService_CreatedAtIsRequired(t *testing.T) {
	const noDate = `{"id":"b1","name":"b","status":"done","database_id":"db","size":10}`
	const dated = `{"id":"b2","name":"b","status":"done","database_id":"db","size":10,"created_at":"2026-01-02T03:04:05Z"}`
	tests := []struct {
		name string
		body string
		call func(*Client) error
	}{
		{"List", `{"database_backups":[` + dated + `,` + noDate + `]}`, func(c *Client) error {
			_, err := c.Backups.List(context.Background(), "db")
			return err
		}},
		{"Latest", `{"database_backups":[` + dated + `,` + noDate + `]}`, func(c *Client) error {
			_, err := c.Backups.Latest(context.Background(), "db")
			return err
		}},
		{"Get", `{"database_backup":` + noDate + `}`, func(c *Client) error {
			_, err := c.Backups.Get(context.Background(), "b1")
			return err
		}},
		{"Get, null date", `{"database_backup":` + strings.Replace(dated, `"2026-01-02T03:04:05Z"`, `null`, 1) + `}`, func(c *Client) error {
			_, err := c.Backups.Get(context.Background(), "b2")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(200, tt.body))
			if err := tt.call(c); !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("got %v, want ErrMalformedResponse", err)
			}
		})
	}
	c, _, _ := newTestClient(t, fixed(200, `{"database_backup":`+dated+`}`))
	if _, err := c.Backups.Get(context.Background(), "b2"); err != nil {
		t.Errorf("a dated backup: %v", err)
	}
}
