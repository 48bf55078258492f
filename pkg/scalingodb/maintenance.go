package scalingodb

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
)

// MaintenanceService lists the maintenance operations of a database.
type MaintenanceService service

// MaintenanceStatus is the state of a maintenance operation.
type MaintenanceStatus string

// Maintenance states.
const (
	MaintenanceScheduled MaintenanceStatus = "scheduled"
	MaintenanceNotified  MaintenanceStatus = "notified"
	MaintenanceQueued    MaintenanceStatus = "queued"
	MaintenanceCancelled MaintenanceStatus = "cancelled"
	MaintenanceRunning   MaintenanceStatus = "running"
	MaintenanceFailed    MaintenanceStatus = "failed"
	MaintenanceDone      MaintenanceStatus = "done"
)

// MaintenanceType is the kind of a maintenance operation.
type MaintenanceType string

// Maintenance kinds.
const (
	MaintenanceNoOp                   MaintenanceType = "no-op"
	MaintenanceFailing                MaintenanceType = "failing"
	MaintenanceInstanceMigration      MaintenanceType = "instance-migration"
	MaintenancePgMD5ToSHA256Migration MaintenanceType = "pg-md5-to-sha256-auth-migration"
	MaintenanceDBUpgrade              MaintenanceType = "db-upgrade"
	MaintenancePlanUpdate             MaintenanceType = "plan-update"
)

// Maintenance is a maintenance operation.
type Maintenance struct {
	ID         string            `json:"id"`
	DatabaseID string            `json:"database_id"`
	Type       MaintenanceType   `json:"type"`
	Status     MaintenanceStatus `json:"status"`
	// StartedAt is nil until the operation starts.
	StartedAt *time.Time `json:"started_at"`
	// EndedAt is nil until the operation ends.
	EndedAt *time.Time `json:"ended_at"`
}

// ListOptions selects a page of a paginated list.
type ListOptions struct {
	// Page is the page to return, from 1 (default 1).
	Page int
	// PerPage is how many items a page holds, 1 to 100 (default: the server's, 20).
	PerPage int
}

// Pagination says where a page stands in the whole list.
type Pagination struct {
	CurrentPage int
	// PrevPage and NextPage are 0 when there is no such page.
	PrevPage   int
	NextPage   int
	TotalPages int
	TotalCount int64
}

// MaintenancePage is one page of maintenance operations.
type MaintenancePage struct {
	Items      []*Maintenance
	Pagination Pagination
}

var (
	opListMaintenances = op{id: "listMaintenances", idempotent: true}
	opGetMaintenance   = op{id: "getMaintenance", idempotent: true}
)

// List returns one page of the maintenance operations of a database; opts
// may be nil.
//
// API: GET /databases/{database_id}/maintenance (listMaintenances)
func (s *MaintenanceService) List(ctx context.Context, databaseID string, opts *ListOptions) (*MaintenancePage, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	var params dbapi.ListMaintenancesParams
	if opts != nil {
		if opts.Page < 0 || opts.PerPage < 0 || opts.PerPage > 100 {
			return nil, &ValidationError{Field: "list options", Reason: "page must be >= 1 and per_page within 1-100"}
		}
		if opts.Page > 0 {
			p := opts.Page
			params.Page = &p
		}
		if opts.PerPage > 0 {
			pp := opts.PerPage
			params.PerPage = &pp
		}
	}
	var w struct {
		Items *[]*Maintenance `json:"maintenance"`
		Meta  *struct {
			Pagination *struct {
				CurrentPage *int  `json:"current_page"`
				PrevPage    *int  `json:"prev_page"`
				NextPage    *int  `json:"next_page"`
				TotalPages  int   `json:"total_pages"`
				TotalCount  int64 `json:"total_count"`
			} `json:"pagination"`
		} `json:"meta"`
	}
	status, err := s.c.do(ctx, opListMaintenances, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.ListMaintenances(ctx, databaseID, &params, e...)
	}, &w)
	if err != nil {
		return nil, err
	}
	if w.Items == nil {
		return nil, malformed(opListMaintenances, status, `missing envelope key "maintenance"`)
	}
	if w.Meta == nil || w.Meta.Pagination == nil || w.Meta.Pagination.CurrentPage == nil {
		return nil, malformed(opListMaintenances, status, `missing key "meta.pagination"`)
	}
	for _, m := range *w.Items {
		if m == nil || m.ID == "" {
			return nil, malformed(opListMaintenances, status, `maintenance without "id"`)
		}
	}
	p := w.Meta.Pagination
	page := &MaintenancePage{Items: *w.Items, Pagination: Pagination{CurrentPage: *p.CurrentPage, TotalPages: p.TotalPages, TotalCount: p.TotalCount}}
	if p.PrevPage != nil {
		page.Pagination.PrevPage = *p.PrevPage
	}
	if p.NextPage != nil {
		page.Pagination.NextPage = *p.NextPage
	}
	return page, nil
}

// All iterates over every maintenance operation of a database, fetching
// pages of 100 as it goes. An error ends the iteration after being yielded.
//
// API: GET /databases/{database_id}/maintenance (listMaintenances)
func (s *MaintenanceService) All(ctx context.Context, databaseID string) iter.Seq2[*Maintenance, error] {
	return func(yield func(*Maintenance, error) bool) {
		opts := ListOptions{Page: 1, PerPage: 100}
		for seen := 0; seen < 100000; seen++ {
			page, err := s.List(ctx, databaseID, &opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, m := range page.Items {
				if !yield(m, nil) {
					return
				}
			}
			next := page.Pagination.NextPage
			if next == 0 || next <= opts.Page || len(page.Items) == 0 {
				return
			}
			opts.Page = next
		}
	}
}

// Get returns one maintenance operation.
//
// API: GET /databases/{database_id}/maintenance/{maintenance_id} (getMaintenance)
func (s *MaintenanceService) Get(ctx context.Context, databaseID, maintenanceID string) (*Maintenance, error) {
	if err := pathID("database_id", databaseID); err != nil {
		return nil, err
	}
	if err := pathID("maintenance_id", maintenanceID); err != nil {
		return nil, err
	}
	var m Maintenance
	status, err := s.c.do(ctx, opGetMaintenance, func(ctx context.Context, e ...dbapi.RequestEditorFn) (*http.Response, error) {
		return s.c.api.GetMaintenance(ctx, databaseID, maintenanceID, e...)
	}, &m)
	if err != nil {
		return nil, err
	}
	if m.ID == "" || m.Status == "" {
		return nil, malformed(opGetMaintenance, status, `missing required field "id" or "status"`)
	}
	return &m, nil
}
