package cli

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkRunVersion measures a whole `scalingodb version` in process:
// the command tree built, the arguments parsed, the line printed.
func BenchmarkRunVersion(b *testing.B) {
	b.ReportAllocs()
	var out bytes.Buffer
	io := &IO{Out: &out, Err: &out, Getenv: func(string) string { return "" }}
	for b.Loop() {
		out.Reset()
		if code := Run(context.Background(), []string{"version"}, io); code != 0 {
			b.Fatal(out.String())
		}
	}
}

// BenchmarkNewRoot compares building the command tree a run of `scalingodb
// version` needs (the root and the version command, as Run does) with
// building the whole tree (as help, completion and docs do): the cost
// topCommand saves every run of a command.
func BenchmarkNewRoot(b *testing.B) {
	for _, bc := range []struct{ name, only string }{{"version", "version"}, {"whole", ""}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newRoot(&app{io: &IO{}}, bc.only)
			}
		})
	}
}
