package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver"
)

// escapes is server text that would recolour, retitle and clear a
// terminal, forge a line, and reorder what is shown.
const escapes = "\x1b[31mred\x1b]0;title\x07\x1b[2J\r\nscalingodb: forged\u202egpj.exe\u200f"

// terminalControl returns the first character of s a terminal would act
// on (but newline and tab), or -1.
func terminalControl(s string) rune {
	for _, r := range s {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f) {
			return r
		}
	}
	return -1
}

// hostileSeed is the demo seed plus a done backup and a scheduled backup
// of my-db-123 whose names hold escapes.
func hostileSeed() mockserver.Seed {
	seed := seedWith(1 << 10)
	db := &seed.Databases[0]
	created := time.Date(2024, 2, 1, 3, 0, 0, 0, time.UTC)
	method := dbapi.BackupMethodManual
	size := int64(2048)
	db.Backups = append(db.Backups,
		dbapi.Backup{ID: "5f00000000000000000000bb", CreatedAt: created, StartedAt: &created,
			Name: "nightly" + escapes, Size: &size, Status: dbapi.BackupStatusDone, DatabaseID: db.Database.ID, Method: &method})
	return seed
}

// TestHygiene_ServerText runs commands whose output holds server text
// with escapes (a table, -o name, the --latest message, a download
// summary) and a 401 whose body holds escapes: nothing a terminal would
// act on reaches stdout or stderr.
func TestHygiene_ServerText(t *testing.T) {
	mock := startMock(t, 1<<10, mockserver.WithSeed(hostileSeed()))
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		body, _ := json.Marshal(map[string]string{"error": "bad token" + escapes})
		_, _ = w.Write(body)
	}))
	t.Cleanup(evil.Close)
	for _, tc := range []struct {
		name string
		base string
		args []string
		want string // in stdout or stderr, after sanitizing
	}{
		{"table", mock.base, []string{"backups", "list"}, "nightly[31mred]0;title[2Jscalingodb: forgedgpj.exe"},
		{"get", mock.base, []string{"backups", "get", "5f00000000000000000000bb"}, "nightly[31mred"},
		{"latest", mock.base, []string{"backups", "download", "--latest", "-O", "-", "--force"}, "nightly[31mred"},
		{"401 body", evil.URL + "/api", []string{"users", "list"}, "bad token[31mred]0;title[2Jscalingodb: forgedgpj.exe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := runCLI(t, tc.base, tc.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			_ = cmd.Run()
			text := stderr.String()
			if tc.name != "latest" {
				text = stdout.String() + text
			}
			if r := terminalControl(text); r >= 0 {
				t.Errorf("%U reaches the terminal: %q", r, text)
			}
			if !strings.Contains(text, tc.want) {
				t.Errorf("output lacks %q: %q", tc.want, text)
			}
			if strings.Contains(text, "\nscalingodb: forged") {
				t.Errorf("the server forged a line: %q", text)
			}
		})
	}
}

// TestHygiene_TableFitsTerminal lists the backups on an 80-column
// terminal: every line fits (cut cells end with …), the IDs are whole.
func TestHygiene_TableFitsTerminal(t *testing.T) {
	mock := startMock(t, 1<<10, mockserver.WithSeed(hostileSeed()))
	out, err := onTerminalSized(t, 80, runCLI(t, mock.base, "backups", "list", "--no-color"))
	if err != nil {
		t.Fatalf("backups list: %v: %q", err, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("no table: %q", out)
	}
	for _, line := range lines {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("a line of %d columns wraps on an 80-column terminal: %q", n, line)
		}
	}
	if !strings.Contains(out, "…") || !strings.Contains(out, "5f00000000000000000000bb ") {
		t.Errorf("no cut cell, or a cut ID: %q", out)
	}
}
