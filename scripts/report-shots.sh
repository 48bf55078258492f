#!/usr/bin/env bash
# make report-shots (not in CI): three runs of the compiled contract suite, read-only against
# the mock served as a live target (passing; drifting on two operations; with a misspelt
# setting), and screenshots of their HTML reports in headless Chromium at 1280×800 and 390×844,
# with and without the page's style sheet, into docs/report/*.png.
#
# Needs chromium (Debian: apt-get install -y chromium). OUT sets the folder (default docs/report).
set -euo pipefail
. "$(dirname "$0")/mock.sh"

out=${OUT:-docs/report}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
	echo "report-shots: chromium not found; apt-get install -y chromium, or set CHROMIUM" >&2
	exit 3
fi
work=$(mktemp -d)
mocks=()
cleanup() {
	for pid in "${mocks[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

pkg=github.com/scalingodb/dbapi-go/contract/internal/harness
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
go build -o "$work/mock" ./cmd/scalingodb-mock
go test -c -ldflags "-X $pkg.suiteVersion=$version -X $pkg.suiteCommit=$commit" -o "$work/suite" ./contract

# mock NAME [FLAGS...]: serve the mock on a free port; its base URL goes to $work/NAME.url.
mock() {
	local name=$1
	shift
	mock_start "$work/mock" "$work/$name.log" "$@"
	mocks+=("$mock_pid")
	echo "$mock_base" >"$work/$name.url"
}

# run NAME URL [VAR=VALUE...]: a read-only live run; its reports go to $work/NAME/.
run() {
	local name=$1 url=$2
	shift 2
	mkdir -p "$work/$name"
	(cd "$work/$name" && env -u DBAPI_ALLOW_WRITES -u DBAPI_MOCK_MUTATIONS DBAPI_BASE_URL="$url" DB_BEARER_TOKEN=mock-token \
		DBAPI_DATABASE_ID=my-db-123 DBAPI_ES_DATABASE_ID=my-es-123 DBAPI_REPORTS_DIR="$work/$name" "$@" \
		"$work/suite" -ginkgo.no-color >"$work/$name/stdout.txt" 2>&1) || true
	echo "report-shots: $name: $(head -1 "$work/$name/summary.txt" 2>/dev/null || echo 'verdict: passed')"
}

mock clean
mock drifting -mutate datetime-without-offset,wrong-type
run passing "$(cat "$work/clean.url")"
run failing "$(cat "$work/drifting.url")"
run settings "$(cat "$work/clean.url")" DBAPI_ALLOW_WRITE=1

mkdir -p "$out"
for name in passing failing settings; do
	page=$work/$name/contract-report.html
	# Without CSS, as a strict content-security policy (Jenkins) shows it.
	sed '/<style>/,/<\/style>/d' "$page" >"$work/$name/nocss.html"
	for size in 1280x800 390x844; do
		for css in "" -nocss; do
			src=$page
			if [ -n "$css" ]; then src=$work/$name/nocss.html; fi
			png=$out/$name-${size%%x*}$css.png
			"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
				--window-size="${size/x/,}" --screenshot="$png" "file://$src" >/dev/null 2>&1
			echo "report-shots: $png ($(($(stat -c %s "$png") / 1024)) KiB)"
		done
	done
done
