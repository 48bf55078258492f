package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// setMaxPages lowers the page limit of the iterators for one test. The
// tests that call it are not parallel, so no other test reads the limit
// meanwhile.
func setMaxPages(t *testing.T, n int) {
	t.Helper()
	old := maxPages
	maxPages = n
	t.Cleanup(func() { maxPages = old })
}

// iterResult is what an iteration yielded: the IDs of its items, then its
// error, if any.
type iterResult struct {
	ids []string
	err error
}

func collectIDs[T any](seq func(func(*T, error) bool), id func(*T) string) iterResult {
	var r iterResult
	for v, err := range seq {
		if err != nil {
			if r.err != nil {
				return iterResult{ids: r.ids, err: fmt.Errorf("a second error after %w: %w", r.err, err)}
			}
			r.err = err
			continue
		}
		if r.err != nil {
			return iterResult{ids: r.ids, err: fmt.Errorf("an item after the error %w", r.err)}
		}
		r.ids = append(r.ids, id(v))
	}
	return r
}

// checkPaginationError checks that err is a *PaginationError of operation
// opID after pages pages that matches want, or that err is nil when want
// is.
func checkPaginationError(t *testing.T, err, want error, opID string, pages int) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	if !errors.Is(err, want) || !errors.Is(err, ErrPagination) {
		t.Fatalf("error %v, want one matching %v and ErrPagination", err, want)
	}
	var pe *PaginationError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is no *PaginationError", err)
	}
	if pe.OperationID != opID || pe.Pages != pages {
		t.Errorf("PaginationError{OperationID: %q, Pages: %d}, want %q and %d", pe.OperationID, pe.Pages, opID, pages)
	}
}

// maintenancePages serves the pages of listMaintenances whose next_page
// is next[page] (0 for null), with two items each, except the pages listed
// in empty.
func maintenancePages(next map[int]int, empty map[int]bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		items := fmt.Sprintf(`{"id":"m%d-a","database_id":"db","type":"no-op","status":"done","started_at":null,"ended_at":null},`+
			`{"id":"m%d-b","database_id":"db","type":"no-op","status":"done","started_at":null,"ended_at":null}`, page, page)
		if empty[page] {
			items = ""
		}
		nextPage := "null"
		if n := next[page]; n != 0 {
			nextPage = strconv.Itoa(n)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"maintenance":[%s],"meta":{"pagination":{"current_page":%d,"prev_page":null,"next_page":%s,"total_pages":9,"total_count":18}}}`,
			items, page, nextPage))
	}
}

// TestMaintenanceService_All_Pagination proves that All ends with an
// error, never silently, when the pages do not move forward or exceed the
// page limit.
func TestMaintenanceService_All_Pagination(t *testing.T) {
	tests := []struct {
		name     string
		next     map[int]int
		empty    map[int]bool
		maxPages int
		want     []string
		wantErr  error
		pages    int // pages read, as the error says
	}{
		{"the last page ends it", map[int]int{1: 2}, nil, 0, []string{"m1-a", "m1-b", "m2-a", "m2-b"}, nil, 0},
		{"a next page before the current one is a loop", map[int]int{1: 2, 2: 1}, nil, 0,
			[]string{"m1-a", "m1-b", "m2-a", "m2-b"}, ErrPageLoop, 2},
		{"the current page as the next one is a loop", map[int]int{1: 1}, nil, 0, []string{"m1-a", "m1-b"}, ErrPageLoop, 1},
		{"an empty page that names a next one is followed", map[int]int{1: 2, 2: 3}, map[int]bool{2: true}, 0,
			[]string{"m1-a", "m1-b", "m3-a", "m3-b"}, nil, 0},
		{"the page limit", map[int]int{1: 2, 2: 3, 3: 4}, nil, 2, []string{"m1-a", "m1-b", "m2-a", "m2-b"}, ErrPageLimit, 2},
		{"the page limit not reached", map[int]int{1: 2}, nil, 2, []string{"m1-a", "m1-b", "m2-a", "m2-b"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.maxPages > 0 {
				setMaxPages(t, tt.maxPages)
			}
			c, rec, _ := newTestClient(t, maintenancePages(tt.next, tt.empty))
			got := collectIDs(c.Maintenance.All(context.Background(), "db"), func(m *Maintenance) string { return m.ID })
			checkPaginationError(t, got.err, tt.wantErr, "listMaintenances", tt.pages)
			if diff := cmp.Diff(tt.want, got.ids); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil && rec.count() != tt.pages {
				t.Errorf("%d requests for %d pages", rec.count(), tt.pages)
			}
		})
	}
}

// archivePages serves the pages of listDatabaseLogsArchives by cursor:
// pages[cursor] is the next cursor ("" for none) and whether it has more.
func archivePages(pages map[string]struct {
	next    string
	hasMore bool
}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cursor := r.URL.Query().Get("cursor")
		p, ok := pages[cursor]
		if !ok {
			writeJSON(w, 404, `{"error":"no such cursor"}`)
			return
		}
		next := ""
		if p.next != "" {
			next = `,"next_cursor":"` + p.next + `"`
		}
		writeJSON(w, 200, fmt.Sprintf(`{"archives":[{"url":"https://logs.example/%s?token=t","from":"2024-01-01T00:00:00Z","to":"2024-01-02T00:00:00Z","size":1}],"has_more":%t%s}`,
			"p"+cursor, p.hasMore, next))
	}
}

// TestLogsService_AllArchives_Pagination proves that AllArchives ends with
// an error, never silently, on a repeated cursor, a page that says more
// follow without a cursor, and the page limit.
func TestLogsService_AllArchives_Pagination(t *testing.T) {
	type page = struct {
		next    string
		hasMore bool
	}
	tests := []struct {
		name     string
		pages    map[string]page
		maxPages int
		want     []string
		wantErr  error
		read     int // pages read, as the error says
	}{
		{"the last page ends it", map[string]page{"": {"c2", true}, "c2": {"", false}}, 0, []string{"p", "pc2"}, nil, 0},
		{"a last page may carry a cursor", map[string]page{"": {"c2", true}, "c2": {"c3", false}}, 0, []string{"p", "pc2"}, nil, 0},
		{"a repeated cursor", map[string]page{"": {"c2", true}, "c2": {"c3", true}, "c3": {"c2", true}}, 0,
			[]string{"p", "pc2", "pc3"}, ErrRepeatedCursor, 3},
		{"a page's own cursor", map[string]page{"": {"c2", true}, "c2": {"c2", true}}, 0, []string{"p", "pc2"}, ErrRepeatedCursor, 2},
		{"more without a cursor", map[string]page{"": {"c2", true}, "c2": {"", true}}, 0, []string{"p", "pc2"}, ErrNoCursor, 2},
		{"the page limit", map[string]page{"": {"c2", true}, "c2": {"c3", true}, "c3": {"", false}}, 2, []string{"p", "pc2"}, ErrPageLimit, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.maxPages > 0 {
				setMaxPages(t, tt.maxPages)
			}
			c, rec, _ := newTestClient(t, archivePages(tt.pages))
			got := collectIDs(c.Logs.AllArchives(context.Background(), "db"), func(a *LogsArchive) string {
				u := a.URL.URL()
				return u[len("https://logs.example/") : len(u)-len("?token=t")]
			})
			checkPaginationError(t, got.err, tt.wantErr, "listDatabaseLogsArchives", tt.read)
			if diff := cmp.Diff(tt.want, got.ids); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil && rec.count() != tt.read {
				t.Errorf("%d requests for %d pages", rec.count(), tt.read)
			}
		})
	}
}

// TestPaginationError says what stopped the iteration and matches its
// reason and ErrPagination only.
func TestPaginationError(t *testing.T) {
	err := error(&PaginationError{OperationID: "listMaintenances", Pages: 3, Err: ErrPageLoop})
	if got, want := err.Error(), "scalingodb: listMaintenances: stopped after 3 pages: "+ErrPageLoop.Error()[len("scalingodb: "):]; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for _, target := range []error{ErrPagination, ErrPageLoop} {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(err, %v) = false", target)
		}
	}
	for _, other := range []error{ErrRepeatedCursor, ErrPageLimit, ErrNoCursor, ErrMalformedResponse} {
		if errors.Is(err, other) {
			t.Errorf("errors.Is(err, %v) = true", other)
		}
	}
}

// TestMaintenanceService_List_MissingPaginationKey proves that a page whose
// meta lacks a required key of PaginationMeta is malformed, never read as
// a zero: without "next_page", All would take the first page for the last
// and end silently; without "total_count", List would report 0.
func TestMaintenanceService_List_MissingPaginationKey(t *testing.T) {
	const item = `{"id":"m1","database_id":"db","type":"no-op","status":"done","started_at":null,"ended_at":null}`
	keys := []string{`"current_page":1`, `"prev_page":null`, `"next_page":2`, `"total_pages":2`, `"total_count":2`}
	for drop := -1; drop < len(keys); drop++ {
		name := "all keys"
		var kept []string
		for i, k := range keys {
			if i == drop {
				name = "without " + k[:strings.IndexByte(k, ':')]
				continue
			}
			kept = append(kept, k)
		}
		t.Run(name, func(t *testing.T) {
			body := `{"maintenance":[` + item + `],"meta":{"pagination":{` + strings.Join(kept, ",") + `}}}`
			c, _, _ := newTestClient(t, fixed(200, body))
			page, err := c.Maintenance.List(context.Background(), "db", nil)
			if drop < 0 {
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				want := Pagination{CurrentPage: 1, NextPage: 2, TotalPages: 2, TotalCount: 2}
				if diff := cmp.Diff(want, page.Pagination); diff != "" {
					t.Errorf("pagination (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("List: page %+v, error %v; want ErrMalformedResponse", page, err)
			}
			got := collectIDs(c.Maintenance.All(context.Background(), "db"), func(m *Maintenance) string { return m.ID })
			if !errors.Is(got.err, ErrMalformedResponse) || len(got.ids) != 0 {
				t.Errorf("All: items %v, error %v; want none and ErrMalformedResponse", got.ids, got.err)
			}
		})
	}
}

// TestMaintenanceService_All_WrongPage proves that a page that is not the
// one asked for (a cache or proxy that drops the query string answers page
// 1 to every request) ends the iteration before its items are yielded: the
// items yielded before a *PaginationError are right, never the same ones
// twice.
func TestMaintenanceService_All_WrongPage(t *testing.T) {
	c, rec, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = "page=1" // whatever page was asked
		maintenancePages(map[int]int{1: 2}, nil)(w, r2)
	})
	got := collectIDs(c.Maintenance.All(context.Background(), "db"), func(m *Maintenance) string { return m.ID })
	if diff := cmp.Diff([]string{"m1-a", "m1-b"}, got.ids); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	checkPaginationError(t, got.err, ErrPageLoop, "listMaintenances", 1)
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// TestLogsService_Archives_URLMustBeALink proves that an archive whose
// url is not an absolute http(s) link is malformed, as Logs.URL's is: a
// page never yields an archive that cannot be downloaded.
func TestLogsService_Archives_URLMustBeALink(t *testing.T) {
	for _, u := range []string{``, `not a link`, `/relative/2024-01-01.log.gz`, `ftp://logs.example/a.log.gz`, `https://`} {
		t.Run(u, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(200, `{"has_more":false,"archives":[{"url":"https://logs.example/a.log.gz?token=t","from":"2024-01-01T00:00:00Z","to":"2024-01-02T00:00:00Z","size":1},`+
				`{"url":"`+u+`","from":"2024-01-01T00:00:00Z","to":"2024-01-02T00:00:00Z","size":1}]}`))
			page, err := c.Logs.Archives(context.Background(), "db", nil)
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("Archives: page %+v, error %v; want ErrMalformedResponse", page, err)
			}
		})
	}
}
