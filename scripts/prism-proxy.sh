#!/usr/bin/env bash
# Puts Prism (a validating proxy, pinned in tools/) in front of an upstream and sends every
# operation's example request through it (scripts/prismcheck):
#   1. control: the mock process as upstream; Prism must flag none of its answers;
#   2. a wrong upstream that answers {"wrong":true} with 200 to everything; Prism must flag the
#      answer of every operation.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bin
go build -o bin/scalingodb-mock ./cmd/scalingodb-mock
go build -o bin/prismcheck ./scripts/prismcheck
log=$(mktemp)
bin/scalingodb-mock -addr 127.0.0.1:0 -token prism-token -now 2019-07-19T10:00:00Z >"$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log"' EXIT
base=""
for _ in $(seq 1 100); do
	base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/api' "$log" | head -n1 || true)
	[ -n "$base" ] && break
	sleep 0.1
done
[ -n "$base" ] || { echo "the mock did not start:"; cat "$log"; exit 1; }
bin/prismcheck -prism tools/node_modules/.bin/prism -token prism-token -control "$base"
bin/prismcheck -prism tools/node_modules/.bin/prism -token prism-token
