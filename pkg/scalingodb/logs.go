package scalingodb

import (
	"context"
	"iter"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/pages"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// LogsService gives access to the database logs.
type LogsService struct{ service }

// LogsArchive is one archived log file.
type LogsArchive struct {
	// URL serves the file; it carries a token.
	URL  SignedURL
	From time.Time
	To   time.Time
	// Size of the file in bytes.
	Size int64
}

// LogsArchivesPage is one page of archived log files.
type LogsArchivesPage struct {
	Archives []*LogsArchive
	// HasMore says whether another page follows; pass NextCursor to get it.
	HasMore    bool
	NextCursor string
}

// LogsArchivesParams selects a page of log archives: by Page (from 1) or
// by the Cursor of the previous page. Both are optional.
type LogsArchivesParams struct {
	Page   int
	Cursor string
}

// URL returns an authenticated URL from which the database logs can be read.
//
// API: GET /databases/{database_id}/logs (getDatabaseLogsUrl)
func (s *LogsService) URL(ctx context.Context, databaseID string) (SignedURL, error) {
	w, status, err := apicall.Fetch[dbapi.LogsURL](ctx, s.c.caller, apicall.OpGetDatabaseLogsUrl, apicall.Call1(s.c.api.GetDatabaseLogsURL, databaseID))
	if err != nil {
		return SignedURL{}, err
	}
	if checkDownloadURL(w.URL) != nil {
		return SignedURL{}, apicall.Malformed(apicall.OpGetDatabaseLogsUrl, status, `missing or invalid field "url"`)
	}
	return newSignedURL(w.URL), nil
}

// Archives returns one page of archived log files; p may be nil.
//
// API: GET /databases/{database_id}/logs_archives (listDatabaseLogsArchives)
func (s *LogsService) Archives(ctx context.Context, databaseID string, p *LogsArchivesParams) (*LogsArchivesPage, error) {
	var params dbapi.ListDatabaseLogsArchivesParams
	if p != nil {
		if p.Page < 0 {
			return nil, &InvalidInputError{Field: "page", Reason: "must be >= 1"}
		}
		if p.Page > 0 {
			params.Page = &p.Page
		}
		if p.Cursor != "" {
			params.Cursor = &p.Cursor
		}
	}
	w, err := apicall.FetchOne[wire.LogsArchives](ctx, s.c.caller, apicall.OpListDatabaseLogsArchives, apicall.Call1P(s.c.api.ListDatabaseLogsArchives, databaseID, &params))
	if err != nil {
		return nil, err
	}
	page := &LogsArchivesPage{HasMore: *w.HasMore, NextCursor: w.NextCursor, Archives: make([]*LogsArchive, 0, len(*w.Archives))}
	for _, a := range *w.Archives {
		page.Archives = append(page.Archives, &LogsArchive{URL: newSignedURL(*a.URL), From: a.From, To: a.To, Size: a.Size})
	}
	return page, nil
}

// AllArchives iterates over every archived log file of a database,
// following the cursor from page to page. An error ends the iteration
// after being yielded: that of a page, or a *PaginationError when a page
// gives a cursor already followed (ErrRepeatedCursor), says more follow
// but gives no cursor (ErrNoCursor), or when 100,000 pages were read and
// more follow (ErrPageLimit).
//
// API: GET /databases/{database_id}/logs_archives (listDatabaseLogsArchives)
func (s *LogsService) AllArchives(ctx context.Context, databaseID string) iter.Seq2[*LogsArchive, error] {
	fetch := func(cursor string) (pages.Page[*LogsArchive, string], error) {
		p, err := s.Archives(ctx, databaseID, &LogsArchivesParams{Cursor: cursor})
		if err != nil {
			return pages.Page[*LogsArchive, string]{}, err
		}
		return pages.Page[*LogsArchive, string]{Items: p.Archives, Next: p.NextCursor, More: p.HasMore}, nil
	}
	return pages.All(apicall.OpListDatabaseLogsArchives.ID, maxPages, "", fetch, pages.Unfollowed)
}
