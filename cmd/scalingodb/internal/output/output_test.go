package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds every kind of character sanitize removes.
const hostile = "a\x1b[31mred\x1b]0;title\x07\x1b[2J\r\nb\x00\x7f\u0085\u009b\u202ermg.exe\u2066x\u2069\u200e\u200fz"

func TestSanitize(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "20181026010000_my-db-123", "20181026010000_my-db-123"},
		{"tab kept", "a\tb", "a\tb"},
		{"unicode kept", "sauvegarde été 日本 …", "sauvegarde été 日本 …"},
		{"CSI", "\x1b[31mred\x1b[0m", "[31mred[0m"},
		{"OSC title", "\x1b]0;pwned\x07x", "]0;pwnedx"},
		{"clear screen", "\x1b[2Jname", "[2Jname"},
		{"CR LF", "line1\r\nscalingodb: forged", "line1scalingodb: forged"},
		{"NUL BS DEL", "a\x00b\x08c\x7fd", "abcd"},
		{"C1 NEL and CSI", "a\u0085b\u009bc", "abc"},
		{"bidi embeddings", "a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"},
		{"bidi isolates", "a\u2066b\u2067c\u2068d\u2069e", "abcde"},
		{"marks", "a\u200eb\u200fc", "abc"},
		{"all", hostile, "a[31mred]0;title[2Jbrmg.exexz"},
		{"invalid UTF-8 kept as replacement", "a\xffb", "a\ufffdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// terminalBad reports the first character a terminal would act on.
func terminalBad(s string) (rune, bool) {
	for _, r := range s {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f) {
			return r, true
		}
	}
	return 0, false
}

// TestPrint_StripsControls prints server text in every format: tables and
// names carry no control character, and JSON keeps the exact value but
// escapes every character a terminal would act on.
func TestPrint_StripsControls(t *testing.T) {
	for _, tty := range []bool{false, true} {
		for _, format := range []string{Table, Name, JSON} {
			var out bytes.Buffer
			p := Printer{Out: &out, TTY: tty}
			r := Result{JSON: map[string]string{"name": hostile}, Header: []string{"ID", "NAME"},
				Rows: [][]string{{"b1", hostile}}, Names: []string{hostile}}
			if err := p.Print(format, r); err != nil {
				t.Fatal(err)
			}
			if c, bad := terminalBad(out.String()); bad {
				t.Errorf("tty %t, -o %s: %U reaches the output: %q", tty, format, c, out.String())
			}
			if format == JSON {
				var back map[string]string
				if err := json.Unmarshal(out.Bytes(), &back); err != nil || back["name"] != hostile {
					t.Errorf("-o json does not keep the value: %v, %q", err, back["name"])
				}
			}
		}
	}
}

// TestTable_FitsWidth prints a table wider than the terminal: on a
// terminal every line fits, cut cells end with …, and the first column
// (the IDs) is whole; without a terminal nothing is cut.
func TestTable_FitsWidth(t *testing.T) {
	defer func(f func(io.Writer) int) { terminalWidth = f }(terminalWidth)
	header := []string{"ID", "NAME", "STATUS", "SIZE", "METHOD", "CREATED"}
	rows := [][]string{
		{"5bd2c6104ffb090be1ac3ce2", "20181026010000_my-db-123-with-a-long-name", "done", "1.2 MiB", "periodic", "2018-10-26T01:00:00Z"},
		{"5bde44904ffb096c714be89d", "short", "scheduled", "-", "manual", "2018-11-04T01:00:00Z"},
	}
	for _, width := range []int{80, 70, 120} {
		terminalWidth = func(io.Writer) int { return width }
		var out bytes.Buffer
		if err := (Printer{Out: &out, TTY: true}).Table(header, rows); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if n := utf8.RuneCountInString(line); n > width {
				t.Errorf("width %d: a line of %d columns: %q", width, n, line)
			}
		}
		if !strings.Contains(out.String(), "5bd2c6104ffb090be1ac3ce2 ") {
			t.Errorf("width %d: the ID was cut:\n%s", width, out.String())
		}
		if width < 120 && !strings.Contains(out.String(), "…") {
			t.Errorf("width %d: nothing was cut with …:\n%s", width, out.String())
		}
		if width == 120 && strings.Contains(out.String(), "…") {
			t.Errorf("width %d: a table that fits was cut:\n%s", width, out.String())
		}
	}
	// Without a terminal, whole values: scripts want them.
	terminalWidth = func(io.Writer) int { return 80 }
	var out bytes.Buffer
	if err := (Printer{Out: &out}).Table(header, rows); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "…") || !strings.Contains(out.String(), "my-db-123-with-a-long-name") {
		t.Errorf("without a terminal the table was cut:\n%s", out.String())
	}
	// A result shown once (a password) is whole on a terminal too.
	terminalWidth = func(io.Writer) int { return 20 }
	out.Reset()
	r := Result{Header: []string{"NAME", "READ-ONLY", "PASSWORD"}, Rows: [][]string{{"reporting", "false", "IRYTR5E6X72B7YRTCEPTMJGW4P"}}, Whole: true}
	if err := (Printer{Out: &out, TTY: true}).Print(Table, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "…") || !strings.Contains(out.String(), "IRYTR5E6X72B7YRTCEPTMJGW4P") {
		t.Errorf("a whole result was cut:\n%s", out.String())
	}
}

func TestFitColumns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		widths []int
		total  int
		want   []int
	}{
		{"fits", []int{10, 10}, 30, []int{10, 10}},
		{"widest shrinks first", []int{24, 40, 10}, 60, []int{24, 22, 10}},
		{"first column kept", []int{24, 20, 20}, 50, []int{24, 11, 11}},
		{"never below the minimum", []int{24, 20, 20}, 20, []int{24, 6, 6}},
		{"one column is never cut", []int{100}, 80, []int{100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitColumns(tc.widths, tc.total, 2)
			if len(got) != len(tc.want) {
				t.Fatalf("fitColumns = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("fitColumns(%v, %d) = %v, want %v", tc.widths, tc.total, got, tc.want)
				}
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"été-été", 4, "été…"},
		{"ab", 1, "…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
func TestBytesText(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1234567, "1.2 MiB"}, {1 << 30, "1.0 GiB"},
	} {
		if got := BytesText(tc.n); got != tc.want {
			t.Errorf("BytesText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestColumns(t *testing.T) {
	type item struct{ ID, Label string }
	cols := Columns[*item]{
		Header: []string{"ID", "LABEL"},
		Row:    func(i *item) []string { return []string{i.ID, OrDash(i.Label)} },
		Name:   func(i *item) string { return i.ID },
	}
	a, b := &item{"a1", "first"}, &item{"b2", ""}
	for _, tc := range []struct {
		name               string
		r                  Result
		json, table, names string
	}{
		{"one", cols.One(a), `{"ID":"a1","Label":"first"}`, "ID  LABEL\na1  first\n", "a1\n"},
		{"list", cols.List([]*item{a, b}), `[{"ID":"a1","Label":"first"},{"ID":"b2","Label":""}]`, "ID  LABEL\na1  first\nb2  -\n", "a1\nb2\n"},
		{"empty list", cols.List([]*item{}), `[]`, "ID  LABEL\n", ""},
		{"nil list is an empty JSON list", cols.List(nil), `[]`, "ID  LABEL\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []struct{ format, want string }{{JSON, tc.json}, {Table, tc.table}, {Name, tc.names}} {
				var buf bytes.Buffer
				if err := (Printer{Out: &buf}).Print(f.format, tc.r); err != nil {
					t.Fatalf("-o %s: %v", f.format, err)
				}
				got := buf.String()
				if f.format == JSON {
					var compact bytes.Buffer
					if err := json.Compact(&compact, buf.Bytes()); err != nil {
						t.Fatalf("-o json is not JSON: %v\n%s", err, got)
					}
					got = compact.String()
				}
				if got != f.want {
					t.Errorf("-o %s = %q, want %q", f.format, got, f.want)
				}
			}
		})
	}
}

// TestRawJSON checks a document the tool does not decode: JSON comes out
// indented, decoding to the same value with every terminal control
// escaped; text that is not JSON comes out sanitized.
func TestRawJSON(t *testing.T) {
	doc, _ := json.Marshal(map[string]string{"q": hostile})
	for _, tc := range []struct {
		name string
		raw  []byte
		json bool
	}{
		{"json", doc, true},
		{"json with raw C1 and bidi", []byte(`{"q":"a` + "\u009b\u202e\x7f" + `b"}`), true},
		{"not json", []byte(hostile), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := RawJSON(&out, tc.raw); err != nil {
				t.Fatal(err)
			}
			if c, bad := terminalBad(out.String()); bad {
				t.Errorf("%U reaches the output: %q", c, out.String())
			}
			if !tc.json {
				if want := Sanitize(hostile) + "\n"; out.String() != want {
					t.Errorf("got %q, want %q", out.String(), want)
				}
				return
			}
			var want, got any
			_ = json.Unmarshal(tc.raw, &want)
			if err := json.Unmarshal(out.Bytes(), &got); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("decodes to %v (%v), want %v", got, err, want)
			}
		})
	}
}
