package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// pages returns the help of c and of every command under it (usage,
// aliases, flags, examples and subcommands), by command path.
func pages(c *cobra.Command) map[string]string {
	out := map[string]string{c.CommandPath(): c.Short + "\n" + c.Long + "\n" + c.UsageString()}
	for _, sub := range c.Commands() {
		for k, v := range pages(sub) {
			out[k] = v
		}
	}
	return out
}

// TestTopCommand_SameSubtree checks that building only the command a run
// starts with gives the same commands, flags and help as the whole tree.
func TestTopCommand_SameSubtree(t *testing.T) {
	full := NewRootForDocs()
	for _, e := range commands {
		t.Run(e.name, func(t *testing.T) {
			a := &app{io: &IO{Getenv: func(string) string { return "" }}}
			root := newRoot(a, e.name)
			if n := len(root.Commands()); n != 1 {
				t.Fatalf("the partial tree has %d top-level commands, want 1", n)
			}
			sub, _, err := root.Find([]string{e.name})
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := full.Find([]string{e.name})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(pages(want), pages(sub)); diff != "" {
				t.Errorf("the subtree differs (-full +partial):\n%s", diff)
			}
		})
	}
}

func TestTopCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"version"}, "version"},
		{[]string{"users", "list"}, "users"},
		{[]string{"--database", "users", "users"}, ""},
		{[]string{"help", "users"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "users", ""}, ""},
		{[]string{"nosuch"}, ""},
	} {
		if got := topCommand(tc.args); got != tc.want {
			t.Errorf("topCommand(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
