# Reads Specmatic's JUnit report and prints how many positive (+ve) and negative (-ve) tests ran
# and passed, with each failed test's scenario, and checks the goals of issue #12 for the pass:
#   pass=examples:   at least 95% of the positive tests (the spec's examples) pass;
#   pass=resiliency: every negative test passes (positive variants are reported, not a goal).
# Exits 1 when the pass misses its goal.
# Usage: awk -v pass=examples -f scripts/specmatic-summary.awk reports/specmatic/examples/TEST-*.xml
function unescape(s) {
	gsub(/&gt;/, ">", s); gsub(/&lt;/, "<", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "'", s); gsub(/&amp;/, "\\&", s)
	return s
}
function finish() {
	if (name == "") return
	total[sign]++
	if (failed) failures[sign] = failures[sign] "\n  " name
	else passed[sign]++
	name = ""
}
/<testcase / {
	finish()
	match($0, / name="[^"]*"/)
	name = unescape(substr($0, RSTART + 7, RLENGTH - 8))
	sub(/^.*contractTest\(\) > /, "", name)
	sign = (name ~ /^-ve/) ? "-ve" : "+ve"
	failed = 0
	if ($0 ~ /\/>[[:space:]]*$/) finish()
	next
}
/<failure|<error/ { failed = 1 }
/<\/testcase>/ { finish() }
END {
	finish()
	ok = 1
	for (i = 1; i <= 2; i++) {
		s = (i == 1) ? "+ve" : "-ve"
		goal = ""
		if (pass == "examples" && s == "+ve") goal = 95
		if (pass == "resiliency" && s == "-ve") goal = 100
		pct = total[s] ? 100 * passed[s] / total[s] : 0
		verdict = "(no goal)"
		if (goal != "") {
			met = total[s] > 0 && pct >= goal
			if (!met) ok = 0
			verdict = sprintf("goal >= %d%%: %s", goal, met ? "met" : "NOT MET")
		}
		printf "%s %s tests: %d of %d passed (%.1f%%) %s\n", pass, s, passed[s], total[s], pct, verdict
		if (failures[s] != "") printf "failed %s tests:%s\n", s, failures[s]
	}
	exit ok ? 0 : 1
}
