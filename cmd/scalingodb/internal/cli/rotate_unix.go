//go:build unix

package cli

import (
	"io/fs"
	"syscall"
)

// chownAs gives path the owner and the group of fi, as far as the user
// may: root gives both; another user, the group alone, when it is one of
// theirs.
func chownAs(path string, fi fs.FileInfo) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	if chown(path, int(st.Uid), int(st.Gid)) != nil {
		_ = chown(path, -1, int(st.Gid))
	}
}
