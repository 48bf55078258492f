//go:build !unix

package cli

import "io/fs"

// chownAs does nothing where files have no Unix owner and group.
func chownAs(string, fs.FileInfo) {}
