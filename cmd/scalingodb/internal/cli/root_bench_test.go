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
