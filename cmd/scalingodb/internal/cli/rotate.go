package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// maxPasswordFile bounds what is read of a password file: a password has
// at most 64 characters.
const maxPasswordFile = 4 << 10

const rotateLong = `Change the password of a user without ever losing it, for cron and other
unattended jobs. The new password is generated here (26 characters from
crypto/rand), or read from the first line of stdin with --password-stdin,
and then:

  1. written to FILE.new (mode 0600, synced to disk) before anything is sent;
  2. sent with the idempotent PATCH of 'users update', retried on a 5xx or a
     lost answer;
  3. once the API has taken it, FILE is copied to FILE.old and FILE.new is
     renamed over FILE, with the mode, owner and group FILE had.

Whatever fails, one file holds a password that works: FILE, while the API
has not taken the new one, or FILE.new, which the API may have taken; the
error says which. When FILE.new is left over, run the same command again:
it sends the password of FILE.new again (never a new one) and finishes.

'users reset-password' is not for unattended use: the API chooses the
password and shows it in its answer only, and that POST cannot be retried,
so a 5xx or a cut connection after the server changed the password leaves
a password that nobody holds.`

func usersRotateCmd(a *app) *cobra.Command {
	var (
		file  string
		stdin bool
	)
	cmd := &cobra.Command{
		Use:               "rotate-password NAME --password-file FILE",
		ValidArgsFunction: completeUsers(a),
		Short:             "Replace the password of a user with a new one kept in a file, safe for cron",
		Long:              rotateLong,
		Example: `  scalingodb users rotate-password reporting --password-file /etc/app/db-password
  # crontab: every Sunday at 03:00, then restart what reads the file
  0 3 * * 0  scalingodb users rotate-password reporting --password-file /etc/app/db-password -q && systemctl restart app
  pass show db/next | scalingodb users rotate-password reporting --password-file pw --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := scalingodb.ValidateUserName(name); err != nil {
				return err
			}
			c, db, err := a.Target(cmd)
			if err != nil {
				return err
			}
			return a.rotate(cmd, c, db, name, file, stdin)
		},
	}
	cmd.Flags().StringVar(&file, "password-file", "", "file that holds the password of the user (required); FILE.new and FILE.old are kept beside it")
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the new password from the first line of stdin instead of generating one")
	_ = cmd.MarkFlagRequired("password-file")
	return cmd
}

// rotate runs the steps of rotateLong.
func (a *app) rotate(cmd *cobra.Command, c *scalingodb.Client, db, name, file string, stdin bool) error {
	pending, old := file+".new", file+".old"
	what := fmt.Sprintf("cannot rotate the password of %s on %s", name, db)
	pw, resumed, err := readPasswordFile(pending)
	switch {
	case err != nil:
		return exit.Errf(err, "%s: cannot read %s", what, pending)
	case resumed && stdin:
		return exit.Usagef(cmd, "%s holds a password from an earlier run that the API may have taken: run the same command without --password-stdin to send it again, or remove %s if %s holds the password in effect", pending, pending, file)
	case resumed:
		if err := scalingodb.ValidatePassword(pw); err != nil {
			// Only a synced, valid password is ever sent: this one was
			// cut by a crash while it was written, or is not ours.
			return exit.Usagef(cmd, "%s does not hold a usable password (%s), so it was never sent: remove it and run again", pending, strings.TrimPrefix(err.Error(), "scalingodb: "))
		}
		a.Status("sending again the password of %s, left by an earlier run that did not finish", pending)
	default:
		if stdin {
			if pw, _, err = a.password(cmd, passwordFlags{stdin: true}, false); err != nil {
				return err
			}
		} else {
			pw = generatePassword()
		}
		if err := writeNewSecretFile(pending, pw); err != nil {
			return exit.Errf(err, "%s (nothing was sent): cannot write %s", what, pending)
		}
	}

	if _, err := c.Users.UpdatePassword(cmd.Context(), db, name, pw); err != nil {
		if refused(err) && !resumed {
			if rmErr := os.Remove(pending); rmErr != nil {
				return exit.Errf(err, "%s (%s still holds the password in effect: the API refused the change; remove %s)", what, file, pending)
			}
			return exit.Errf(err, "%s (%s still holds the password in effect: the API refused the change)", what, file)
		}
		return exit.Errf(err, "%s (%s holds the new password, which the API may have taken, and %s the previous one: run the same command again to send %s again)", what, pending, file, pending)
	}

	// The API holds the password of pending: keep the previous one, then
	// put the new one in place.
	hadOld, err := copySecretFile(file, old)
	if err != nil {
		return exit.Errf(err, "the password of %s on %s changed to the one in %s, but %s could not be kept in %s: move %s over %s", name, db, pending, file, old, pending, file)
	}
	keepMode(pending, file)
	if err := os.Rename(pending, file); err != nil {
		return exit.Errf(err, "the password of %s on %s changed to the one in %s, which could not be renamed: move %s over %s", name, db, pending, pending, file)
	}
	_ = syncDir(filepath.Dir(file))
	if hadOld {
		a.Status("rotated the password of %s on %s: %s holds the new one, %s the previous one", name, db, file, old)
	} else {
		a.Status("rotated the password of %s on %s: %s holds it", name, db, file)
	}
	return nil
}

// refused reports whether err says the API did not take the password: a
// check that failed before sending, or an answer of the API that refuses
// the request (a 4xx other than 408 and 429). Anything else (a 5xx after
// the retries, a lost answer, an interruption) leaves the outcome unknown.
func refused(err error) bool {
	if errors.Is(err, scalingodb.ErrOutcomeUnknown) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ve *scalingodb.InvalidInputError
	if errors.As(err, &ve) {
		return true
	}
	var ae *scalingodb.APIError
	if errors.As(err, &ae) {
		s := ae.StatusCode
		return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
	}
	return false
}

// readPasswordFile returns the first line of path, and false when path
// does not exist.
func readPasswordFile(path string) (scalingodb.Secret, bool, error) {
	b, exists, err := readSecretFile(path)
	if err != nil || !exists {
		return scalingodb.Secret{}, false, err
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return scalingodb.NewSecret(string(bytes.TrimRight(line, "\r"))), true, nil
}

// readSecretFile returns what path holds, refusing more than
// maxPasswordFile bytes, and false when path does not exist.
func readSecretFile(path string) (b []byte, exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err = io.ReadAll(io.LimitReader(f, maxPasswordFile+1))
	if err != nil {
		return nil, true, err
	}
	if len(b) > maxPasswordFile {
		return nil, true, fmt.Errorf("%s is larger than %d bytes: not a password file", path, maxPasswordFile)
	}
	return b, true, nil
}

// writeNewSecretFile creates path, which must not exist, with mode 0600,
// writes pw and a newline and syncs the file and its folder, so that the
// password is on disk before it is sent. On failure path is removed.
func writeNewSecretFile(path string, pw scalingodb.Secret) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	if _, err = io.WriteString(f, pw.Reveal()+"\n"); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	_ = syncDir(filepath.Dir(path))
	return nil
}

// copySecretFile replaces dst with a copy of src (mode 0600) through a
// synced temporary file, and reports whether src existed.
func copySecretFile(src, dst string) (bool, error) {
	b, exists, err := readSecretFile(src)
	if err != nil || !exists {
		return exists, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return true, err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return true, err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return true, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return true, err
	}
	if err := tmp.Close(); err != nil {
		return true, err
	}
	return true, os.Rename(tmp.Name(), dst)
}

// keepMode gives pending the permissions, the owner and the group of file,
// when file exists, so that what reads the password (an application that
// owns the file, or in its group) still can once pending is renamed over
// it. All are best effort: pending stays 0600 and the user's when they fail.
func keepMode(pending, file string) {
	fi, err := os.Stat(file)
	if err != nil {
		return
	}
	if err := os.Chmod(pending, fi.Mode().Perm()); err != nil {
		return
	}
	chownAs(pending, fi)
}

// chown is os.Chown; tests replace it.
var chown = os.Chown

// syncDir makes the creation or renaming of a file in dir durable; some
// systems cannot sync a folder, which is not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
