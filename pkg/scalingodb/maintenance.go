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

// MaintenanceService lists the maintenance operations of a database.
type MaintenanceService struct{ service }

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

// ListParams selects a page of a paginated list.
type ListParams struct {
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

// maintenancePageWire is MaintenancePage on the wire; pointers tell the
// required fields that are missing.
type maintenancePageWire struct {
	Items *[]*Maintenance `json:"maintenance"`
	Meta  *wire.PageMeta  `json:"meta"`
}

func (w *maintenancePageWire) missing() string {
	if w.Items == nil {
		return `"maintenance"`
	}
	if m := w.Meta.Missing(); m != "" {
		return m
	}
	for _, m := range *w.Items {
		if m == nil || m.ID == "" {
			return `"id" of a maintenance`
		}
	}
	return ""
}

func (m *Maintenance) missing() string {
	return missingIf(m.ID == "" || m.Status == "", `"id" or "status"`)
}

// List returns one page of the maintenance operations of a database; p
// may be nil.
//
// API: GET /databases/{database_id}/maintenance (listMaintenances)
func (s *MaintenanceService) List(ctx context.Context, databaseID string, p *ListParams) (*MaintenancePage, error) {
	var params dbapi.ListMaintenancesParams
	if p != nil {
		if p.Page < 0 || p.PerPage < 0 || p.PerPage > 100 {
			return nil, &InvalidInputError{Field: "list params", Reason: "page must be >= 1 and per_page within 1-100"}
		}
		if p.Page > 0 {
			params.Page = &p.Page
		}
		if p.PerPage > 0 {
			params.PerPage = &p.PerPage
		}
	}
	w, err := apicall.FetchOne[maintenancePageWire](ctx, s.c.caller, apicall.OpListMaintenances, apicall.Call1P(s.c.api.ListMaintenances, databaseID, &params))
	if err != nil {
		return nil, err
	}
	pg := w.Meta.Pagination
	page := &MaintenancePage{Items: *w.Items, Pagination: Pagination{CurrentPage: *pg.CurrentPage, TotalPages: pg.TotalPages, TotalCount: pg.TotalCount}}
	if pg.PrevPage != nil {
		page.Pagination.PrevPage = *pg.PrevPage
	}
	if pg.NextPage != nil {
		page.Pagination.NextPage = *pg.NextPage
	}
	return page, nil
}

// All iterates over every maintenance operation of a database, fetching
// pages of 100 as it goes. An error ends the iteration after being yielded:
// that of a page, or a *PaginationError when the server answers another
// page than the one asked for or names as the next page one that is not
// after the current one (ErrPageLoop), or when 100,000 pages were read and
// more follow (ErrPageLimit).
//
// API: GET /databases/{database_id}/maintenance (listMaintenances)
func (s *MaintenanceService) All(ctx context.Context, databaseID string) iter.Seq2[*Maintenance, error] {
	fetch := func(page int) (pages.Page[*Maintenance, int], error) {
		p, err := s.List(ctx, databaseID, &ListParams{Page: page, PerPage: 100})
		if err != nil {
			return pages.Page[*Maintenance, int]{}, err
		}
		next := p.Pagination.NextPage
		return pages.Page[*Maintenance, int]{Items: p.Items, Next: next, More: next != 0, At: p.Pagination.CurrentPage}, nil
	}
	return pages.All(apicall.OpListMaintenances.ID, maxPages, 1, fetch, pages.Ascending)
}

// Get returns one maintenance operation.
//
// API: GET /databases/{database_id}/maintenance/{maintenance_id} (getMaintenance)
func (s *MaintenanceService) Get(ctx context.Context, databaseID, maintenanceID string) (*Maintenance, error) {
	return apicall.FetchOne[Maintenance](ctx, s.c.caller, apicall.OpGetMaintenance, apicall.Call2(s.c.api.GetMaintenance, databaseID, maintenanceID))
}
