//go:build unix

package backupsync

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process of this host has that ID: signal 0
// checks without sending anything (EPERM: it exists, owned by another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
