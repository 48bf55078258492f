package mockserver

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/actions"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/archive"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/firewall"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/metrics"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/objid"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/ordered"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
)

// store is the in-memory state. Every access holds Server.mu.
type store struct {
	dbs      map[string]*database // by ID and by resource ID
	backups  map[string]*backup   // by backup ID, across databases
	versions map[string]dbapi.DatabaseTypeVersion
	ranges   []dbapi.ManagedRange
	ids      objid.Generator // the IDs of what is created
	created  int             // backups created through the API, for the error rate

	extra extraState // the operations known only from the JavaScript client

	archives archive.Cache // has its own lock: blocks are generated outside Server.mu
}

type database struct {
	db          dbapi.Database // Features is rebuilt from features on read
	features    []*feature
	users       ordered.Map[*user] // by name, in creation order
	usersList   *respond.List      // the listDatabaseUsers body, nil after a change
	backups     []*backup          // oldest first
	backupsList backupsCache
	maint       []dbapi.Maintenance
	rules       firewall.Rules
	instances   []dbapi.InstanceStatus
	metrics     dbapi.Metrics
	health      *dbapi.Health
	engine      actions.State // what the engine actions read and change
	upgrades    []*asyncOp    // upgrades whose end has not yet moved the version (settleUpgrades)
}

type feature struct {
	name   string
	status dbapi.FeatureStatus
	since  time.Time // when PENDING_TO_ACTIVATE was asked
}

type user struct {
	name      string
	readOnly  bool
	protected bool
	dbms      *dbapi.DbmsAttributes
	enc       []byte // view, JSON-encoded as a list writes it; nothing changes it
}

// newUser builds a user with its encoded view.
func newUser(u user) (*user, error) {
	enc, err := json.Marshal(u.view())
	if err != nil {
		return nil, err
	}
	u.enc = enc
	return &u, nil
}

func (u *user) view() dbapi.DatabaseUser {
	p := u.protected
	return dbapi.DatabaseUser{Name: u.name, ReadOnly: u.readOnly, Protected: &p, DbmsAttributes: u.dbms}
}

type backup struct {
	b         dbapi.Backup // as seeded, or the static fields of a created backup
	db        *database
	lifecycle bool // created through the API: the status follows the clock
	fails     bool
	// The archive's version: 0 until Faults.ArchiveChangeRate changes its bytes. modified is the
	// Last-Modified of versions after the first, and weakDate tells that another version had the
	// same Last-Modified second, which then no longer identifies one version.
	gen      int
	modified time.Time
	weakDate bool
}

func newStore() *store {
	return &store{
		dbs:      map[string]*database{},
		backups:  map[string]*backup{},
		versions: map[string]dbapi.DatabaseTypeVersion{},
	}
}

// newID returns a new 24-hex-digit ID, like the API's MongoDB ObjectIDs: unique across runs of the
// mock and ordered by the time it was made (see objid).
func (st *store) newID() string { return st.ids.Next() }

func (st *store) load(seed Seed, now time.Time) error {
	for _, sd := range seed.Databases {
		d := sd.Database
		if d.ID == "" {
			return fmt.Errorf("mockserver: seed database without ID")
		}
		if st.dbs[d.ID] != nil || (d.ResourceID != "" && st.dbs[d.ResourceID] != nil) {
			return fmt.Errorf("mockserver: seed database %q defined twice", d.ID)
		}
		db := &database{db: d}
		if db.db.Instances == nil {
			db.db.Instances = []dbapi.Instance{}
		}
		if db.db.PeriodicBackupsScheduledAt == nil {
			db.db.PeriodicBackupsScheduledAt = []int{}
		}
		for _, f := range d.Features {
			db.features = append(db.features, &feature{name: f.Name, status: f.Status, since: now})
		}
		for _, u := range sd.Users {
			nu, err := newUser(user{name: u.Name, readOnly: u.ReadOnly, protected: u.Protected != nil && *u.Protected, dbms: u.DbmsAttributes})
			if err != nil {
				return fmt.Errorf("mockserver: seed user %q: %w", u.Name, err)
			}
			if !db.users.Add(u.Name, nu) {
				return fmt.Errorf("mockserver: seed user %q defined twice in %q", u.Name, d.ID)
			}
		}
		for _, b := range sd.Backups {
			if b.ID == "" || st.backups[b.ID] != nil {
				return fmt.Errorf("mockserver: seed backup %q: empty or duplicate ID", b.ID)
			}
			if b.Status == dbapi.BackupStatusDone && b.Size == nil {
				return fmt.Errorf("mockserver: seed backup %q is done but has no size", b.ID)
			}
			if b.DatabaseID == "" {
				b.DatabaseID = d.ID
			}
			bk := &backup{b: b, db: db}
			db.backups = append(db.backups, bk)
			st.backups[b.ID] = bk
		}
		db.maint = append(db.maint, sd.Maintenance...)
		for _, r := range sd.FirewallRules {
			if err := db.rules.Add(r); err != nil {
				return fmt.Errorf("mockserver: seed firewall rule of %q: %w", d.ID, err)
			}
		}
		db.instances = sd.InstancesStatus
		if db.instances == nil {
			db.instances = defaultInstancesStatus(d.Instances)
		}
		if sd.Metrics != nil {
			db.metrics = *sd.Metrics
		} else {
			db.metrics = metrics.Default(d.Instances)
		}
		db.health = sd.Health
		if db.health == nil && d.TypeName == "elasticsearch" {
			pending := "0"
			db.health = &dbapi.Health{Epoch: fmt.Sprint(now.Unix()), Status: dbapi.HealthStatusGreen, Cluster: d.ResourceID, Shards: "10", PendingTasks: &pending}
		}
		db.engine = actions.NewState(d.ResourceID)
		if err := st.extra.loadDatabase(db, sd); err != nil {
			return err
		}
		st.dbs[d.ID] = db
		if d.ResourceID != "" {
			st.dbs[d.ResourceID] = db
		}
	}
	for _, v := range seed.TypeVersions {
		st.versions[v.ID] = v
	}
	st.ranges = append(st.ranges, seed.ManagedRanges...)
	st.extra.load(seed)
	return nil
}

func defaultInstancesStatus(instances []dbapi.Instance) []dbapi.InstanceStatus {
	out := make([]dbapi.InstanceStatus, 0, len(instances))
	leader := true
	for _, in := range instances {
		st := dbapi.InstanceStatus{ID: in.ID, Type: in.Type, Status: in.Status, Role: dbapi.InstanceStatusRoleEmpty}
		if in.Type == dbapi.InstanceTypeDBNode {
			if leader {
				st.Role = dbapi.InstanceStatusRoleLeader
				leader = false
			} else {
				st.Role = dbapi.InstanceStatusRoleFollower
			}
		}
		out = append(out, st)
	}
	return out
}

// backupView is the backup as the API shows it at now. Created backups follow the clock.
func (s *Server) backupView(b *backup, now time.Time) dbapi.Backup {
	v := b.b
	if !b.lifecycle {
		return v
	}
	start := v.CreatedAt.Add(s.cfg.backupScheduled)
	end := start.Add(s.cfg.backupRunning)
	switch {
	case now.Before(start):
		v.Status, v.StartedAt, v.Size = dbapi.BackupStatusScheduled, nil, nil
	case now.Before(end):
		v.Status, v.StartedAt, v.Size = dbapi.BackupStatusRunning, &start, nil
	case b.fails:
		v.Status, v.StartedAt, v.Size = dbapi.BackupStatusError, &start, nil
	default:
		size := archive.Size(v.ID)
		v.Status, v.StartedAt, v.Size = dbapi.BackupStatusDone, &start, &size
	}
	return v
}

// featuresView is the feature list of a database at now: a pending activation becomes ACTIVATED once
// the activation delay has passed.
func (s *Server) featuresView(db *database, now time.Time) []dbapi.Feature {
	out := make([]dbapi.Feature, 0, len(db.features))
	for _, f := range db.features {
		st := f.status
		if st == dbapi.FeatureStatusPENDINGTOACTIVATE && !now.Before(f.since.Add(s.cfg.featureActivation)) {
			st = dbapi.FeatureStatusACTIVATED
		}
		out = append(out, dbapi.Feature{Name: f.name, Status: st})
	}
	return out
}

// backupsCache is the listBackups body of a database, for as long as no backup is created and the
// clock brings no backup to another status: from the time it was built until the next such
// status change (forever when no backup of the list has one to come).
type backupsCache struct {
	body        *respond.List // nil after a create
	from, until time.Time
	forever     bool
}

// fresh tells whether the cached list still holds at now.
func (c *backupsCache) fresh(now time.Time) bool {
	return c.body != nil && !now.Before(c.from) && (c.forever || now.Before(c.until))
}
