//go:build unix

package cli

import (
	"io/fs"
	"os"
	"syscall"
)

// chownGroup gives path the group of fi, as far as the user may.
func chownGroup(path string, fi fs.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		_ = os.Chown(path, -1, int(st.Gid))
	}
}
