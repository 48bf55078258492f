package harness

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

// otherTools are DBAPI_* variables of the project's other tools, which the suite leaves alone.
func otherTools() []string {
	return []string{"DBAPI_REQUEST_TIMEOUT"} // the CLI's per-request timeout; the suite's is DBAPI_TIMEOUT
}

// UnknownSettings returns a *ConfigError, joined with errors.Join, for each DBAPI_* variable of
// environ (os.Environ's form, the prefix matched in any case) that the suite does not read,
// naming the closest known setting: a misspelt setting would otherwise be silently ignored.
func UnknownSettings(environ []string) error {
	var errs []error
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(strings.ToUpper(name), "DBAPI_") || known(name) {
			continue
		}
		problem := "not a setting of the suite; unset it (-h lists the settings)"
		if c := closest(name); c != "" {
			problem = "not a setting of the suite; did you mean " + c + "? (-h lists them)"
		}
		errs = append(errs, &ConfigError{Var: name, Problem: problem})
	}
	return errors.Join(errs...)
}

func known(name string) bool {
	for _, s := range SettingDocs() {
		if s.Name == name {
			return true
		}
	}
	for _, o := range otherTools() {
		if o == name {
			return true
		}
	}
	return false
}

// closest returns the setting nearest to name by edit distance (case aside), or "" when none is
// near enough to be a plausible typo.
func closest(name string) string {
	best, bestD := "", -1
	upper := strings.ToUpper(name)
	for _, s := range SettingDocs() {
		if d := editDistance(upper, s.Name); bestD < 0 || d < bestD {
			best, bestD = s.Name, d
		}
	}
	if bestD > max(2, len(name)/4) {
		return ""
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (optimal string alignment) of a and b: a
// swap of two neighbours costs 1, as a typist makes it.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// FromEnviron reads the configuration from environ (os.Environ's form) as FromEnv does, and
// also reports every DBAPI_* variable the suite does not know (see UnknownSettings).
func FromEnviron(environ []string) (Config, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	cfg, err := FromEnv(func(k string) string { return vars[k] })
	return cfg, errors.Join(err, UnknownSettings(environ))
}

// exitCodes are the compiled suite's exit codes with what each means, as -h lists them.
func exitCodes() [][2]string {
	return [][2]string{
		{"0", Passed.String()},
		{"1", ContractBroken.String() + ": a violation, or an answer a spec did not expect"},
		{"2", "usage error (a bad flag) or a crash"},
		{"3", SettingsWrong.String() + ": a missing, malformed or unknown setting, a refused token, an unknown database"},
		{"4", Unreachable.String() + ": nothing listens, a connection broke, no answer within " + EnvTimeout},
	}
}

// WriteHelp writes what the compiled suite's -h prints before Ginkgo's and go test's flags:
// what it is, the settings (name, default, meaning), the labels and the exit codes.
func WriteHelp(w io.Writer, program string, b Build) error {
	var out strings.Builder
	fmt.Fprintf(&out, "%s: the contract suite of the Scalingo Database API (%s).\n", program, b)
	fmt.Fprintf(&out, "It runs against the built-in mock unless %s is set, read-only against a live target\n", EnvBaseURL)
	fmt.Fprintf(&out, "unless %s=1, and writes its reports to %s.\n\n", EnvAllowWrites, "./reports")
	fmt.Fprintf(&out, "Usage:\n  %s [flags]                       run every spec\n", program)
	fmt.Fprintf(&out, "  %s -ginkgo.label-filter='read-only && backups'\n", program)
	fmt.Fprintf(&out, "  %s --version                      suite version, commit, spec version\n", program)
	fmt.Fprintf(&out, "  %s -h                             this help\n\n", program)
	out.WriteString("Settings (environment variables; an unknown DBAPI_* one is a settings error that says \"did you mean\"):\n")
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tDEFAULT\tMEANING")
	for _, s := range SettingDocs() {
		def := s.Default
		if def == "" {
			def = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Name, def, s.Meaning)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	out.WriteString("  NO_COLOR, CI: either set turns colour off (as -ginkgo.no-color does).\n\n")
	labels := make([]string, 0, len(Labels()))
	for _, l := range Labels() {
		labels = append(labels, string(l))
	}
	fmt.Fprintf(&out, "Labels (-ginkgo.label-filter): %s.\n\n", strings.Join(labels, ", "))
	out.WriteString("Exit codes (when several things broke, the most fundamental wins: 3, then 4, then 1):\n")
	for _, c := range exitCodes() {
		fmt.Fprintf(&out, "  %s  %s\n", c[0], c[1])
	}
	out.WriteString("\nGinkgo's flags (prefixed -ginkgo.) and go test's (prefixed -test.):\n")
	_, err := io.WriteString(w, out.String())
	return err
}

// NoColor reports whether the environment asks for output without colour: NO_COLOR set and not
// empty (no-color.org), or CI set to anything but "", "0" and "false" (CI logs keep escapes as
// text).
func NoColor(getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(getenv("CI"))) {
	case "", "0", "false":
		return false
	}
	return true
}

var colorEscape = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// StripColor removes the ANSI colour escapes from s.
func StripColor(s string) string { return colorEscape.ReplaceAllString(s, "") }
