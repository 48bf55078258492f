//go:build !unix

package cli

import "io/fs"

// chownGroup does nothing where files have no Unix group.
func chownGroup(string, fs.FileInfo) {}
