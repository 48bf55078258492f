# shellcheck shell=bash
# Sourced by the scripts that serve cmd/scalingodb-mock as a process of its own.

# mock_start BIN LOG [FLAGS...] starts the mock binary BIN on a free port of 127.0.0.1 with FLAGS,
# its output in LOG, and waits up to 10 s for its start line. It sets mock_pid, and mock_base to the
# API's URL (ending in /api); when no URL comes, it stops the process, prints LOG on stderr and
# returns 1.
mock_start() {
	local bin=$1 log=$2
	shift 2
	"$bin" -addr 127.0.0.1:0 "$@" >"$log" 2>&1 &
	mock_pid=$!
	mock_base=""
	for _ in $(seq 1 100); do
		mock_base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/api' "$log" | head -n1 || true)
		[ -n "$mock_base" ] && return 0
		sleep 0.1
	done
	kill "$mock_pid" 2>/dev/null || true
	echo "the mock $bin did not start:" >&2
	cat "$log" >&2
	return 1
}
