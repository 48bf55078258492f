package suitebin

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

func TestEnviron(t *testing.T) {
	t.Setenv("DBAPI_BASE_URL", "http://h/api")
	t.Setenv(harness.EnvToken, "tok")
	t.Setenv("DB_BEARER_TOKENS", "kept") // only the setting itself goes, not a name it begins
	t.Setenv("SUITEBIN_KEPT", "1")
	env := Environ()
	tests := []struct {
		kv   string
		kept bool
	}{
		{"DBAPI_BASE_URL=http://h/api", false},
		{harness.EnvToken + "=tok", false},
		{"DB_BEARER_TOKENS=kept", true},
		{"SUITEBIN_KEPT=1", true},
	}
	for _, tt := range tests {
		if got := slices.Contains(env, tt.kv); got != tt.kept {
			t.Errorf("%s kept = %v, want %v", tt.kv, got, tt.kept)
		}
	}
}

func TestRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no shell to run: %v", err)
	}
	tests := []struct {
		name     string
		bin      string
		args     []string
		wantCode int
		wantOut  string
		wantErr  bool
	}{
		{name: "exit 0", bin: sh, args: []string{"-c", "echo out"}, wantCode: 0, wantOut: "out\n"},
		{name: "exit code and both streams", bin: sh, args: []string{"-c", "echo out; echo err >&2; exit 3"}, wantCode: 3, wantOut: "out\nerr\n"},
		{name: "the environment is the one given", bin: sh, args: []string{"-c", `echo "$ONLY"; echo "${HOME:-none}"`}, wantCode: 0, wantOut: "given\nnone\n"},
		{name: "no such binary", bin: "/nonexistent/suite.test", wantCode: -1, wantErr: true},
		{name: "killed by a signal", bin: sh, args: []string{"-c", "kill -9 $$"}, wantCode: -1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, err := Run(context.Background(), tt.bin, t.TempDir(), []string{"ONLY=given"}, tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tt.wantErr)
			}
			if code != tt.wantCode || out != tt.wantOut {
				t.Errorf("Run = %d, %q; want %d, %q", code, out, tt.wantCode, tt.wantOut)
			}
		})
	}
}

func TestTail(t *testing.T) {
	long := strings.Repeat("a", tailSize) + "the end"
	tests := []struct {
		name, in, want string
	}{
		{"short output whole", "ok\n", "ok\n"},
		{"long output cut at the front", long, "..." + long[len(long)-tailSize:]},
	}
	for _, tt := range tests {
		if got := Tail(tt.in); got != tt.want {
			t.Errorf("%s: Tail kept %d bytes, want %d", tt.name, len(got), len(tt.want))
		}
	}
}
