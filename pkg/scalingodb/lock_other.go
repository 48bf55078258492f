//go:build !unix

package scalingodb

import "os"

// lockFile does nothing where advisory locks are not available: only one
// DownloadToFile at a time may use a given path.
func lockFile(*os.File) (bool, error) { return true, nil }
