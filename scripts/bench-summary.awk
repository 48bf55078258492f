# Reads `go test -bench -benchmem` output and prints the ratios the issues set
# as goals, each measured side by side in the same run.
# Usage: awk -f scripts/bench-summary.awk bench.txt
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		metric[name, $(i + 1)] = $i
	}
}

function get(name, unit) {
	if (!((name, unit) in metric)) {
		missing = missing " " name "(" unit ")"
		return ""
	}
	return metric[name, unit]
}

function row(what, value, op, goal,    ok) {
	if (value == "") {
		printf "  %-52s %8s   goal %s %s   MISSING\n", what, "-", op, goal
		return
	}
	ok = (op == "<=") ? (value <= goal) : (value >= goal)
	printf "  %-52s %8.2f   goal %s %-5s %s\n", what, value, op, goal, ok ? "met" : "NOT MET"
}

# info prints a figure that is no goal but explains one: a floor measured
# beside it.
function info(what, value) {
	printf "  %-52s %8s   (beside the goal above)\n", what, value == "" ? "-" : sprintf("%.2f", value)
}

function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }

END {
	print ""
	print "Ratios (side by side in this run):"
	row("conformance: validate / decode createBackup 201", get("BenchmarkCreateBackupResponse/ratio", "validate/decode"), "<=", 1.0)
	row("conformance: 1 MiB gzip -> 1 GiB answer, peak heap MiB", get("BenchmarkTransportGzipBomb", "peak-heap-MiB"), "<=", 64)
	row("conformance: differential test, seconds per run", get("BenchmarkDifferentialCorpus", "s/run"), "<=", 20)
	row("conformance: differential test, corpus items", get("BenchmarkDifferentialCorpus", "items"), ">=", 10000)
	row("mock: GET users req/s, validating mock / bare handler", get("BenchmarkListUsers/interleaved", "mock/bare-req/s"), ">=", 0.6)
	row("mock: same with 50 clients in their own process", get("BenchmarkListUsersLatency", "mock/bare-req/s"), ">=", 0.6)
	bare99 = get("BenchmarkListUsersLatency", "bare-p99-ms")
	row("mock: p99 ms with 50 concurrent clients (bare " (bare99 == "" ? "-" : sprintf("%.2f", bare99)) ")", get("BenchmarkListUsersLatency", "mock-p99-ms"), "<=", 5)
	row("mock: RSS growth MiB, 3 x 100 MB POSTs (413), chunked", get("BenchmarkBodyCapRSS/chunked", "rss-growth-MiB"), "<=", 16)
	row("mock: same, with Content-Length", get("BenchmarkBodyCapRSS/content-length", "rss-growth-MiB"), "<=", 16)
	row("mock: rule create+delete, 10,000 leftover / none", ratio(get("BenchmarkFirewallRules/create-delete/leftover=10000", "ns/op"), get("BenchmarkFirewallRules/create-delete/leftover=0", "ns/op")), "<=", 2)
	row("client: new connections per call, 200 goroutines, faults", get("BenchmarkClientConnReuse/client-transport/faults", "new-conns/call"), "<=", 0.01)
	info("  same on http.DefaultTransport's settings", get("BenchmarkClientConnReuse/default-transport/faults", "new-conns/call"))
	row("client: untyped errors, 200 goroutines, faults", get("BenchmarkClientConnReuse/client-transport/faults", "untyped-errors"), "<=", 0)
	row("client: round-trip time, wrapper / raw net/http", get("BenchmarkRoundTrip/interleaved", "wrapper/raw"), "<=", 1.10)
	row("client: round-trip allocs, wrapper / raw net/http", ratio(get("BenchmarkRoundTrip/wrapper", "allocs/op"), get("BenchmarkRoundTrip/raw", "allocs/op")), "<=", 1.3)
	row("client: 1 GiB synced file, DownloadToFile / curl+sync", get("BenchmarkDownload1GiB/interleaved", "wrapper/curl-throughput"), ">=", 0.95)
	row("client: 1 GiB DownloadToFile peak RSS (MiB)", get("BenchmarkDownload1GiB/wrapper", "peak-RSS-MiB"), "<=", 32)
	row("client: 1 GiB file resumed after a cut at half, MiB refetched", get("BenchmarkDownloadToFileResume1GiB", "refetched-MiB"), "<=", 1)
	row("client: gzip answer 1 MiB -> 1 GiB, requests sent", get("BenchmarkGzipBomb", "requests"), "<=", 1)
	row("client: gzip answer 1 MiB -> 1 GiB, peak heap (MiB)", get("BenchmarkGzipBomb", "peak-heap-MiB"), "<=", 64)
	row("sync: 20 dbs x 3 to S3 / DownloadToFile, throughput", get("BenchmarkSync", "sync/downloadtofile"), ">=", 0.8)
	info("  floor: the same bytes uploaded alone / DownloadToFile", get("BenchmarkSync", "upload-floor/downloadtofile"))
	info("  sync / that upload floor", get("BenchmarkSync", "sync/upload-floor"))
	row("sync: second run, archive requests", get("BenchmarkSync", "second-run-archive-requests"), "<=", 0)
	row("sync: second run, list requests per database", get("BenchmarkSync", "second-run-lists/db"), "<=", 1)
	row("sync: second run, seconds for 20 databases", get("BenchmarkSync", "second-run-s"), "<=", 1)
	row("sync: 256 MiB archive to S3, peak RSS of the CLI (MiB)", get("BenchmarkSyncPeakRSS", "peak-RSS-MiB"), "<=", 64)
	info("  floor: the same sync of a 1 MiB archive, MiB", get("BenchmarkSyncPeakRSS", "floor-RSS-MiB"))
	row("sync: what one job adds to the tool's floor (MiB)", get("BenchmarkSyncPeakRSS", "per-job-MiB"), "<=", 64)
	row("client: capped download MB/s, 4 ranges / 1 stream", ratio(get("BenchmarkParallelRanges/4", "MB/s"), get("BenchmarkParallelRanges/1", "MB/s")), ">=", 3.5)
	row("client: quick-start binary MB (default go build)", get("BenchmarkQuickstart", "binary-MB"), "<=", 9)
	info("  floor: same requests on the client's libraries, MB", get("BenchmarkQuickstart", "floor-MB"))
	info("  floor: same requests on the standard library, MB", get("BenchmarkQuickstart", "std-floor-MB"))
	row("client: quick-start binary / standard-library floor", ratio(get("BenchmarkQuickstart", "binary-MB"), get("BenchmarkQuickstart", "std-floor-MB")), "<=", 1.12)
	row("client: quick-start slowest dependency init, ms", get("BenchmarkQuickstart", "max-dep-init-ms"), "<=", 0.5)
	row("cli: 1 GiB download to a file, scalingodb / curl+sync", get("BenchmarkCLIDownload1GiB", "cli/curl-throughput"), ">=", 0.95)
	row("cli: 1 GiB download peak RSS (MiB)", get("BenchmarkCLIDownload1GiB", "peak-RSS-MiB"), "<=", 32)
	row("cli: capped download MB/s, --parallel 4 / 1", get("BenchmarkCLIParallel", "4/1-throughput"), ">=", 3.5)
	row("cli: start-up, scalingodb version / hello world", get("BenchmarkCLIStartup", "version/hello"), "<=", 1.5)
	info("  floor: the libraries' inits alone / hello world", get("BenchmarkCLIStartup", "floor/hello"))
	row("cli: start-up, scalingodb version / the libraries' floor", ratio(get("BenchmarkCLIStartup", "version/hello"), get("BenchmarkCLIStartup", "floor/hello")), "<=", 1.2)
	row("cli: the whole command tree adds to a run, ms", get("BenchmarkCLIStartup", "whole-tree-extra-ms"), "<=", 1)
	info("  a build with gs:// (-tags gcs) / the default build", get("BenchmarkCLIStartup", "gcs-version/version"))
	info("  a build with azblob:// (-tags azblob) / the default build", get("BenchmarkCLIStartup", "azblob-version/version"))
	info("  floor: net/http's inits alone / hello world", get("BenchmarkCLIStartup", "net-http/hello"))
	info("  built with cgo (plain go build) / hello world", get("BenchmarkCLIStartup", "cgo-version/hello"))
	if (missing != "") print "  missing from the input:" missing
}
