package scalingodb

import (
	"context"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// LogsService gives access to the database logs.
type LogsService service

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

// LogsArchivesOptions selects a page of log archives: by Page (from 1) or
// by the Cursor of the previous page. Both are optional.
type LogsArchivesOptions struct {
	Page   int
	Cursor string
}

var (
	opLogsURL      = op{id: "getDatabaseLogsUrl", idempotent: true}
	opLogsArchives = op{id: "listDatabaseLogsArchives", idempotent: true}
)

// URL returns an authenticated URL from which the database logs can be read.
//
// API: GET /databases/{database_id}/logs (getDatabaseLogsUrl)
func (s *LogsService) URL(ctx context.Context, databaseID string) (SignedURL, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return SignedURL{}, err
	}
	var w struct {
		URL *string `json:"url"`
	}
	status, err := s.c.do(ctx, opLogsURL, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetDatabaseLogsURL(ctx, databaseID, e...)
	}, &w)
	if err != nil {
		return SignedURL{}, err
	}
	if w.URL == nil || checkDownloadURL(*w.URL) != nil {
		return SignedURL{}, malformed(opLogsURL, status, `missing or invalid field "url"`)
	}
	return SignedURL{url: *w.URL}, nil
}

// Archives returns one page of archived log files; opts may be nil.
//
// API: GET /databases/{database_id}/logs_archives (listDatabaseLogsArchives)
func (s *LogsService) Archives(ctx context.Context, databaseID string, opts *LogsArchivesOptions) (*LogsArchivesPage, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	var params dbapi.ListDatabaseLogsArchivesParams
	if opts != nil {
		if opts.Page < 0 {
			return nil, &ValidationError{Field: "page", Reason: "must be >= 1"}
		}
		if opts.Page > 0 {
			p := opts.Page
			params.Page = &p
		}
		if opts.Cursor != "" {
			c := opts.Cursor
			params.Cursor = &c
		}
	}
	var w struct {
		NextCursor string `json:"next_cursor"`
		HasMore    *bool  `json:"has_more"`
		Archives   *[]struct {
			URL  *string   `json:"url"`
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
			Size int64     `json:"size"`
		} `json:"archives"`
	}
	status, err := s.c.do(ctx, opLogsArchives, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.ListDatabaseLogsArchives(ctx, databaseID, &params, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.HasMore == nil || w.Archives == nil {
		return nil, malformed(opLogsArchives, status, `missing required field "has_more" or "archives"`)
	}
	page := &LogsArchivesPage{HasMore: *w.HasMore, NextCursor: w.NextCursor, Archives: make([]*LogsArchive, 0, len(*w.Archives))}
	for _, a := range *w.Archives {
		if a.URL == nil {
			return nil, malformed(opLogsArchives, status, `archive without "url"`)
		}
		page.Archives = append(page.Archives, &LogsArchive{URL: SignedURL{url: *a.URL}, From: a.From, To: a.To, Size: a.Size})
	}
	return page, nil
}
