package cli

import (
	"github.com/spf13/cobra"
)

// verbAliases returns the aliases of a verb the commands share with gh and
// kubectl: every command named by one of these verbs gets its aliases, so
// that the words of earlier versions (firewall add, firewall rm, database
// show) and of other tools keep working. (A switch, not a map: a map is
// built when the program starts, and every run would pay for it.)
func verbAliases(verb string) []string {
	switch verb {
	case "list":
		return []string{"ls"}
	case "get":
		return []string{"show"}
	case "create":
		return []string{"add"}
	case "delete":
		return []string{"rm", "remove"}
	}
	return nil
}

// addVerbAliases gives every command of the tree under c that is named by
// a verb verbAliases knows the aliases of that verb, except an alias that a
// sibling already uses as its name or alias.
func addVerbAliases(c *cobra.Command) {
	taken := map[string]bool{}
	for _, sub := range c.Commands() {
		taken[sub.Name()] = true
		for _, al := range sub.Aliases {
			taken[al] = true
		}
	}
	for _, sub := range c.Commands() {
		for _, al := range verbAliases(sub.Name()) {
			if !taken[al] {
				sub.Aliases = append(sub.Aliases, al)
				taken[al] = true
			}
		}
		addVerbAliases(sub)
	}
}
