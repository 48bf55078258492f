// Package suitebin builds the contract suite into a binary and runs it as its users do, for the
// tests that check the suite from outside (contract/compiled, contract/drift): a run starts from
// the caller's environment cleared of the suite's settings, and its exit code and output are what
// the tests judge.
package suitebin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/scalingodb/dbapi-go/contract/internal/harness"
)

// suitePkg is the package of the contract suite.
const suitePkg = "github.com/scalingodb/dbapi-go/contract"

// Build compiles the contract suite to the file bin, with the link flags ldflags ("" for none).
// The error holds the compiler's output.
func Build(ctx context.Context, bin, ldflags string) error {
	args := []string{"test", "-c", "-o", bin}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	out, err := exec.CommandContext(ctx, "go", append(args, suitePkg)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("compile the contract suite: %w\n%s", err, out)
	}
	return nil
}

// Environ returns the environment of the process without any setting of the suite (DBAPI_* and
// the bearer token), so that a live configuration in the caller's shell cannot leak into a run.
func Environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "DBAPI_") || k == harness.EnvToken {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Run runs bin with args from the folder dir, with env as its whole environment, and returns its
// exit code and its stdout and stderr as they interleaved. err is set only when bin did not run
// to an exit code (not found, killed by ctx).
func Run(ctx context.Context, bin, dir string, env []string, args ...string) (code int, output string, err error) {
	code, output, _, err = RunMeasured(ctx, bin, dir, env, args...)
	return code, output, err
}

// RunMeasured is Run that also returns the peak resident memory of the process, in bytes (0
// where the system does not say).
func RunMeasured(ctx context.Context, bin, dir string, env []string, args ...string) (code int, output string, maxRSS int64, err error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if cmd.ProcessState != nil {
		maxRSS = peakRSS(cmd.ProcessState)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		return ee.ExitCode(), out.String(), maxRSS, nil
	}
	if err != nil {
		return -1, out.String(), maxRSS, err
	}
	return 0, out.String(), maxRSS, nil
}

// tailSize is how much of a long output Tail keeps.
const tailSize = 4000

// Tail keeps the end of a long output, where Ginkgo summarises failures.
func Tail(s string) string {
	if len(s) > tailSize {
		return "..." + s[len(s)-tailSize:]
	}
	return s
}
