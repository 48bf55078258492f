package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// completeFirst completes the first argument of a command with what list
// returns ("value\tdescription"), asking the API with the settings given
// so far; any failure completes nothing.
func completeFirst(a *app, list func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, db, err := a.target(cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
		defer cancel()
		values, err := list(ctx, c, db)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func completeBackups(a *app) cobra.CompletionFunc {
	return completeFirst(a, func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		bs, err := c.Backups.List(ctx, db)
		var out []string
		for _, b := range bs {
			out = append(out, cell(b.ID)+"\t"+cell(b.Name+" "+string(b.Status)))
		}
		return out, err
	})
}

func completeUsers(a *app) cobra.CompletionFunc {
	return completeFirst(a, func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		us, err := c.Users.List(ctx, db)
		var out []string
		for _, u := range us {
			if !u.Protected {
				out = append(out, cell(u.Name))
			}
		}
		return out, err
	})
}

func completeFirewallRules(a *app) cobra.CompletionFunc {
	return completeFirst(a, func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		rs, err := c.Firewall.List(ctx, db)
		var out []string
		for _, r := range rs {
			out = append(out, cell(r.ID)+"\t"+cell(string(r.Type)+" "+r.CIDR+r.RangeID))
		}
		return out, err
	})
}
