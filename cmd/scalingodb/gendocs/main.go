// Command gendocs writes docs/cli, the Markdown reference of every command
// of scalingodb, with cobra/doc: one file per command, named after its
// path (scalingodb_users_list.md), and removes the files of commands that
// no longer exist. It is a program of its own so that the scalingodb
// binary does not link cobra/doc and its Markdown and man page renderers.
//
//	go run ./cmd/scalingodb/gendocs -dir docs/cli
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/cli"
)

// prefix starts the name of every file the generator writes; the files of
// dir with this prefix are the generator's, and are replaced.
const prefix = "scalingodb"

func main() {
	dir := flag.String("dir", "docs/cli", "folder to write the reference to")
	quiet := flag.Bool("q", false, "print nothing on success")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "gendocs: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := write(cli.NewRootForDocs(), *dir); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs: cannot write the reference:", err)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Fprintln(os.Stderr, "wrote the reference of every command to", *dir)
	}
}

// write writes the Markdown reference of root and of every command under
// it into dir, after removing the pages of an earlier run (so that the
// page of a removed command goes too). Pages carry no date, so that a run
// on unchanged commands changes no file.
func write(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, prefix+"*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	prepare(root)
	return doc.GenMarkdownTree(root, dir)
}

// prepare drops the "Auto generated ... on DATE" line of every page, and
// names the aliases of a command in its synopsis, which cobra/doc leaves
// out (firewall delete answers to rm and remove).
func prepare(c *cobra.Command) {
	c.DisableAutoGenTag = true
	if len(c.Aliases) > 0 {
		long := c.Long
		if long == "" {
			long = c.Short + "."
		}
		c.Long = long + "\n\nAliases: " + strings.Join(c.Aliases, ", ")
	}
	for _, sub := range c.Commands() {
		prepare(sub)
	}
}
