package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/run"
)

func versionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of scalingodb",
		Example: "  scalingodb version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(a.IO.Out, "scalingodb %s (%s, %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
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
				return root.GenBashCompletionV2(a.IO.Out, true)
			case "zsh":
				return root.GenZshCompletion(a.IO.Out)
			default:
				return root.GenFishCompletion(a.IO.Out, true)
			}
		},
	}
}

// NewRootForDocs returns the whole command tree, with the help that an
// empty environment gives, for cmd/scalingodb/gendocs, which writes its
// Markdown reference (docs/cli) with cobra/doc. The generator is a
// separate program so that the tool does not link cobra/doc.
func NewRootForDocs() *cobra.Command {
	a := &app{State: &run.State{IO: &IO{Getenv: func(string) string { return "" }}, Version: Version}}
	return newRoot(a)
}
