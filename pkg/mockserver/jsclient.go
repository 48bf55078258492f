package mockserver

// The operations known only from the JavaScript client (x-sources: [js-client] in openapi.yaml):
// backup restorations, asynchronous operations, plans, database types, metrics by type, lag, ping,
// firewall rule labels and the CA certificate.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/metrics"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// Default timings of the asynchronous operations and backup restorations.
const (
	defaultOperationPending = 1 * time.Second
	defaultOperationRunning = 3 * time.Second
)

// CACertificateContentType is the media type of getCaCertificate's PEM answer.
const CACertificateContentType = "application/x-pem-file"

// WithOperationTimings sets how long an asynchronous operation (upgrade, point-in-time restore,
// backup restoration) and a backup restoration stay pending (scheduled), then running, before they
// are finished (done). Defaults 1s and 3s.
func WithOperationTimings(pending, running time.Duration) Option {
	return func(c *config) {
		if pending < 0 || running < 0 {
			c.errs = append(c.errs, errors.New("mockserver: WithOperationTimings: negative duration"))
			return
		}
		c.opTimings = opTimings{pending: pending, running: running, set: true}
	}
}

// opTimings are the timings of WithOperationTimings; the defaults apply unless set.
type opTimings struct {
	pending, running time.Duration
	set              bool
}

func (c *config) operationTimings() (pending, running time.Duration) {
	if !c.opTimings.set {
		return defaultOperationPending, defaultOperationRunning
	}
	return c.opTimings.pending, c.opTimings.running
}

// extraState is the state of the operations known only from the JavaScript client. Every access
// holds Server.mu.
type extraState struct {
	ops          map[string]*asyncOp     // by operation ID
	restorations map[string]*restoration // by restoration ID
	types        []dbapi.DatabaseType
	plans        []SeedPlan
}

// asyncOp is an asynchronous operation of a database; its status follows the clock, unless it was
// seeded.
type asyncOp struct {
	id      string
	db      *database
	typ     string
	created time.Time
	seeded  *operationJSON // the state a seeded operation keeps
	target  string         // the version an upgrade goes to
}

// restoration is the restoration of a backup; its status follows the clock, unless it was seeded.
type restoration struct {
	id      string
	db      *database
	backup  string
	created time.Time
	seeded  *dbapi.BackupRestoration // the state a seeded restoration keeps
}

func (x *extraState) load(seed Seed) {
	x.types = append(x.types, seed.DatabaseTypes...)
	x.plans = append(x.plans, seed.Plans...)
}

// loadDatabase records the seeded operations and backup restorations of db, which keep the state
// they are given.
func (x *extraState) loadDatabase(db *database, sd SeedDatabase) error {
	for _, o := range sd.Operations {
		if o.ID == "" || x.ops[o.ID] != nil {
			return fmt.Errorf("mockserver: seed operation %q: empty or duplicate ID", o.ID)
		}
		if o.Type == nil || o.Status == nil || o.CreatedAt == nil {
			return fmt.Errorf("mockserver: seed operation %q needs a type, a status and a creation time", o.ID)
		}
		if x.ops == nil {
			x.ops = map[string]*asyncOp{}
		}
		v := operationJSON{ID: o.ID, Type: *o.Type, Status: *o.Status, CreatedAt: *o.CreatedAt, FinishedAt: o.FinishedAt, Error: o.Error}
		x.ops[o.ID] = &asyncOp{id: o.ID, db: db, typ: v.Type, created: v.CreatedAt, seeded: &v}
	}
	for _, r := range sd.BackupRestorations {
		if r.ID == "" || x.restorations[r.ID] != nil {
			return fmt.Errorf("mockserver: seed backup restoration %q: empty or duplicate ID", r.ID)
		}
		if r.DatabaseID == "" {
			r.DatabaseID = db.db.ID
		}
		if x.restorations == nil {
			x.restorations = map[string]*restoration{}
		}
		x.restorations[r.ID] = &restoration{id: r.ID, db: db, backup: r.SourceBackupID, created: r.CreatedAt, seeded: &r}
	}
	return nil
}

// startOperation records a new operation of db and makes it the database's current one. It holds
// s.mu.
func (s *Server) startOperation(db *database, typ string, now time.Time) *asyncOp {
	x := &s.store.extra
	if x.ops == nil {
		x.ops = map[string]*asyncOp{}
	}
	op := &asyncOp{id: s.store.newID(), db: db, typ: typ, created: now.UTC()}
	x.ops[op.id] = op
	id := op.id
	db.db.CurrentOperationID = &id
	return op
}

// operationJSON is an operation as the API shows it: finished_at and error are always present, null
// until they have a value (the JavaScript client types them string | null).
type operationJSON struct {
	ID         string                `json:"id"`
	Type       string                `json:"type"`
	Status     dbapi.OperationStatus `json:"status"`
	CreatedAt  time.Time             `json:"created_at"`
	FinishedAt *time.Time            `json:"finished_at"`
	Error      *string               `json:"error"`
}

// operationView is op as the API shows it at now: pending, running, then finished.
func (s *Server) operationView(op *asyncOp, now time.Time) operationJSON {
	if op.seeded != nil {
		return *op.seeded
	}
	pending, running := s.cfg.operationTimings()
	v := operationJSON{ID: op.id, Type: op.typ, CreatedAt: op.created}
	start := op.created.Add(pending)
	end := start.Add(running)
	switch {
	case now.Before(start):
		v.Status = dbapi.OperationStatusPending
	case now.Before(end):
		v.Status = dbapi.OperationStatusRunning
	default:
		v.Status = dbapi.OperationStatusFinished
		v.FinishedAt = &end
	}
	return v
}

// currentOperation is the ID of the operation of db still under way at now, or nil.
func (s *Server) currentOperation(db *database, now time.Time) *string {
	id := db.db.CurrentOperationID
	if id == nil {
		return nil
	}
	op := s.store.extra.ops[*id]
	if op == nil {
		return id // set by the seed: kept as given
	}
	if s.operationView(op, now).Status == dbapi.OperationStatusFinished {
		return nil
	}
	return id
}

// restorationView is r as the API shows it at now: scheduled, running, then done.
func (s *Server) restorationView(r *restoration, now time.Time) dbapi.BackupRestoration {
	if r.seeded != nil {
		return *r.seeded
	}
	pending, running := s.cfg.operationTimings()
	v := dbapi.BackupRestoration{ID: r.id, CreatedAt: r.created, Method: dbapi.BackupRestorationMethodBackup,
		DatabaseID: r.db.db.ID, SourceBackupID: r.backup}
	start := r.created.Add(pending)
	end := start.Add(running)
	switch {
	case now.Before(start):
		v.Status = dbapi.BackupRestorationStatusScheduled
	case now.Before(end):
		v.Status, v.StartedAt = dbapi.BackupRestorationStatusRunning, &start
	default:
		v.Status, v.StartedAt, v.EndedAt = dbapi.BackupRestorationStatusDone, &start, &end
	}
	return v
}

// RestoreBackup restores a done backup of the database into it: 201 with the bare restoration,
// which moves from scheduled to running to done with the clock, as the operation it starts does.
func (s handlers) RestoreBackup(_ context.Context, req dbapi.RestoreBackupRequestObject) (dbapi.RestoreBackupResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.RestoreBackupResponseObject, error) {
		b := s.store.backups[req.BackupID]
		if b == nil || b.db != db {
			return respond.NotFound("backup"), nil
		}
		now := s.cfg.clock.Now()
		if st := s.backupView(b, now).Status; st != dbapi.BackupStatusDone {
			return respond.Invalid("backup", fmt.Sprintf("is %s: only a done backup can be restored", st)), nil
		}
		x := &s.store.extra
		if x.restorations == nil {
			x.restorations = map[string]*restoration{}
		}
		r := &restoration{id: s.store.newID(), db: db, backup: b.b.ID, created: now.UTC()}
		x.restorations[r.id] = r
		s.startOperation(db, OperationTypeBackupRestoration, now)
		return dbapi.RestoreBackup201JSONResponse(s.restorationView(r, now)), nil
	})
}

// GetBackupRestoration shows a restoration of the database.
func (s handlers) GetBackupRestoration(_ context.Context, req dbapi.GetBackupRestorationRequestObject) (dbapi.GetBackupRestorationResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetBackupRestorationResponseObject, error) {
		r := s.store.extra.restorations[req.RestorationID]
		if r == nil || r.db != db {
			return respond.NotFound("backup_restoration"), nil
		}
		return dbapi.GetBackupRestoration200JSONResponse{BackupRestoration: s.restorationView(r, s.cfg.clock.Now())}, nil
	})
}

// GetDatabaseOperation shows an operation of the database (an upgrade, a point-in-time restore or a
// backup restoration).
func (s handlers) GetDatabaseOperation(_ context.Context, req dbapi.GetDatabaseOperationRequestObject) (dbapi.GetDatabaseOperationResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseOperationResponseObject, error) {
		op := s.store.extra.ops[req.OperationID]
		if op == nil || op.db != db {
			return respond.NotFound("operation"), nil
		}
		return respond.JSON(http.StatusOK, map[string]operationJSON{"operation": s.operationView(op, s.cfg.clock.Now())}), nil
	})
}

// findPlan returns the plan named name of the database type typeName.
func (x *extraState) findPlan(typeName, name string) (dbapi.DatabasePlan, bool) {
	i := slices.IndexFunc(x.plans, func(p SeedPlan) bool { return p.TypeName == typeName && p.Plan.Name == name })
	if i < 0 {
		return dbapi.DatabasePlan{}, false
	}
	return x.plans[i].Plan, true
}

// GetDatabasePlan shows the plan of the database.
func (s handlers) GetDatabasePlan(_ context.Context, req dbapi.GetDatabasePlanRequestObject) (dbapi.GetDatabasePlanResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabasePlanResponseObject, error) {
		p, ok := s.store.extra.findPlan(db.db.TypeName, db.db.Plan)
		if !ok {
			return respond.NotFound("plan"), nil
		}
		return dbapi.GetDatabasePlan200JSONResponse{Plan: p}, nil
	})
}

// GetPlan shows a plan of a database type: 404 for a plan the type does not have. A type that is
// not one of the spec's (DatabaseTypeName) gets its 422 from request validation.
func (s handlers) GetPlan(_ context.Context, req dbapi.GetPlanRequestObject) (dbapi.GetPlanResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.store.extra.findPlan(string(req.Params.Type), req.PlanName)
	if !ok {
		return respond.NotFound("plan"), nil
	}
	return dbapi.GetPlan200JSONResponse{Plan: p}, nil
}

// ListDatabaseTypes lists the database types of the seed.
func (s handlers) ListDatabaseTypes(_ context.Context, _ dbapi.ListDatabaseTypesRequestObject) (dbapi.ListDatabaseTypesResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := slices.Clone(s.store.extra.types)
	if types == nil {
		types = []dbapi.DatabaseType{}
	}
	return dbapi.ListDatabaseTypes200JSONResponse{DatabaseTypes: types}, nil
}

// GetDatabaseType shows a database type.
func (s handlers) GetDatabaseType(_ context.Context, req dbapi.GetDatabaseTypeRequestObject) (dbapi.GetDatabaseTypeResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := s.store.extra.types
	i := slices.IndexFunc(types, func(t dbapi.DatabaseType) bool { return t.ID == req.DatabaseTypeID })
	if i < 0 {
		return respond.NotFound("database_type"), nil
	}
	return dbapi.GetDatabaseType200JSONResponse{DatabaseType: types[i]}, nil
}

// GetDatabaseMetricsByType serves one metric of the database over time.
func (s handlers) GetDatabaseMetricsByType(_ context.Context, req dbapi.GetDatabaseMetricsByTypeRequestObject) (dbapi.GetDatabaseMetricsByTypeResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseMetricsByTypeResponseObject, error) {
		return metrics.Answer(db.db.ID, req.MetricType, req.Params.Since, req.Params.Last, s.cfg.clock.Now()), nil
	})
}

// GetInstanceMetricsByType serves one metric of one instance of the database over time.
func (s handlers) GetInstanceMetricsByType(_ context.Context, req dbapi.GetInstanceMetricsByTypeRequestObject) (dbapi.GetInstanceMetricsByTypeResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetInstanceMetricsByTypeResponseObject, error) {
		if !slices.ContainsFunc(db.db.Instances, func(in dbapi.Instance) bool { return in.ID == req.InstanceID }) {
			return respond.NotFound("instance"), nil
		}
		return metrics.Answer(req.InstanceID, req.MetricType, req.Params.Since, req.Params.Last, s.cfg.clock.Now()), nil
	})
}

// GetDatabaseLag serves the replication lag of the followers, in bytes, by instance ID (always 0:
// the mock replicates instantly). The field name is the mock's: the API's is unknown.
func (s handlers) GetDatabaseLag(_ context.Context, req dbapi.GetDatabaseLagRequestObject) (dbapi.GetDatabaseLagResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.GetDatabaseLagResponseObject, error) {
		lag := map[string]any{}
		for _, in := range db.instances {
			if in.Role == dbapi.InstanceStatusRoleFollower {
				lag[in.ID] = 0
			}
		}
		return dbapi.GetDatabaseLag200JSONResponse{"lag_in_bytes": lag}, nil
	})
}

// PingDatabase answers that the database is up. It changes nothing.
func (s handlers) PingDatabase(_ context.Context, req dbapi.PingDatabaseRequestObject) (dbapi.PingDatabaseResponseObject, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store.dbs[req.DatabaseID] == nil {
		return respond.NotFound("database"), nil
	}
	return dbapi.PingDatabase200JSONResponse{"message": "pong"}, nil
}

// UpdateFirewallRule changes the label of a rule of the database.
func (s handlers) UpdateFirewallRule(_ context.Context, req dbapi.UpdateFirewallRuleRequestObject) (dbapi.UpdateFirewallRuleResponseObject, error) {
	label := req.Body.FirewallRule.Label
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.UpdateFirewallRuleResponseObject, error) {
		old, ok := db.rules.Get(req.FirewallRuleID)
		if !ok {
			return respond.NotFound("firewall_rule"), nil
		}
		now := s.cfg.clock.Now().UTC()
		v, err := old.ValueByDiscriminator()
		if err != nil {
			return nil, err
		}
		var rule dbapi.FirewallRule
		switch v := v.(type) {
		case dbapi.CustomRangeFirewallRule:
			v.Label, v.UpdatedAt = &label, &now
			err = rule.FromCustomRangeFirewallRule(v)
		case dbapi.ManagedRangeFirewallRule:
			v.Label, v.UpdatedAt = &label, &now
			err = rule.FromManagedRangeFirewallRule(v)
		default:
			err = fmt.Errorf("firewall rule %s of an unknown kind", req.FirewallRuleID)
		}
		if err != nil {
			return nil, err
		}
		if err := db.rules.Replace(req.FirewallRuleID, rule); err != nil {
			return nil, err
		}
		return dbapi.UpdateFirewallRule200JSONResponse{Rule: rule}, nil
	})
}

// caCertificate is the mock's CA certificate, PEM-encoded: a self-signed ECDSA certificate made
// once per process.
var caCertificate = sync.OnceValues(func() ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Scalingo Database API mock CA", Organization: []string{"scalingodb mock"}},
		NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
})

// GetCaCertificate serves the CA certificate in PEM, as application/x-pem-file.
func (s handlers) GetCaCertificate(_ context.Context, _ dbapi.GetCaCertificateRequestObject) (dbapi.GetCaCertificateResponseObject, error) {
	pemBytes, err := caCertificate()
	if err != nil {
		return nil, fmt.Errorf("mockserver: CA certificate: %w", err)
	}
	return dbapi.GetCaCertificate200ApplicationXPemFileResponse{Body: bytes.NewReader(pemBytes), ContentLength: int64(len(pemBytes))}, nil
}
