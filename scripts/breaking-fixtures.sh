#!/usr/bin/env bash
# Proves the breaking-change gate works: `make breaking` passes on openapi.yaml as it is, and
# fails on each deliberate edit of spec/breaking-fixtures/*.sed (a sed script applied to a copy).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make --no-print-directory breaking >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: make breaking rejects the unchanged spec" >&2
	exit 1
fi
echo "ok   unchanged spec: make breaking exits 0"

failed=0
for fixture in spec/breaking-fixtures/*.sed; do
	name=$(basename "$fixture" .sed)
	sed -f "$fixture" openapi.yaml >"$tmp/$name.yaml"
	if cmp -s openapi.yaml "$tmp/$name.yaml"; then
		echo "FAIL $name: the edit no longer applies to openapi.yaml (update the fixture)" >&2
		failed=1
		continue
	fi
	if make --no-print-directory breaking SPEC="$tmp/$name.yaml" >"$tmp/$name.out" 2>&1; then
		cat "$tmp/$name.out"
		echo "FAIL $name: make breaking exits 0" >&2
		failed=1
		continue
	fi
	rule=$(grep -o '^error[[:space:]]*\[[a-z-]*\]' "$tmp/$name.out" | head -n1 | grep -o '\[.*\]' || true)
	echo "ok   $name: make breaking exits non-zero $rule"
done
exit "$failed"
