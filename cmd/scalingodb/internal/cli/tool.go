package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
)

func versionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of scalingodb",
		Example: "  scalingodb version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.io.Out, "scalingodb %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

func completionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print the shell completion script for bash, zsh or fish",
		Long: `Print the completion script of a shell. To load completions:

  bash:  source <(scalingodb completion bash)
         needs the bash-completion package (version 2: apt install
         bash-completion, brew install bash-completion@2) loaded by ~/.bashrc;
         to load it in every session, write the script to
         ~/.local/share/bash-completion/completions/scalingodb
  zsh:   scalingodb completion zsh > "${fpath[1]}/_scalingodb"
         needs "autoload -U compinit; compinit" in ~/.zshrc (oh-my-zsh and
         most frameworks do it); start a new shell afterwards
  fish:  scalingodb completion fish > ~/.config/fish/completions/scalingodb.fish
         needs nothing else; new shells load it`,
		Example:   "  source <(scalingodb completion bash)",
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(a.io.Out, true)
			case "zsh":
				return root.GenZshCompletion(a.io.Out)
			default:
				return root.GenFishCompletion(a.io.Out, true)
			}
		},
	}
}

// docsPrefix is the file name prefix of the generated reference.
const docsPrefix = "scalingodb"

func docsCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Write the Markdown reference of every command into a folder",
		Long: `Write the Markdown reference of every command, one file per command, into
--dir (default docs/cli). Files of commands that no longer exist are removed.`,
		Example: "  scalingodb docs --dir docs/cli",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := WriteDocs(cmd.Root(), dir); err != nil {
				return fmt.Errorf("cannot write the reference: %w", err)
			}
			a.status("wrote the reference of every command to %s", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "docs/cli", "folder to write the reference to")
	return cmd
}

// WriteDocs writes the Markdown reference of root and its commands into
// dir, one file per command, replacing the files of an earlier run. It is
// written here rather than with cobra/doc, whose package also links a man
// page renderer and a YAML library that every start of the tool would
// initialise (about a thousand allocations).
func WriteDocs(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, docsPrefix+"*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	var write func(c *cobra.Command) error
	write = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root {
			return nil
		}
		if err := os.WriteFile(filepath.Join(dir, docFile(c)), []byte(markdown(c)), 0o644); err != nil {
			return err
		}
		for _, sub := range c.Commands() {
			if err := write(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return write(root)
}

// docFile is the file name of a command's page.
func docFile(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

// markdown is the reference page of one command.
func markdown(c *cobra.Command) string {
	var b strings.Builder
	b.WriteString("## " + c.CommandPath() + "\n\n" + c.Short + "\n\n")
	if c.Long != "" {
		b.WriteString("### Synopsis\n\n" + c.Long + "\n\n")
	}
	if c.Runnable() {
		b.WriteString("```\n" + c.UseLine() + "\n```\n\n")
	}
	if c.Example != "" {
		b.WriteString("### Examples\n\n```\n" + c.Example + "\n```\n\n")
	}
	c.InitDefaultHelpFlag()
	if f := c.NonInheritedFlags(); f.HasAvailableFlags() {
		b.WriteString("### Options\n\n```\n" + f.FlagUsages() + "```\n\n")
	}
	if f := c.InheritedFlags(); f.HasAvailableFlags() {
		b.WriteString("### Options inherited from parent commands\n\n```\n" + f.FlagUsages() + "```\n\n")
	}
	var see []string
	if p := c.Parent(); p != nil {
		see = append(see, fmt.Sprintf("* [%s](%s) - %s", p.CommandPath(), docFile(p), p.Short))
	}
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			see = append(see, fmt.Sprintf("* [%s](%s) - %s", sub.CommandPath(), docFile(sub), sub.Short))
		}
	}
	if len(see) > 0 {
		b.WriteString("### See also\n\n" + strings.Join(see, "\n") + "\n")
	}
	return b.String()
}

// NewRootForDocs returns the command tree, for tools that generate its reference.
func NewRootForDocs() *cobra.Command {
	a := &app{io: &IO{Getenv: func(string) string { return "" }}}
	return newRoot(a, "")
}
