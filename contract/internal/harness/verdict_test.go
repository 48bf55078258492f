package harness

import "testing"

func TestVerdict(t *testing.T) {
	tests := []struct {
		a, b, worse Verdict
	}{
		{Passed, ContractBroken, ContractBroken},
		{ContractBroken, Unreachable, Unreachable},
		{Unreachable, SettingsWrong, Unreachable},
		// A settings problem met by one spec (a download host to allow) does not hide a broken
		// contract found by another: the run exits 1.
		{SettingsWrong, ContractBroken, ContractBroken},
		{Passed, SettingsWrong, SettingsWrong},
	}
	for _, tt := range tests {
		if got := tt.a.Worse(tt.b); got != tt.worse {
			t.Errorf("%v.Worse(%v) = %v, want %v", tt.a, tt.b, got, tt.worse)
		}
		if got := tt.b.Worse(tt.a); got != tt.worse {
			t.Errorf("%v.Worse(%v) = %v, want %v", tt.b, tt.a, got, tt.worse)
		}
	}
	for _, v := range []Verdict{Passed, ContractBroken, SettingsWrong, Unreachable} {
		if got, ok := ParseVerdict(v.String()); !ok || got != v {
			t.Errorf("ParseVerdict(%q) = %v, %v", v.String(), got, ok)
		}
	}
	if _, ok := ParseVerdict("fine"); ok {
		t.Error("ParseVerdict accepted an unknown verdict")
	}
	codes := []struct{ code, want int }{
		{ExitCode(0, Passed), 0}, {ExitCode(1, SettingsWrong), 3}, {ExitCode(1, Unreachable), 4},
		{ExitCode(1, ContractBroken), 1}, {ExitCode(2, Passed), 2},
	}
	for i, c := range codes {
		if c.code != c.want {
			t.Errorf("case %d: exit code %d, want %d", i, c.code, c.want)
		}
	}
}
