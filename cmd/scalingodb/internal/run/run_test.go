package run

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/env"
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
