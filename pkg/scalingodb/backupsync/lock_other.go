//go:build !unix

package backupsync

// processAlive reports a process as alive where this build cannot tell: its
// lock then lapses with LockTTL only.
func processAlive(int) bool { return true }

// pidNamespace names no PID namespace where this build cannot tell.
func pidNamespace() string { return "" }
