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
. scripts/mock.sh
log=$(mktemp)
mock_pid=""
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -f "$log"' EXIT
mock_start bin/scalingodb-mock "$log" -token prism-token -now 2019-07-19T10:00:00Z
bin/prismcheck -prism tools/node_modules/.bin/prism -token prism-token -control "$mock_base"
bin/prismcheck -prism tools/node_modules/.bin/prism -token prism-token
