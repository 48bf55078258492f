package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
)

// verbProblems lists what breaks the verb rules in the tree under root: a
// command named by a verb of verbAliases without the aliases of that verb,
// two siblings answering to one word, a --yes flag without -y.
func verbProblems(root *cobra.Command) []string {
	var problems []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("yes"); f != nil && f.Shorthand != "y" {
			problems = append(problems, c.CommandPath()+": --yes has no -y")
		}
		seen := map[string]string{}
		for _, sub := range c.Commands() {
			for _, w := range append([]string{sub.Name()}, sub.Aliases...) {
				if other, ok := seen[w]; ok {
					problems = append(problems, c.CommandPath()+": "+w+" names both "+other+" and "+sub.Name())
				}
				seen[w] = sub.Name()
			}
			for _, al := range verbAliases(sub.Name()) {
				if !slices.Contains(sub.Aliases, al) {
					problems = append(problems, sub.CommandPath()+": no alias "+al)
				}
			}
			walk(sub)
		}
	}
	walk(root)
	return problems
}

// TestVerbs walks the whole tree: every list, get, create and delete has
// the aliases of its verb, no word names two commands, every --yes has -y.
func TestVerbs(t *testing.T) {
	root := NewRootForDocs()
	if p := verbProblems(root); len(p) > 0 {
		t.Errorf("the command tree breaks the verb rules:\n%q", p)
	}
	// the words of earlier versions still reach their command
	for old, now := range map[string]string{
		"firewall add": "create", "firewall rm": "delete", "database show": "get",
		"users rm": "delete", "users add": "create", "backups ls": "list",
	} {
		c, _, err := root.Find(strings.Fields(old))
		if err != nil || c.Name() != now {
			t.Errorf("%q finds %v (%v), want the %s command", old, c.CommandPath(), err, now)
		}
	}
}

// TestVerbProblems_FailsOnBadTrees proves the check catches each break.
func TestVerbProblems_FailsOnBadTrees(t *testing.T) {
	noop := func(*cobra.Command, []string) error { return nil }
	for _, tc := range []struct {
		name  string
		build func() *cobra.Command
	}{
		{"delete without rm", func() *cobra.Command {
			root := &cobra.Command{Use: "x"}
			root.AddCommand(&cobra.Command{Use: "delete", RunE: noop})
			return root
		}},
		{"two commands, one word", func() *cobra.Command {
			root := &cobra.Command{Use: "x"}
			root.AddCommand(&cobra.Command{Use: "drop", Aliases: []string{"rm"}, RunE: noop}, &cobra.Command{Use: "rm", RunE: noop})
			return root
		}},
		{"--yes without -y", func() *cobra.Command {
			root := &cobra.Command{Use: "x"}
			c := &cobra.Command{Use: "purge", RunE: noop}
			c.Flags().Bool("yes", false, "")
			root.AddCommand(c)
			return root
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := verbProblems(tc.build()); len(p) == 0 {
				t.Error("a bad tree passes the check")
			}
		})
	}
	ok := &cobra.Command{Use: "x"}
	del := &cobra.Command{Use: "delete", RunE: noop}
	run.AddYesFlag(del, new(bool))
	ok.AddCommand(del)
	addVerbAliases(ok)
	if p := verbProblems(ok); len(p) > 0 {
		t.Errorf("a good tree fails the check: %q", p)
	}
}
