//go:build unix

package suitebin

import (
	"os"
	"runtime"
	"syscall"
)

// peakRSS returns the peak resident memory of an ended process in bytes: getrusage's ru_maxrss,
// in KiB on Linux and the BSDs, in bytes on macOS.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
