package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
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
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r.JSON)
	case formatName:
		for _, n := range r.Names {
			if _, err := fmt.Fprintln(out, n); err != nil {
				return err
			}
		}
		return nil
	}
	return a.table(out, r.Header, r.Rows)
}

// table writes an aligned table; on a terminal with colour, the header is bold.
func (a *app) table(out io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	if header != nil {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	for _, r := range rows {
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

// bytesText prints a size in bytes with a binary unit.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
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
