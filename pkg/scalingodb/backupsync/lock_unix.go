//go:build unix

package backupsync

import (
	"errors"
	"os"
	"syscall"
)

// processAlive reports whether a process of this host has that ID: signal 0
// checks without sending anything (EPERM: it exists, owned by another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// pidNamespace names the PID namespace of this process, such as
// "pid:[4026531836]" on Linux; "" where there is none to name.
func pidNamespace() string {
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return ns
}
