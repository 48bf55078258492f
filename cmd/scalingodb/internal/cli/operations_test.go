package cli

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// specOperations returns the operationIds of the embedded spec.
func specOperations(t *testing.T) []string {
	t.Helper()
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatalf("GetSpec: %v", err)
	}
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, o := range item.Operations() {
			ids = append(ids, o.OperationID)
		}
	}
	sort.Strings(ids)
	return ids
}

// runnable returns the paths (without the root's name) of the commands
// that run something.
func runnable(root *cobra.Command) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c != root {
			out = append(out, strings.TrimPrefix(c.CommandPath(), root.Name()+" "))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	sort.Strings(out)
	return out
}

// checkOperations lists what is wrong between the spec's operations, the
// table of commands and the commands of the tree.
func checkOperations(spec []string, table map[string][]string, commands []string, offline map[string]bool) []string {
	var problems []string
	covered := map[string]bool{}
	for cmd, ops := range table {
		if !slices.Contains(commands, cmd) {
			problems = append(problems, "table names command "+cmd+", which does not exist")
		}
		for _, op := range ops {
			covered[op] = true
			if !slices.Contains(spec, op) {
				problems = append(problems, "command "+cmd+" names operation "+op+", which the spec does not have")
			}
		}
	}
	for _, op := range spec {
		if !covered[op] {
			problems = append(problems, "operation "+op+" has no command")
		}
	}
	for _, cmd := range commands {
		if _, ok := table[cmd]; !ok && !offline[strings.Fields(cmd)[0]] {
			problems = append(problems, "command "+cmd+" is not in the table")
		}
	}
	sort.Strings(problems)
	return problems
}

func TestEveryOperationHasACommand(t *testing.T) {
	spec := specOperations(t)
	if len(spec) < 31 {
		t.Errorf("the spec has %d operations, want at least 31: is it read?", len(spec))
	}
	commands := runnable(NewRootForDocs())
	if problems := checkOperations(spec, operationTable, commands, offline); len(problems) > 0 {
		t.Errorf("commands and operations disagree:\n%s", strings.Join(problems, "\n"))
	}
}

// TestCheckOperations_FailsOnGaps proves the check catches an operation
// without a command, a table entry without a command, a command missing
// from the table and an operation the spec does not have.
func TestCheckOperations_FailsOnGaps(t *testing.T) {
	spec := []string{"getDatabase", "listBackups", "listDatabaseUsers"}
	table := map[string][]string{
		"database show": {"getDatabase"},
		"backups list":  {"listBackups", "listBackupz"},
		"backups gone":  {"listBackups"},
	}
	commands := []string{"backups list", "database show", "users list", "version"}
	got := checkOperations(spec, table, commands, map[string]bool{"version": true})
	want := []string{
		"command backups list names operation listBackupz, which the spec does not have",
		"command users list is not in the table",
		"operation listDatabaseUsers has no command",
		"table names command backups gone, which does not exist",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got := checkOperations(spec[:1], map[string][]string{"database show": {"getDatabase"}}, []string{"database show"}, nil); len(got) != 0 {
		t.Errorf("a consistent table reports %v", got)
	}
}
