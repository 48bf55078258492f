#!/usr/bin/env bash
# Proves the breaking-change gate works: `make breaking` passes on openapi.yaml as it is, and each
# deliberate edit of spec/breaking-fixtures (a sed script applied to a copy of openapi.yaml) makes
# it fail with the rule the fixture names. A fixture is named RULE-ID--WHAT.sed: RULE-ID is the
# oasdiff rule (`oasdiff checks changelog`) that must be reported as `error [RULE-ID]` or
# `warning [RULE-ID]`. A non-zero exit for another reason (an edit that breaks the YAML, a rule
# that moved elsewhere) is a failure of the fixture, not a caught break.
#
# BREAKING_FIXTURES_DIR names another folder of fixtures (the test of this script uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=${BREAKING_FIXTURES_DIR:-spec/breaking-fixtures}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make --no-print-directory breaking >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	echo "FAIL: make breaking rejects the unchanged spec" >&2
	exit 1
fi
echo "ok   unchanged spec: make breaking exits 0"

failed=0
count=0
for fixture in "$fixtures"/*.sed; do
	[ -e "$fixture" ] || break
	count=$((count + 1))
	name=$(basename "$fixture" .sed)
	rule=${name%%--*}
	if [ "$rule" = "$name" ] || ! [[ "$rule" =~ ^[a-z0-9-]+$ ]]; then
		echo "FAIL $name: the name does not start with an oasdiff rule id and -- (RULE-ID--WHAT.sed)" >&2
		failed=1
		continue
	fi
	if ! sed -f "$fixture" openapi.yaml >"$tmp/$name.yaml"; then
		echo "FAIL $name: sed refuses the fixture" >&2
		failed=1
		continue
	fi
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
	# oasdiff exits 1 for a breaking change it found; any other code (it could not read a spec,
	# a flag is wrong) is not a caught break, whatever it printed.
	if ! grep -Eq '^make(\[[0-9]+\])?: \*\*\* \[[^]]*\] Error 1$' "$tmp/$name.out"; then
		cat "$tmp/$name.out"
		echo "FAIL $name: oasdiff did not compare the specs (not exit code 1)" >&2
		failed=1
		continue
	fi
	if ! grep -Eq "^(error|warning)[[:space:]]+\[$rule\]" "$tmp/$name.out"; then
		cat "$tmp/$name.out"
		echo "FAIL $name: make breaking fails, but not with [$rule]" >&2
		failed=1
		continue
	fi
	echo "ok   $name: make breaking fails with [$rule]"
done
if [ "$count" -eq 0 ]; then
	echo "FAIL: no fixture in $fixtures" >&2
	exit 1
fi
exit "$failed"
