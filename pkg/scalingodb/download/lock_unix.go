//go:build unix

package download

import (
	"errors"
	"os"
	"syscall"
)

// renameWhileOpen: a partial file is renamed or removed while it is still
// open, so that its lock is held until it is no longer at its path.
const renameWhileOpen = true

// lockFile takes an exclusive advisory lock on f without waiting; it is
// released when f is closed. It reports false when another process (or
// another open file) holds it.
func lockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
