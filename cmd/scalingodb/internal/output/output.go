// Package output prints what the commands of scalingodb produce: a table
// that fits the terminal, -o json or -o name on stdout, with every string
// that came from the server stripped of the characters a terminal would act
// on; and the words it prints sizes, times and durations with.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Output formats of -o.
const (
	// Table is an aligned table, the default.
	Table = "table"
	// JSON is an indented JSON document.
	JSON = "json"
	// Name is the names (IDs) of what was printed, one per line.
	Name = "name"
)

// Formats are the values -o takes.
func Formats() []string { return []string{Table, JSON, Name} }

// Known reports whether format is one of Formats.
func Known(format string) bool {
	switch format {
	case Table, JSON, Name:
		return true
	}
	return false
}

// Result is what a command prints: a JSON value, a table, and names.
type Result struct {
	// JSON is encoded by -o json.
	JSON any
	// Header and Rows make the table.
	Header []string
	Rows   [][]string
	// Names are printed by -o name, one per line.
	Names []string
	// Whole keeps the table whole on a terminal, never cut to its width:
	// it holds a value shown once (a new password), which a cut would lose.
	Whole bool
}

// Columns say how one kind of resource prints: the header of its table,
// its row, and its name for -o name (its ID). The commands of a resource
// share them between their list and their one-resource results.
type Columns[T any] struct {
	// Header names the columns of Row.
	Header []string
	// Row gives the cells of one resource.
	Row func(T) []string
	// Name gives what -o name prints of one resource.
	Name func(T) string
}

// One is the Result of one resource: JSON is v itself.
func (c Columns[T]) One(v T) Result {
	return Result{JSON: v, Header: c.Header, Rows: [][]string{c.Row(v)}, Names: []string{c.Name(v)}}
}

// List is the Result of a list of resources: JSON is the list, an empty
// one (never null) when there is none, so that scripts can always iterate.
func (c Columns[T]) List(items []T) Result {
	r := Result{JSON: items, Header: c.Header}
	if items == nil {
		r.JSON = []T{}
	}
	for _, v := range items {
		r.Rows = append(r.Rows, c.Row(v))
		r.Names = append(r.Names, c.Name(v))
	}
	return r
}

// Printer writes results to Out, a terminal or not.
type Printer struct {
	// Out is where results go: stdout.
	Out io.Writer
	// TTY says whether Out is a terminal: a table then fits its width.
	TTY bool
	// Color allows a bold header on a terminal.
	Color bool

	whole bool // see Result.Whole
}

// Print writes r to Out in format (Table, JSON or Name).
func (p Printer) Print(format string, r Result) error {
	out := p.Out
	switch format {
	case JSON:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.JSON); err != nil {
			return err
		}
		_, err := out.Write(escapeJSONControls(buf.Bytes()))
		return err
	case Name:
		for _, n := range r.Names {
			if _, err := fmt.Fprintln(out, Sanitize(n)); err != nil {
				return err
			}
		}
		return nil
	}
	p.whole = r.Whole
	return p.Table(r.Header, r.Rows)
}

// columnGap is the space between two columns of a table.
const columnGap = 2

// Table writes an aligned table to Out; on a terminal with colour, the header is
// bold. Every cell is sanitized (a tab in a cell becomes a space). On a
// terminal the table fits its width: the widest cells but those of the
// first column (the IDs and names one acts on) are cut, ending with "…",
// so that no line wraps; but not the table of a Whole result. Without a terminal nothing is cut: scripts get
// whole values.
func (p Printer) Table(header []string, rows [][]string) error {
	out := p.Out
	all := make([][]string, 0, len(rows)+1)
	if header != nil {
		all = append(all, header)
	}
	all = append(all, rows...)
	cells := make([][]string, len(all))
	var widths []int
	for i, r := range all {
		cells[i] = make([]string, len(r))
		for j, c := range r {
			c = Cell(c)
			cells[i][j] = c
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	if p.TTY && !p.whole {
		if w := terminalWidth(out); w > 0 {
			fit := fitColumns(widths, w, columnGap)
			for _, r := range cells {
				for j := range r {
					r[j] = truncate(r[j], fit[j])
				}
			}
		}
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, columnGap, ' ', 0)
	for _, r := range cells {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	text := buf.Bytes()
	if header != nil && p.TTY && p.Color {
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			text = append([]byte("\x1b[1m"+string(bytes.TrimRight(text[:i], " "))+"\x1b[0m"), text[i:]...)
		}
	}
	_, err := out.Write(text)
	return err
}

// terminalWidth returns the number of columns of the terminal out is, or
// 80 when it cannot be told; tests replace it.
var terminalWidth = func(out io.Writer) int {
	if f, ok := out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// minColumn is the narrowest a column is cut to.
const minColumn = 6

// fitColumns returns the widths that make columns of the given widths,
// separated by gap spaces, fit in total: the widest column but the first
// loses a character at a time, down to minColumn. The first column is
// never cut, nor a table of one column (a link, a certificate): the
// result may then still be wider than total.
func fitColumns(widths []int, total, gap int) []int {
	fit := append([]int(nil), widths...)
	sum := gap * max(len(fit)-1, 0)
	for _, w := range fit {
		sum += w
	}
	for sum > total {
		widest := -1
		for j := 1; j < len(fit); j++ {
			if fit[j] > minColumn && (widest < 0 || fit[j] > fit[widest]) {
				widest = j
			}
		}
		if widest < 0 {
			break
		}
		fit[widest]--
		sum--
	}
	return fit
}

// truncate cuts s to n characters, the last one "…" when it was cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Sanitize removes from s every character a terminal would act on rather
// than show: the C0 controls but tab (escape, carriage return, newline,
// bell...), DEL, the C1 controls, and the Unicode bidirectional controls
// (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F), which reorder what is
// shown. Invalid UTF-8 becomes U+FFFD. Every string that came from the
// server goes through it before it is printed: table cells, names, status
// lines and error messages.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if isTerminalControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !isTerminalControl(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Cell is s sanitized, with its tabs made spaces: a table cell, or a
// completion candidate (whose description follows a tab).
func Cell(s string) string {
	return strings.ReplaceAll(Sanitize(s), "\t", " ")
}

// isTerminalControl reports whether Sanitize removes r.
func isTerminalControl(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	}
	return false
}

// escapeJSONControls rewrites, in JSON text, the characters a terminal
// would act on that encoding/json leaves as they are (DEL, C1, bidi
// controls) as \uXXXX escapes: the document decodes to the same values.
func escapeJSONControls(doc []byte) []byte {
	var b bytes.Buffer
	for len(doc) > 0 {
		r, n := utf8.DecodeRune(doc)
		if r != '\n' && r != '\t' && isTerminalControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
		} else {
			b.Write(doc[:n])
		}
		doc = doc[n:]
	}
	return b.Bytes()
}

// RawJSON writes raw, a JSON document from the server that the tool does
// not decode (the result of an action, a metric series), to w: indented,
// with the characters a terminal would act on escaped as -o json escapes
// them, so that it decodes to the same value; a document that is not JSON
// is written sanitized.
func RawJSON(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.WriteString(Sanitize(string(raw)))
	}
	buf.WriteByte('\n')
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// Fields prints name/value pairs as a two-column table.
func Fields(pairs ...string) [][]string {
	rows := make([][]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		rows = append(rows, []string{pairs[i], pairs[i+1]})
	}
	return rows
}

// TimeText prints a time in UTC, or "-" when zero.
func TimeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// TimePtrText prints an optional time.
func TimePtrText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return TimeText(*t)
}

// OrDash prints "-" for an empty string.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// BytesText prints a size in bytes with a binary unit, to a tenth.
func BytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, exp := float64(n)/unit, 0
	for v >= unit-0.05 && exp < 5 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// Ints prints a list of integers separated by commas.
func Ints(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}

// DurationText prints a duration to the hundredth of a second under a
// minute, to the second above.
func DurationText(d time.Duration) string {
	if d < time.Minute {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
