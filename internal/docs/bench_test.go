package docs_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// benchRun is what docs/benchmarks.md says of the run its table comes from: the file that keeps
// it (relative to docs/), the commit it names, and the table's rows.
type benchRun struct {
	file, commit string
	rows         [][]string // the cells of each row of the table
}

// parseBenchmarks reads the introduction and the first table of docs/benchmarks.md: the
// introduction must link one run file under bench/ and name its commit.
func parseBenchmarks(md string) (benchRun, error) {
	var run benchRun
	intro, table, found := strings.Cut(md, "\n| measure |")
	if !found {
		return run, fmt.Errorf("no table with a measure column")
	}
	files := regexp.MustCompile(`\]\((bench/[^)\s]+\.txt)\)`).FindAllStringSubmatch(intro, -1)
	if len(files) != 1 {
		return run, fmt.Errorf("the introduction links %d run files under bench/, want one", len(files))
	}
	run.file = files[0][1]
	commit := regexp.MustCompile("commit `([0-9a-f]{7,40})`").FindStringSubmatch(intro)
	if commit == nil {
		return run, fmt.Errorf("the introduction names no commit")
	}
	run.commit = commit[1]
	for _, line := range strings.Split(table, "\n")[2:] { // the header's end and the separator
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		run.rows = append(run.rows, cells)
	}
	return run, nil
}

var figure = regexp.MustCompile(`\d[\d,]*(?:\.\d+)?`)

// figures returns the measured figures of a cell: the first number of each part separated by
// ";", before any comment in parentheses.
func figures(cell string) []string {
	cell, _, _ = strings.Cut(strings.ReplaceAll(cell, "**", ""), "(")
	var out []string
	for _, part := range strings.Split(cell, ";") {
		if f := figure.FindString(part); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// values returns the value of each line of the ratios make bench prints: the last number before
// the goal, or before "(beside the goal above)" (labels hold numbers too, goals are no values).
func values(ratios string) []string {
	var out []string
	for _, line := range strings.Split(ratios, "\n") {
		label, _, found := strings.Cut(line, "goal")
		if !found {
			label, _, found = strings.Cut(line, "(beside")
		}
		if all := figure.FindAllString(label, -1); found && len(all) > 0 {
			out = append(out, all[len(all)-1])
		}
	}
	return out
}

// printed reports whether one of the values, rounded to as many decimals as the figure shows, is
// the figure; a figure without decimals must be the value itself (1 for 1.00, never for 0.83).
func printed(values []string, fig string) bool {
	want, err := strconv.ParseFloat(strings.ReplaceAll(fig, ",", ""), 64)
	if err != nil {
		return false
	}
	decimals := 0
	if _, frac, ok := strings.Cut(fig, "."); ok {
		decimals = len(frac)
	}
	scale := math.Pow(10, float64(decimals))
	for _, s := range values {
		v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err == nil && math.Round(v*scale) == math.Round(want*scale) && (decimals > 0 || v == want) {
			return true
		}
	}
	return false
}

// checkBenchmarks returns a problem for each claim of docs/benchmarks.md that the run's output
// does not bear out: its commit, each benchmark a row names, each figure it reports (against the
// ratios make bench prints at the end).
func checkBenchmarks(run benchRun, output string) []string {
	var problems []string
	if first, _, _ := strings.Cut(output, "\n"); !strings.Contains(first, "make bench") || !strings.Contains(first, run.commit) {
		problems = append(problems, fmt.Sprintf("%s: its first line %q names no make bench run at commit %s", run.file, first, run.commit))
	}
	_, ratios, _ := strings.Cut(output, "\nRatios")
	if len(run.rows) == 0 || ratios == "" {
		return append(problems, fmt.Sprintf("%d rows, %d bytes of ratios: nothing to check", len(run.rows), len(ratios)))
	}
	printedValues := values(ratios)
	for _, row := range run.rows {
		if len(row) != 4 {
			problems = append(problems, fmt.Sprintf("row %q has %d cells, want 4", row, len(row)))
			continue
		}
		for _, name := range regexp.MustCompile(`Benchmark\w+`).FindAllString(row[1], -1) {
			if !regexp.MustCompile(regexp.QuoteMeta(name) + `\b`).MatchString(output) {
				problems = append(problems, fmt.Sprintf("%s: %s is not in the run", row[0], name))
			}
		}
		figs := figures(row[3])
		if len(figs) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no figure in %q", row[0], row[3]))
		}
		for _, f := range figs {
			if !printed(printedValues, f) {
				problems = append(problems, fmt.Sprintf("%s: %s is not a ratio the run printed", row[0], f))
			}
		}
	}
	return problems
}

func TestCheckBenchmarks(t *testing.T) {
	const md = "intro at commit `abc1234`, in [`docs/bench/x.txt`](bench/x.txt)\n\n" +
		"| measure | benchmark (metric) | goal | measured |\n|---|---|---|---|\n" +
		"| a ratio | `BenchmarkA/ratio` | ≤ 1 | 0.83 |\n" +
		"| two, rounded | `BenchmarkB` | ≤ 64 MiB; ≥ 10,000 | **32.1 MiB, not met**; 33,789 items (before: 54.2) |\n\nafter\n"
	const output = "# make bench, commit abc1234\nBenchmarkA/ratio-2 1 ns/op\nBenchmarkB-2 1 ns/op\n" +
		"\nRatios (side by side in this run):\n  a, 1 MiB  0.83  goal <= 1\n  b  32.09  goal <= 64\n  c (bare 2.5)  33789.00   (beside the goal above)\n"
	tests := []struct {
		name, md, output string
		problems         []string // substrings, one per problem
	}{
		{name: "borne out", md: md, output: output},
		{name: "a figure edited", md: strings.Replace(md, "0.83", "0.81", 1), output: output,
			problems: []string{"a ratio: 0.81 is not a ratio the run printed"}},
		{name: "a figure rounded wrong", md: strings.Replace(md, "32.1", "32.0", 1), output: output,
			problems: []string{"32.0 is not a ratio"}},
		{name: "a figure in a label", md: strings.Replace(md, "0.83", "2.5", 1), output: output,
			problems: []string{"2.5 is not a ratio"}},
		{name: "a figure only in the benchmark lines and goals, not in the ratios", md: strings.Replace(md, "0.83", "1", 1), output: output,
			problems: []string{"1 is not a ratio"}},
		{name: "a benchmark of another run", md: strings.Replace(md, "BenchmarkB`", "BenchmarkC`", 1), output: output,
			problems: []string{"BenchmarkC is not in the run"}},
		{name: "a benchmark whose name begins another's", md: strings.Replace(md, "BenchmarkA/ratio`", "BenchmarkA`", 1),
			output: strings.Replace(output, "BenchmarkA/ratio-2", "BenchmarkAB-2", 1), problems: []string{"BenchmarkA is not in the run"}},
		{name: "another commit", md: md, output: strings.Replace(output, "abc1234", "def5678", 1),
			problems: []string{"names no make bench run at commit abc1234"}},
		{name: "no ratios", md: md, output: strings.Split(output, "\nRatios")[0],
			problems: []string{"nothing to check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := parseBenchmarks(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			problems := checkBenchmarks(run, tt.output)
			if len(problems) != len(tt.problems) {
				t.Fatalf("problems %q, want %d containing %q", problems, len(tt.problems), tt.problems)
			}
			for i, want := range tt.problems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %q does not say %q", problems[i], want)
				}
			}
		})
	}
	for _, bad := range []string{"no table\n", "two runs [a](bench/a.txt) [b](bench/b.txt) commit `abc1234`\n| measure |\n",
		"no commit [a](bench/a.txt)\n| measure |\n"} {
		if _, err := parseBenchmarks(bad); err == nil {
			t.Errorf("parseBenchmarks(%q) = nil error", bad)
		}
	}
}

// TestBenchmarkFiguresComeFromTheNamedRun holds docs/benchmarks.md to its promise: every figure of
// its table comes from the one make bench run it names, kept whole under docs/bench/.
func TestBenchmarkFiguresComeFromTheNamedRun(t *testing.T) {
	run, err := parseBenchmarks(readFile(t, "docs/benchmarks.md"))
	if err != nil {
		t.Fatalf("docs/benchmarks.md: %v", err)
	}
	for _, p := range checkBenchmarks(run, readFile(t, "docs/"+run.file)) {
		t.Error(p)
	}
	if len(run.rows) < 10 {
		t.Errorf("docs/benchmarks.md has %d rows of figures", len(run.rows))
	}
}
