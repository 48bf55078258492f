package cli

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

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Output formats of -o.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatName  = "name"
)

// addFormatFlag adds -o/--output (table, json, name) to a command that
// prints resources.
func addFormatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVarP(format, "output", "o", formatTable, "output format: table, json or name (IDs one per line)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{formatTable, formatJSON, formatName}, cobra.ShellCompDirectiveNoFileComp))
}

// checkFormat refuses an unknown format before any request.
func checkFormat(cmd *cobra.Command, format string) error {
	switch format {
	case formatTable, formatJSON, formatName:
		return nil
	}
	return usagef(cmd, "unknown output format %q: use table, json or name", format)
}

// result is what a command prints: a JSON value, a table, and names.
type result struct {
	// JSON is encoded by -o json.
	JSON any
	// Header and Rows make the table.
	Header []string
	Rows   [][]string
	// Names are printed by -o name, one per line.
	Names []string
}

// print writes r to stdout in the format asked for.
func (a *app) print(format string, r result) error {
	out := a.io.Out
	switch format {
	case formatJSON:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.JSON); err != nil {
			return err
		}
		_, err := out.Write(escapeJSONControls(buf.Bytes()))
		return err
	case formatName:
		for _, n := range r.Names {
			if _, err := fmt.Fprintln(out, sanitize(n)); err != nil {
				return err
			}
		}
		return nil
	}
	return a.table(out, r.Header, r.Rows)
}

// columnGap is the space between two columns of a table.
const columnGap = 2

// table writes an aligned table; on a terminal with colour, the header is
// bold. Every cell is sanitized (a tab in a cell becomes a space). On a
// terminal the table fits its width: the widest cells but those of the
// first column (the IDs and names one acts on) are cut, ending with "…",
// so that no line wraps. Without a terminal nothing is cut: scripts get
// whole values.
func (a *app) table(out io.Writer, header []string, rows [][]string) error {
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
			c = cell(c)
			cells[i][j] = c
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	if a.io.OutTTY {
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
	if header != nil && a.io.OutTTY && a.color() {
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

// sanitize removes from s every character a terminal would act on rather
// than show: the C0 controls but tab (escape, carriage return, newline,
// bell...), DEL, the C1 controls, and the Unicode bidirectional controls
// (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F), which reorder what is
// shown. Invalid UTF-8 becomes U+FFFD. Every string that came from the
// server goes through it before it is printed: table cells, names, status
// lines and error messages.
func sanitize(s string) string {
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

// cell is s sanitized, with its tabs made spaces: a table cell, or a
// completion candidate (whose description follows a tab).
func cell(s string) string {
	return strings.ReplaceAll(sanitize(s), "\t", " ")
}

// isTerminalControl reports whether sanitize removes r.
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

// fields prints name/value pairs as a two-column table.
func fields(pairs ...string) [][]string {
	rows := make([][]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		rows = append(rows, []string{pairs[i], pairs[i+1]})
	}
	return rows
}

// timeText prints a time in UTC, or "-" when zero.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// timePtrText prints an optional time.
func timePtrText(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return timeText(*t)
}

// orDash prints "-" for an empty string.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// bytesText prints a size in bytes with a binary unit, to a tenth.
func bytesText(n int64) string {
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

// ints prints a list of integers separated by commas.
func ints(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ",")
}
