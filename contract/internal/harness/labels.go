package harness

import (
	"fmt"
	"slices"
)

// Label is one label of the contract suite's closed label set. Specs take labels only through
// this type, so a typo cannot create a label that no filter knows about.
type Label string

// The labels of the suite: the kind of traffic a spec sends, its cost, and the resource it covers.
const (
	// ReadOnly marks a spec that sends only GET requests; it is safe against production.
	ReadOnly Label = "read-only"
	// Mutating marks a spec that sends anything but GET; it runs against a live target only with
	// DBAPI_ALLOW_WRITES=1.
	Mutating Label = "mutating"
	// Slow marks a spec that waits on an asynchronous state (a backup reaching done).
	Slow Label = "slow"
	// Unverified marks a spec of an operation whose shape is known from one client only (x-sources
	// in openapi.yaml): a nightly live run can leave them out with --label-filter='!unverified'.
	Unverified Label = "unverified"
	// Stateless marks a spec that holds against any server whose answers are valid by the spec,
	// even one that keeps no state (prism mock, Specmatic's stub): it asks for no round trip and
	// no unknown ID to be 404. --label-filter=stateless runs the contract checks alone.
	Stateless Label = "stateless"

	// The behaviour families, each generated from the spec (Schemathesis names the classes).

	// Auth: every secured operation refuses no token, a malformed token and a wrong token with 401,
	// and a token of another database with 403.
	Auth Label = "auth"
	// Negative: a request body that breaks one rule of its schema (or an x- rule) is refused with
	// the documented status, and the resource is unchanged.
	Negative Label = "negative"
	// Positive: what a write was asked is what the next read shows.
	Positive Label = "positive"
	// Lifecycle: a created resource is listed; a deleted one is 404 and no longer listed.
	Lifecycle Label = "lifecycle"
	// Paging: the pages of a list are disjoint, cover the total, and say which page they are.
	Paging Label = "paging"
	// Bytes: an archive has its backup's size, a range is that slice of it, a restore names its
	// source.
	Bytes Label = "bytes"

	// Databases covers getDatabase, updateDatabase, putDatabase and upgradeDatabase, and the
	// operations known from one client only getDatabaseOperation, getDatabasePlan, pingDatabase and
	// getCaCertificate.
	Databases Label = "databases"
	// Features covers enableDatabaseFeature and disableDatabaseFeature.
	Features Label = "features"
	// Actions covers runDatabaseAction.
	Actions Label = "actions"
	// PITR covers restoreDatabasePitr and getPitrRecoveryWindow.
	PITR Label = "pitr"
	// Users covers the database users operations.
	Users Label = "users"
	// Backups covers the backups operations, archive links, downloads and restorations included.
	Backups Label = "backups"
	// Maintenance covers listMaintenances and getMaintenance.
	Maintenance Label = "maintenance"
	// Instances covers getDatabaseInstancesStatus.
	Instances Label = "instances"
	// Metrics covers getDatabaseMetrics and getDatabaseHealth, and the metrics by type and the lag.
	Metrics Label = "metrics"
	// Logs covers getDatabaseLogsUrl and listDatabaseLogsArchives.
	Logs Label = "logs"
	// TypeVersions covers getDatabaseTypeVersion, and the database types and plans.
	TypeVersions Label = "type-versions"
	// Firewall covers the firewall rules and managed ranges operations.
	Firewall Label = "firewall"
)

// Labels returns the whole closed label set: traffic, cost and trust labels, the families, then
// the resources.
func Labels() []Label {
	return []Label{
		ReadOnly, Mutating, Slow, Unverified, Stateless,
		Auth, Negative, Positive, Lifecycle, Paging, Bytes,
		Databases, Features, Actions, PITR, Users, Backups, Maintenance,
		Instances, Metrics, Logs, TypeVersions, Firewall,
	}
}

// Resources returns the resource labels, one per Describe of the suite.
func Resources() []Label { return Labels()[slices.Index(Labels(), Databases):] }

// Families returns the labels of the behaviour families.
func Families() []Label { return []Label{Auth, Negative, Positive, Lifecycle, Paging, Bytes} }

// Valid reports whether l belongs to the closed label set.
func (l Label) Valid() bool {
	for _, k := range Labels() {
		if k == l {
			return true
		}
	}
	return false
}

// Strings converts labels to the plain strings that ginkgo.Label takes.
func Strings(ls ...Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = string(l)
	}
	return out
}

// TrafficLabel returns Mutating for any method but GET, and ReadOnly for GET.
func TrafficLabel(method string) Label {
	if method == "GET" {
		return ReadOnly
	}
	return Mutating
}

// ginkgoSerial is the label Ginkgo itself gives a spec decorated Serial (one that runs alone).
const ginkgoSerial = "Serial"

// CheckSpecLabels returns an error unless every label of a spec belongs to the closed set (or is
// Ginkgo's own Serial) and the spec carries exactly one of ReadOnly and Mutating, so that a
// read-only filter selects exactly the specs that send nothing but GET.
func CheckSpecLabels(spec string, labels []string) error {
	traffic := 0
	for _, l := range labels {
		if !Label(l).Valid() && l != ginkgoSerial {
			return fmt.Errorf("spec %q has label %q, which is not in the closed label set", spec, l)
		}
		if Label(l) == ReadOnly || Label(l) == Mutating {
			traffic++
		}
	}
	if traffic != 1 {
		return fmt.Errorf("spec %q must be labelled either %s or %s, has %v", spec, ReadOnly, Mutating, labels)
	}
	return nil
}
