package harness

import (
	"errors"
	"strings"
	"testing"
)

func TestUnknownSettings(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string // the message of each *ConfigError, in order
	}{
		{"none", []string{"HOME=/root", EnvBaseURL + "=http://h/api", EnvToken + "=x"}, nil},
		{"the CLI's own", []string{"DBAPI_REQUEST_TIMEOUT=5s"}, nil},
		{"one letter short", []string{"DBAPI_ALLOW_WRITE=1"},
			[]string{"DBAPI_ALLOW_WRITE: not a setting of the suite; did you mean DBAPI_ALLOW_WRITES? (-h lists them)"}},
		{"two swapped letters", []string{"DBAPI_TIMEOTU=5s"},
			[]string{"DBAPI_TIMEOTU: not a setting of the suite; did you mean DBAPI_TIMEOUT? (-h lists them)"}},
		{"lower case", []string{"dbapi_base_url=x"},
			[]string{"dbapi_base_url: not a setting of the suite; did you mean DBAPI_BASE_URL? (-h lists them)"}},
		{"nothing close", []string{"DBAPI_COLOUR_SCHEME=dark"},
			[]string{"DBAPI_COLOUR_SCHEME: not a setting of the suite; unset it (-h lists the settings)"}},
		{"two, in order", []string{"DBAPI_VERBOS=1", "PATH=/bin", "DBAPI_DATABASE=x"}, []string{
			"DBAPI_VERBOS: not a setting of the suite; did you mean DBAPI_VERBOSE? (-h lists them)",
			"DBAPI_DATABASE: not a setting of the suite; did you mean DBAPI_DATABASE_ID? (-h lists them)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := UnknownSettings(tt.environ)
			var got []string
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var ce *ConfigError
					if !errors.As(e, &ce) {
						t.Fatalf("%T is no *ConfigError", e)
					}
					got = append(got, ce.Error())
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("UnknownSettings(%q):\ngot  %q\nwant %q", tt.environ, got, tt.want)
			}
		})
	}
}

// FromEnviron reports an unknown variable with the problems of the known ones.
func TestFromEnviron(t *testing.T) {
	_, err := FromEnviron([]string{EnvTimeout + "=soon", "DBAPI_ALLOW_WRITE=1"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{EnvTimeout + `: "soon"`, "did you mean DBAPI_ALLOW_WRITES?"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	cfg, err := FromEnviron([]string{EnvTimeout + "=3s", "X=a=b"})
	if err != nil || cfg.Timeout.String() != "3s" {
		t.Errorf("FromEnviron = %v, %v", cfg.Timeout, err)
	}
}

func TestWriteHelp(t *testing.T) {
	var b strings.Builder
	if err := WriteHelp(&b, "scalingodb-contract", Build{Suite: "v1.2.3", Commit: "abc", Spec: "2.1.0"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range SettingDocs() {
		row := lineWith(out, "  "+s.Name+" ")
		if row == "" || !strings.Contains(row, s.Meaning) || !strings.Contains(row, s.Default) {
			t.Errorf("no row for %s with its default %q and meaning: %q", s.Name, s.Default, row)
		}
	}
	for _, l := range Labels() {
		if !strings.Contains(out, string(l)) {
			t.Errorf("label %s missing", l)
		}
	}
	for _, v := range []Verdict{Passed, ContractBroken, SettingsWrong, Unreachable} {
		if !strings.Contains(out, v.String()) {
			t.Errorf("exit code of %s missing", v)
		}
	}
	for _, want := range []string{"suite v1.2.3", "spec 2.1.0", "scalingodb-contract -h"} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not say %q:\n%s", want, out)
		}
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestBuild(t *testing.T) {
	b := CurrentBuild()
	if b.Spec == "" || b.Spec == "unknown" {
		t.Errorf("spec version %q", b.Spec)
	}
	if b.Suite != "dev" || b.Commit != "unknown" {
		t.Errorf("an unstamped build says %q %q, want dev unknown", b.Suite, b.Commit)
	}
	if got := (Build{Suite: "v1", Commit: "0123456789abcdef", Spec: "2.1.0"}).String(); got != "suite v1 (commit 0123456789abcdef), spec 2.1.0" {
		t.Errorf("String() = %q", got)
	}
}

func TestNoColor(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"NO_COLOR": "1"}, true},
		{map[string]string{"NO_COLOR": ""}, false},
		{map[string]string{"CI": "true"}, true},
		{map[string]string{"CI": "1"}, true},
		{map[string]string{"CI": "false"}, false},
		{map[string]string{"CI": "0"}, false},
	}
	for _, tt := range tests {
		if got := NoColor(env(tt.env)); got != tt.want {
			t.Errorf("NoColor(%v) = %v, want %v", tt.env, got, tt.want)
		}
	}
}

func TestStripColor(t *testing.T) {
	in := "\x1b[38;5;10m\x1b[1m--ginkgo.seed\x1b[0m [int]"
	if got := StripColor(in); got != "--ginkgo.seed [int]" {
		t.Errorf("StripColor = %q", got)
	}
}
