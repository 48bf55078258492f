package harness

// Verdict says what broke in a run; its value is the exit code of the compiled suite.
type Verdict int

// The verdicts. When several things broke, the run reports the most fundamental (see Worse).
const (
	// Passed: every spec passed.
	Passed Verdict = 0
	// ContractBroken: the target broke the contract (a violation, or an answer a spec did not
	// expect). Ginkgo's own exit code for a failed suite.
	ContractBroken Verdict = 1
	// SettingsWrong: a setting is missing or wrong, or the target refused the token or does not
	// know the database.
	SettingsWrong Verdict = 3
	// Unreachable: the target did not answer: nothing listens, a connection broke, or an answer
	// took longer than the per-request timeout.
	Unreachable Verdict = 4
)

// rank orders the verdicts from the least to the most fundamental. Wrong settings found by the
// setup stop the run before any spec, so they are alone; wrong settings met by a spec during
// the run (a download host to allow) concern that spec only and do not hide a broken contract
// found by another; a target that stops answering makes the rest doubtful.
func (v Verdict) rank() int {
	switch v {
	case SettingsWrong:
		return 1
	case ContractBroken:
		return 2
	case Unreachable:
		return 3
	}
	return 0
}

// Worse returns the more fundamental of v and w.
func (v Verdict) Worse(w Verdict) Verdict {
	if w.rank() > v.rank() {
		return w
	}
	return v
}

// String names the verdict in a word or two, as the summary's first line shows it.
func (v Verdict) String() string {
	switch v {
	case Passed:
		return "passed"
	case ContractBroken:
		return "contract broken"
	case SettingsWrong:
		return "settings wrong"
	case Unreachable:
		return "target unreachable or timed out"
	}
	return "unknown"
}

// ParseVerdict reads a verdict from its String form; ok is false for any other text.
func ParseVerdict(s string) (Verdict, bool) {
	for _, v := range []Verdict{Passed, ContractBroken, SettingsWrong, Unreachable} {
		if v.String() == s {
			return v, true
		}
	}
	return Passed, false
}

// ExitCode maps the exit code of a run (m.Run in TestMain) to the verdict's, so that a script
// can tell what broke: a failed run with a known verdict exits with it; otherwise (a crash, a bad
// flag, code 2 of the testing package) the code stays as it is.
func ExitCode(code int, v Verdict) int {
	if code == 0 || v == Passed {
		return code
	}
	return int(v)
}
