package cli

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/output"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// passwordFlags are the ways to give a password.
type passwordFlags struct {
	stdin, generate bool
}

func (p *passwordFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&p.stdin, "password-stdin", false, "read the password from the first line of stdin")
	cmd.Flags().BoolVar(&p.generate, "generate-password", false, "generate a random password (26 characters) and print it once")
	cmd.MarkFlagsMutuallyExclusive("password-stdin", "generate-password")
}

// generatePassword returns a random password that keeps the 24 to 64
// characters rule: 26 characters of base32, 130 bits from crypto/rand.
func generatePassword() scalingodb.Secret {
	return scalingodb.NewSecret(rand.Text())
}

// password returns the password given by the flags, or typed at a prompt
// without echo when stdin is a terminal. optional allows an empty answer
// (the API then generates the password); generated says whether the tool
// made it up (and so must print it). Nothing is printed to stderr but the
// prompt.
func (a *app) password(cmd *cobra.Command, p passwordFlags, optional bool) (pw scalingodb.Secret, generated bool, err error) {
	switch {
	case p.generate:
		return generatePassword(), true, nil
	case p.stdin:
		if a.IO.InTTY {
			// What is typed there is echoed: the password would show.
			return scalingodb.Secret{}, false, exit.Usagef(cmd, "--password-stdin reads a pipe, not a terminal, where the password would show as you type it: pipe it in")
		}
		line, err := bufio.NewReader(a.IO.In).ReadString('\n')
		if err != nil && line == "" {
			return scalingodb.Secret{}, false, exit.Usagef(cmd, "--password-stdin: no password on stdin")
		}
		pw = scalingodb.NewSecret(strings.TrimRight(line, "\r\n"))
	case a.IO.InTTY && a.IO.ReadPassword != nil:
		prompt := "Password: "
		if optional {
			prompt = "Password (empty: the API generates one): "
		}
		first, err := a.prompt(cmd, prompt)
		if err != nil {
			return scalingodb.Secret{}, false, err
		}
		if first.IsZero() && optional {
			return scalingodb.Secret{}, false, nil
		}
		if err := scalingodb.ValidatePassword(first); err != nil {
			return scalingodb.Secret{}, false, err
		}
		again, err := a.prompt(cmd, "Password again: ")
		if err != nil {
			return scalingodb.Secret{}, false, err
		}
		if !again.Equal(first) {
			return scalingodb.Secret{}, false, &exit.UsageError{Msg: "the two passwords differ"}
		}
		pw = first
	case optional:
		return scalingodb.Secret{}, false, nil
	default:
		return scalingodb.Secret{}, false, exit.Usagef(cmd, "no password given: pass --password-stdin or --generate-password (stdin is not a terminal)")
	}
	if err := scalingodb.ValidatePassword(pw); err != nil {
		return scalingodb.Secret{}, false, err
	}
	return pw, false, nil
}

// prompt asks for a secret on the terminal (IO.PromptTo) and reads it
// without echo, until the command's context ends (Ctrl-C).
func (a *app) prompt(cmd *cobra.Command, text string) (scalingodb.Secret, error) {
	ask := a.IO.PromptTo()
	if ask == nil {
		return scalingodb.Secret{}, exit.Usagef(cmd, "no terminal to ask for the password on (stderr is not one): pass --password-stdin or --generate-password")
	}
	fmt.Fprint(ask, text)
	b, err := a.IO.ReadPassword(cmd.Context())
	fmt.Fprintln(ask)
	if err != nil {
		return scalingodb.Secret{}, fmt.Errorf("read password: %w", err)
	}
	return scalingodb.NewSecret(strings.TrimRight(string(b), "\r\n")), nil
}

// printPasswordSet prints a user whose password was just set: with the
// password when the API or the tool generated it (shown this once), else
// only that it was set, with the given word ("set", "updated"). A password
// the user typed or piped is never printed back.
func (a *app) printPasswordSet(format string, u *scalingodb.DatabaseUser, generated bool, word string) error {
	if generated {
		return a.printWithPassword(format, u)
	}
	return a.Print(format, output.Result{
		JSON:   viewUser(u, false),
		Header: []string{"NAME", "READ-ONLY", "PASSWORD"},
		Rows:   [][]string{{u.Name, strconv.FormatBool(u.ReadOnly), word}},
		Names:  []string{u.Name},
	})
}
