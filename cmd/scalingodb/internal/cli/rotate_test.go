package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// TestPasswordFiles checks the new file (0600, never over an existing
// one), its first line read back, and the bound on what is read.
func TestPasswordFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pw.new")
	if err := writeNewSecretFile(p, scalingodb.NewSecret("correct-horse-battery-staple-42")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if err := writeNewSecretFile(p, scalingodb.NewSecret("another-password-of-24-chars")); err == nil {
		t.Error("an existing file was overwritten")
	}
	pw, ok, err := readPasswordFile(p)
	if err != nil || !ok || pw.Reveal() != "correct-horse-battery-staple-42" {
		t.Errorf("read back %v %v", ok, err)
	}
	if _, ok, err := readPasswordFile(filepath.Join(dir, "none")); ok || err != nil {
		t.Errorf("a missing file: %v %v", ok, err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, maxPasswordFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readPasswordFile(big); err == nil {
		t.Error("a file larger than the bound was read")
	}
	had, err := copySecretFile(p, filepath.Join(dir, "pw.old"))
	if err != nil || !had {
		t.Fatalf("copy: %v %v", had, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "pw.old")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("copy mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if had, err := copySecretFile(filepath.Join(dir, "none"), filepath.Join(dir, "x.old")); had || err != nil {
		t.Errorf("copy of a missing file: %v %v", had, err)
	}
	if _, err := copySecretFile(big, filepath.Join(dir, "big.old")); err == nil {
		t.Error("a file larger than the bound was copied")
	}
	if _, err := os.Stat(filepath.Join(dir, "big.old")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy of a file larger than the bound exists: %v", err)
	}
}

// TestRefused checks which failures of the PATCH prove that the API did not
// take the password (FILE.new is then removed) and which leave it unknown.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"404", &scalingodb.APIError{StatusCode: 404}, true},
		{"403 wrapped", fmt.Errorf("x: %w", &scalingodb.APIError{StatusCode: 403}), true},
		{"422", &scalingodb.APIError{StatusCode: 422}, true},
		{"invalid password", &scalingodb.InvalidInputError{Field: "password"}, true},
		{"408", &scalingodb.APIError{StatusCode: 408}, false},
		{"429", &scalingodb.APIError{StatusCode: 429}, false},
		{"502", &scalingodb.APIError{StatusCode: 502}, false},
		{"outcome unknown", &scalingodb.OutcomeUnknownError{}, false},
		{"interrupted", context.Canceled, false},
		{"timed out", fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{"network", errors.New("connection reset by peer"), false},
	} {
		if got := refused(tc.err); got != tc.want {
			t.Errorf("%s: refused = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestKeepMode checks what FILE.new gets of FILE before it is renamed
// over it: FILE's permissions, and its owner and group (a file that root's
// cron rotates for an application's user must stay that user's), the
// group alone when the owner cannot be given (not root).
func TestKeepMode(t *testing.T) {
	defer func(f func(string, int, int) error) { chown = f }(chown)
	for _, tc := range []struct {
		name   string
		refuse bool // chown to another owner fails, as it does for a user
		want   []string
		mode   os.FileMode
		noFile bool
	}{
		{"root", false, []string{"owner", "group"}, 0o640, false},
		{"a user", true, []string{"owner", "group", "group only"}, 0o604, false},
		{"no file yet", false, nil, 0o600, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file, pending := filepath.Join(dir, "pw"), filepath.Join(dir, "pw.new")
			if err := os.WriteFile(pending, []byte("x\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if !tc.noFile {
				if err := os.WriteFile(file, []byte("y\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(file, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			var calls []string
			chown = func(path string, uid, gid int) error {
				if path != pending {
					t.Errorf("chown of %s", path)
				}
				switch {
				case uid >= 0 && gid >= 0:
					calls = append(calls, "owner", "group")
					if tc.refuse {
						return os.ErrPermission
					}
				case uid == -1 && gid >= 0:
					calls = append(calls, "group only")
				}
				return nil
			}
			keepMode(pending, file)
			if fmt.Sprint(calls) != fmt.Sprint(tc.want) {
				t.Errorf("chown calls %v, want %v", calls, tc.want)
			}
			fi, err := os.Stat(pending)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.mode {
				t.Errorf("mode %04o, want %04o", fi.Mode().Perm(), tc.mode)
			}
		})
	}
}
