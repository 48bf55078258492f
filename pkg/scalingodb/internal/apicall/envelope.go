package apicall

// envelope returns what an answer wrapped in {"<key>": …} decodes into, and
// where the *T it holds lands: one pass of encoding/json, no allocation but
// the wrapper. It knows the keys of the operation table
// (TestEnvelope_KnowsEveryKeyOfTheTable) and returns nil for any other.
//
// A struct type per key, rather than one built by reflect.StructOf, keeps
// reflect's type builder out of the programs that link the client: 48 KB of
// the quick start's binary (BenchmarkQuickstart).
func envelope[T any](key string) (any, **T) {
	switch key {
	case "backup_restoration":
		w := new(struct {
			V *T `json:"backup_restoration"`
		})
		return w, &w.V
	case "database":
		w := new(struct {
			V *T `json:"database"`
		})
		return w, &w.V
	case "database-users":
		w := new(struct {
			V *T `json:"database-users"`
		})
		return w, &w.V
	case "database_backup":
		w := new(struct {
			V *T `json:"database_backup"`
		})
		return w, &w.V
	case "database_backups":
		w := new(struct {
			V *T `json:"database_backups"`
		})
		return w, &w.V
	case "database_type":
		w := new(struct {
			V *T `json:"database_type"`
		})
		return w, &w.V
	case "database_type_version":
		w := new(struct {
			V *T `json:"database_type_version"`
		})
		return w, &w.V
	case "database_types":
		w := new(struct {
			V *T `json:"database_types"`
		})
		return w, &w.V
	case "database_user":
		w := new(struct {
			V *T `json:"database_user"`
		})
		return w, &w.V
	case "operation":
		w := new(struct {
			V *T `json:"operation"`
		})
		return w, &w.V
	case "plan":
		w := new(struct {
			V *T `json:"plan"`
		})
		return w, &w.V
	case "ranges":
		w := new(struct {
			V *T `json:"ranges"`
		})
		return w, &w.V
	case "recovery_window":
		w := new(struct {
			V *T `json:"recovery_window"`
		})
		return w, &w.V
	case "rule":
		w := new(struct {
			V *T `json:"rule"`
		})
		return w, &w.V
	case "rules":
		w := new(struct {
			V *T `json:"rules"`
		})
		return w, &w.V
	}
	return nil, nil
}
