package run

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// TestStatus_StripsControls prints a status line with server text: no
// character a terminal would act on reaches stderr, and it stays one line.
func TestStatus_StripsControls(t *testing.T) {
	const hostile = "a\x1b[31mred\x1b]0;title\x07\r\nb\x7f\u009b\u202ez"
	var errb bytes.Buffer
	s := &State{IO: &IO{Err: &errb}}
	s.Status("backup %s: %s", "b1", hostile)
	for _, r := range errb.String() {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e) {
			t.Errorf("%U reaches stderr: %q", r, errb.String())
		}
	}
	if !strings.HasSuffix(errb.String(), "z\n") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("not one line: %q", errb.String())
	}
}

// TestStatus_Timestamps checks that status lines start with an RFC 3339
// timestamp when stderr is not a terminal, and are bare on a terminal.
func TestStatus_Timestamps(t *testing.T) {
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) backup b1: running\n$`)
	for _, tty := range []bool{false, true} {
		var errOut bytes.Buffer
		s := &State{IO: &IO{Err: &errOut, ErrTTY: tty}}
		s.Status("backup %s: %s", "b1", "running")
		got := errOut.String()
		if tty && got != "backup b1: running\n" {
			t.Errorf("on a terminal: %q", got)
		}
		if !tty && !stamp.MatchString(got) {
			t.Errorf("without a terminal: %q has no RFC 3339 timestamp", got)
		}
	}
}

// TestColor_Precedence checks --no-color against NO_COLOR: the flag,
// given either way, wins over the variable, which wins over the default
// (colour), as no-color.org asks of command-line arguments.
func TestColor_Precedence(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", true},
		{nil, "1", false},
		{[]string{"--no-color"}, "", false},
		{[]string{"--no-color=false"}, "1", true},
		{[]string{"--no-color=true"}, "1", false},
	} {
		s := &State{IO: &IO{Getenv: func(k string) string {
			if k == env.NoColor {
				return tc.env
			}
			return ""
		}}}
		fs := pflag.NewFlagSet("scalingodb", pflag.ContinueOnError)
		s.AddGlobalFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := s.Color(); got != tc.want {
			t.Errorf("%q with NO_COLOR=%q: colour %v, want %v", tc.args, tc.env, got, tc.want)
		}
	}
}

// TestDelete checks the run of a delete command: without -y and a
// terminal nothing is deleted; with it the thing is deleted and the status
// line says so, or the error names what could not be deleted.
func TestDelete(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		delErr     error
		deleted    bool
		wantErr    string
		wantStatus string
	}{
		{"no --yes", []string{"u1"}, nil, false, "delete user u1 of db1?: pass --yes to confirm", ""},
		{"deleted", []string{"u1", "--yes"}, nil, true, "", "deleted user u1 of db1\n"},
		{"refused", []string{"u1", "-y"}, errors.New("403 forbidden"), true, "cannot delete user u1 of db1", ""},
		{"no name", []string{"-y"}, nil, false, "accepts 1 arg(s)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			vars := map[string]string{env.Database: "db1"}
			s := &State{IO: &IO{In: strings.NewReader(""), Err: &errb, ErrTTY: true, Getenv: func(k string) string { return vars[k] }},
				Client: &scalingodb.Client{}}
			deleted := false
			cmd := s.Delete(&cobra.Command{Use: "delete NAME", SilenceErrors: true, SilenceUsage: true}, "user",
				func(_ context.Context, _ *scalingodb.Client, db, id string) error {
					if db != "db1" || id != "u1" {
						t.Errorf("deletes %s of %s, want u1 of db1", id, db)
					}
					deleted = true
					return tc.delErr
				})
			cmd.SetArgs(tc.args)
			err := cmd.Execute()
			if deleted != tc.deleted {
				t.Errorf("deleted %t, want %t", deleted, tc.deleted)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one that says %q", err, tc.wantErr)
			}
			if errb.String() != tc.wantStatus {
				t.Errorf("stderr %q, want %q", errb.String(), tc.wantStatus)
			}
		})
	}
}

// TestClients checks the clients the credentials give: one client for
// every addon with a bearer token, a client per addon with
// SCALINGO_API_TOKEN, and neither without credentials.
func TestClients(t *testing.T) {
	for _, tc := range []struct {
		name              string
		vars              map[string]string
		bearer, apiToken  bool
		sameForEveryAddon bool
	}{
		{"bearer token", map[string]string{env.Token: "t", env.APIToken: "tk-us-x"}, true, true, true},
		{"API token", map[string]string{env.APIToken: "tk-us-x"}, false, true, false},
		{"none", map[string]string{}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &State{IO: &IO{Getenv: func(k string) string { return tc.vars[k] }}}
			cmd := &cobra.Command{Use: "x"}
			s.AddGlobalFlags(cmd.Flags())
			clients, err := s.Clients(cmd)
			if err != nil {
				t.Fatal(err)
			}
			if clients.HasBearer() != tc.bearer || clients.HasAPIToken() != tc.apiToken {
				t.Fatalf("HasBearer %t, HasAPIToken %t, want %t, %t", clients.HasBearer(), clients.HasAPIToken(), tc.bearer, tc.apiToken)
			}
			if !tc.bearer && !tc.apiToken {
				return
			}
			a, errA := clients.For("my-app", "ad-1")
			b, errB := clients.For("my-app", "ad-2")
			if errA != nil || errB != nil {
				t.Fatalf("For: %v, %v", errA, errB)
			}
			if (a == b) != tc.sameForEveryAddon {
				t.Errorf("the two addons share a client: %t, want %t", a == b, tc.sameForEveryAddon)
			}
		})
	}
}

// TestConfirm_NowhereToAsk: stdin is a terminal but no terminal can show
// the question (stderr is not one, and no other was found): Confirm asks
// nothing, reads nothing and says to pass --yes, rather than wait for an
// answer to a question no one sees. With stderr a terminal it asks there.
func TestConfirm_NowhereToAsk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		errTTY bool
		want   string // in the error, "" for none
	}{
		{"stderr not a terminal", false, "pass --yes"},
		{"stderr a terminal", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			s := &State{IO: &IO{In: strings.NewReader("y\n"), InTTY: true, Err: &errb, ErrTTY: tc.errTTY}}
			cmd := &cobra.Command{Use: "delete"}
			cmd.SetContext(context.Background())
			err := s.Confirm(cmd, false, "delete user x of db?")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Confirm: %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Confirm: %v, want an error saying %q", err, tc.want)
			}
			if asked := strings.Contains(errb.String(), "[y/N]"); asked != tc.errTTY {
				t.Errorf("asked on stderr: %t, want %t (%q)", asked, tc.errTTY, errb.String())
			}
		})
	}
}
