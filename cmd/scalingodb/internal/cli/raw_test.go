package cli

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/cmd/scalingodb/internal/exit"
)

// TestRawJSON_EscapesTerminalControls checks the commands that print a
// JSON answer the API does not document (actions run, series, lag): a
// string that holds characters a terminal acts on (a C1 control such as
// CSI, bidi overrides, which JSON allows unescaped) reaches stdout
// escaped, and the document still decodes to the server's value, as
// with -o json.
func TestRawJSON_EscapesTerminalControls(t *testing.T) {
	const value = "a\u009b31mred\u202egnp.exe\u2066x\u2069\u200e\u200f\u0085\x7fz"
	for _, tc := range []struct {
		name, body string
		args       []string
		decode     func(t *testing.T, out []byte) string
	}{
		{"actions run", `{"ok":1,"result":{"q":"` + value + `"}}`, []string{"actions", "run", "pg-list-queries"},
			func(t *testing.T, out []byte) string {
				var v struct{ Q string }
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("stdout is not JSON: %v: %q", err, out)
				}
				return v.Q
			}},
		{"series", `{"q":"` + value + `"}`, []string{"series", "cpu"},
			func(t *testing.T, out []byte) string {
				var v struct{ Q string }
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("stdout is not JSON: %v: %q", err, out)
				}
				return v.Q
			}},
		{"lag", `{"f` + value + `":1}`, []string{"lag"},
			func(t *testing.T, out []byte) string {
				var v map[string]int
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("stdout is not JSON: %v: %q", err, out)
				}
				for k := range v {
					return strings.TrimPrefix(k, "f")
				}
				return ""
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAgainstOut(t, func(w http.ResponseWriter, r *http.Request) {
				answer(w, http.StatusOK, tc.body)
			}, tc.args...)
			if code != exit.OK {
				t.Fatalf("exit code %d; stderr: %s", code, stderr)
			}
			for _, r := range stdout {
				if r != '\n' && r != '\t' && isControlOrBidi(r) {
					t.Errorf("%U reaches stdout: %q", r, stdout)
				}
			}
			if got := tc.decode(t, []byte(stdout)); got != value {
				t.Errorf("decodes to %q, want %q", got, value)
			}
		})
	}
}

// isControlOrBidi reports whether a terminal acts on r rather than shows it.
func isControlOrBidi(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f
}
