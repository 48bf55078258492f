package mockserver

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/firewall"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// ListMaintenances lists the maintenance operations of a database, one page at a time (page from 1,
// per_page 1 to 100, default 20).
func (s handlers) ListMaintenances(_ context.Context, req dbapi.ListMaintenancesRequestObject) (dbapi.ListMaintenancesResponseObject, error) {
	page, perPage := 1, 20
	if p := req.Params.Page; p != nil {
		page = *p
	}
	if p := req.Params.PerPage; p != nil {
		perPage = *p
	}
	if page < 1 {
		return respond.Invalid("page", "must be greater than or equal to 1"), nil
	}
	if perPage < 1 || perPage > 100 {
		return respond.Invalid("per_page", "must be between 1 and 100"), nil
	}
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.ListMaintenancesResponseObject, error) {
		total := len(db.maint)
		pages := (total + perPage - 1) / perPage
		from := total
		if page-1 < total/perPage+1 { // no overflow for a huge page
			from = min((page-1)*perPage, total)
		}
		to := min(from+perPage, total)
		var resp dbapi.ListMaintenances200JSONResponse
		resp.Maintenance = slices.Clone(db.maint[from:to])
		if resp.Maintenance == nil {
			resp.Maintenance = []dbapi.Maintenance{}
		}
		pm := dbapi.PaginationMeta{CurrentPage: page, PerPage: &perPage, TotalPages: pages, TotalCount: int64(total)}
		if page > 1 {
			prev := min(page-1, max(pages, 1))
			pm.PrevPage = &prev
		}
		if page < pages {
			next := page + 1
			pm.NextPage = &next
		}
		resp.Meta.Pagination = pm
		return resp, nil
	})
}

// GetMaintenance shows one maintenance operation, as a bare object.
func (s handlers) GetMaintenance(_ context.Context, req dbapi.GetMaintenanceRequestObject) (dbapi.GetMaintenanceResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetMaintenanceResponseObject, error) {
		i := slices.IndexFunc(db.maint, func(m dbapi.Maintenance) bool { return m.ID == req.MaintenanceID })
		if i < 0 {
			return respond.NotFound("maintenance"), nil
		}
		return dbapi.GetMaintenance200JSONResponse(db.maint[i]), nil
	})
}

// GetDatabaseInstancesStatus returns the bare array of instance statuses.
func (s handlers) GetDatabaseInstancesStatus(_ context.Context, req dbapi.GetDatabaseInstancesStatusRequestObject) (dbapi.GetDatabaseInstancesStatusResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseInstancesStatusResponseObject, error) {
		return dbapi.GetDatabaseInstancesStatus200JSONResponse(slices.Clone(db.instances)), nil
	})
}

// GetDatabaseMetrics returns the resource usage of a database.
func (s handlers) GetDatabaseMetrics(_ context.Context, req dbapi.GetDatabaseMetricsRequestObject) (dbapi.GetDatabaseMetricsResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseMetricsResponseObject, error) {
		return dbapi.GetDatabaseMetrics200JSONResponse(db.metrics), nil
	})
}

// GetDatabaseHealth returns the cluster health of an Elasticsearch database; other engines get 404.
func (s handlers) GetDatabaseHealth(_ context.Context, req dbapi.GetDatabaseHealthRequestObject) (dbapi.GetDatabaseHealthResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseHealthResponseObject, error) {
		if db.health == nil {
			return respond.NotFoundBecause("health", "health is only available for Elasticsearch databases"), nil
		}
		return dbapi.GetDatabaseHealth200JSONResponse(*db.health), nil
	})
}

// logsToken is a deterministic token for the logs URLs of a database.
func (s *Server) logsToken(parts ...string) string {
	m := hmac.New(sha256.New, s.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// GetDatabaseLogsURL returns an authenticated logs URL.
func (s handlers) GetDatabaseLogsURL(_ context.Context, req dbapi.GetDatabaseLogsURLRequestObject) (dbapi.GetDatabaseLogsURLResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseLogsURLResponseObject, error) {
		return dbapi.GetDatabaseLogsURL200JSONResponse{URL: "https://logs.scalingo.com/apps/" + db.db.ID + "/logs?token=" + s.logsToken("logs", db.db.ID)}, nil
	})
}

const (
	logsArchiveDays     = 30 // one archive a day, for the 30 days before the clock's date
	logsArchivesPerPage = 10
)

// ListDatabaseLogsArchives pages through one archive a day for the last 30 days, newest first. A page
// is chosen by page (from 1) or by cursor (the next_cursor of the previous page).
func (s handlers) ListDatabaseLogsArchives(_ context.Context, req dbapi.ListDatabaseLogsArchivesRequestObject) (dbapi.ListDatabaseLogsArchivesResponseObject, error) {
	page := 1
	if p := req.Params.Page; p != nil {
		page = *p
	}
	if c := req.Params.Cursor; c != nil && *c != "" {
		n, err := strconv.Atoi(*c)
		if err != nil || n < 1 {
			return respond.Invalid("cursor", "is not a cursor of this list"), nil
		}
		page = n
	}
	if page < 1 {
		return respond.Invalid("page", "must be greater than or equal to 1"), nil
	}
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.ListDatabaseLogsArchivesResponseObject, error) {
		today := s.cfg.clock.Now().UTC().Truncate(24 * time.Hour)
		resp := dbapi.ListDatabaseLogsArchives200JSONResponse{Archives: []dbapi.LogsArchive{}}
		const pages = (logsArchiveDays + logsArchivesPerPage - 1) / logsArchivesPerPage
		if page <= pages { // a later page is empty (and page*perPage could overflow)
			for i := (page - 1) * logsArchivesPerPage; i < min(page*logsArchivesPerPage, logsArchiveDays); i++ {
				from := today.AddDate(0, 0, -1-i)
				day := from.Format("2006-01-02")
				resp.Archives = append(resp.Archives, dbapi.LogsArchive{
					URL:  fmt.Sprintf("https://logs-archives.scalingo.com/%s/%s.log.gz?token=%s", db.db.ResourceID, day, s.logsToken("archive", db.db.ID, day)),
					From: from, To: from.Add(24*time.Hour - time.Millisecond), Size: int64(100000 + 4096*(i%7)),
				})
			}
		}
		resp.HasMore = page < pages
		if resp.HasMore {
			next := strconv.Itoa(page + 1)
			resp.NextCursor = &next
		}
		return resp, nil
	})
}

// GetDatabaseTypeVersion shows a database engine version.
func (s handlers) GetDatabaseTypeVersion(_ context.Context, req dbapi.GetDatabaseTypeVersionRequestObject) (dbapi.GetDatabaseTypeVersionResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.store.versions[req.DatabaseTypeVersionID]
	if !ok {
		return respond.NotFound("database_type_version"), nil
	}
	return dbapi.GetDatabaseTypeVersion200JSONResponse{DatabaseTypeVersion: v}, nil
}

// ListFirewallRules lists the firewall rules of a database.
func (s handlers) ListFirewallRules(_ context.Context, req dbapi.ListFirewallRulesRequestObject) (dbapi.ListFirewallRulesResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.ListFirewallRulesResponseObject, error) {
		return respond.Cached(db.rules.Body()), nil
	})
}

// CreateFirewallRule adds a rule: custom_range needs a valid CIDR, managed_range a known range_id.
func (s handlers) CreateFirewallRule(_ context.Context, req dbapi.CreateFirewallRuleRequestObject) (dbapi.CreateFirewallRuleResponseObject, error) {
	in, err := req.Body.ValueByDiscriminator()
	if err != nil {
		return respond.Invalid("type", "should be custom_range or managed_range"), nil
	}
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.CreateFirewallRuleResponseObject, error) {
		now := s.cfg.clock.Now().UTC()
		var key, field string // a rule allowing the same addresses is taken; field is what the request named them by
		var build func(r *dbapi.FirewallRule, id string) error
		switch v := in.(type) {
		case dbapi.CustomRangeFirewallRuleCreate:
			if v.Cidr == "" {
				return respond.Invalid("cidr", "can't be blank"), nil
			}
			_, n, err := net.ParseCIDR(v.Cidr)
			if err != nil {
				return respond.Invalid("cidr", "is not a valid CIDR range"), nil
			}
			key, field = firewall.CustomKey(n.String()), "cidr"
			build = func(r *dbapi.FirewallRule, id string) error {
				return r.FromCustomRangeFirewallRule(dbapi.CustomRangeFirewallRule{
					ID: id, Cidr: n.String(), Label: v.Label, DatabaseID: &db.db.ID, CreatedAt: &now, UpdatedAt: &now})
			}
		case dbapi.ManagedRangeFirewallRuleCreate:
			if v.RangeID == "" {
				return respond.Invalid("range_id", "can't be blank"), nil
			}
			i := slices.IndexFunc(s.store.ranges, func(r dbapi.ManagedRange) bool { return r.ID == v.RangeID })
			if i < 0 {
				return respond.Invalid("range_id", "is not a known managed range"), nil
			}
			label := v.Label
			if label == nil {
				label = &s.store.ranges[i].Name
			}
			key, field = firewall.ManagedKey(v.RangeID), "range_id"
			build = func(r *dbapi.FirewallRule, id string) error {
				return r.FromManagedRangeFirewallRule(dbapi.ManagedRangeFirewallRule{
					ID: id, RangeID: v.RangeID, Label: label, DatabaseID: &db.db.ID, CreatedAt: &now, UpdatedAt: &now})
			}
		default:
			return respond.Invalid("type", "should be custom_range or managed_range"), nil
		}
		if db.rules.Taken(key) {
			return respond.Invalid(field, "has already been taken"), nil
		}
		var rule dbapi.FirewallRule
		if err := build(&rule, s.store.newID()); err != nil {
			return nil, err
		}
		if err := db.rules.Add(rule); err != nil {
			return nil, err
		}
		return dbapi.CreateFirewallRule201JSONResponse{Rule: rule}, nil
	})
}

// DeleteFirewallRule removes a rule.
func (s handlers) DeleteFirewallRule(_ context.Context, req dbapi.DeleteFirewallRuleRequestObject) (dbapi.DeleteFirewallRuleResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.DeleteFirewallRuleResponseObject, error) {
		if !db.rules.Remove(req.FirewallRuleID) {
			return respond.NotFound("firewall_rule"), nil
		}
		return dbapi.DeleteFirewallRule204Response{}, nil
	})
}

// ListFirewallManagedRanges lists the ranges a managed_range rule may name.
func (s handlers) ListFirewallManagedRanges(_ context.Context, _ dbapi.ListFirewallManagedRangesRequestObject) (dbapi.ListFirewallManagedRangesResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ranges := slices.Clone(s.store.ranges)
	if ranges == nil {
		ranges = []dbapi.ManagedRange{}
	}
	return dbapi.ListFirewallManagedRanges200JSONResponse{Ranges: ranges}, nil
}
