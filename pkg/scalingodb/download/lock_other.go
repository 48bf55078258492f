//go:build !unix

package download

import "os"

// renameWhileOpen: where files cannot be renamed or removed while open,
// a partial file is closed first (it holds no lock here anyway).
const renameWhileOpen = false

// lockFile does nothing where advisory locks are not available: only one
// DownloadToFile at a time may use a given path.
func lockFile(*os.File) (bool, error) { return true, nil }
