package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func completeUsers(a *app) cobra.CompletionFunc {
	return a.CompleteFirst(func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		us, err := c.Users.List(ctx, db)
		var out []string
		for _, u := range us {
			if !u.Protected {
				out = append(out, output.Cell(u.Name))
			}
		}
		return out, err
	})
}

func completeFirewallRules(a *app) cobra.CompletionFunc {
	return a.CompleteFirst(func(ctx context.Context, c *scalingodb.Client, db string) ([]string, error) {
		rs, err := c.Firewall.List(ctx, db)
		var out []string
		for _, r := range rs {
			out = append(out, output.Cell(r.ID)+"\t"+output.Cell(string(r.Type)+" "+r.CIDR+r.RangeID))
		}
		return out, err
	})
}
