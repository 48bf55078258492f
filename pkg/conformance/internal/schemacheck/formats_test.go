package schemacheck

import "testing"

// formatCase is one value and whether its format validator passes it.
type formatCase struct {
	in   string
	want bool
}

// TestFormats checks the format validators on values the generated types read back exactly and on
// values that they do not, or that are not of the format.
func TestFormats(t *testing.T) {
	tests := []struct {
		name     string
		validate func(string) error
		cases    []formatCase
	}{
		{"date-time", validateDateTime, []formatCase{
			{"2018-09-02T03:00:00Z", true},
			{"2018-09-02T03:00:00.178+02:00", true},
			{"2018-09-02T03:00:00.123456789-07:30", true},
			{"2018-09-02T03:00:00", false},       // no offset
			{"2018-09-02T03:00:00.178", false},   // no offset
			{"2018-09-02 03:00:00Z", false},      // space for T
			{"2018-09-02t03:00:00Z", false},      // lower-case t
			{"2018-09-02T03:00:00z", false},      // lower-case z
			{"2018-09-02T03:00:00+0200", false},  // offset without colon
			{"2018-09-02T03:00:00+24:00", false}, // offset hour out of range
			{"2018-02-30T03:00:00Z", false},      // no such day
			{"2018-09-02T25:00:00Z", false},      // no such hour
			{"2018-09-02", false},                // a date
			{"", false},
			{"2018-09-02T03:00:00,5Z", false}, // comma before the fraction: time.Parse takes it
			{"2018-09-02T3:00:00Z", false},    // one-digit hour: time.Parse takes it
			{"2018-09-02T03:00:60Z", false},   // leap second: time.Time refuses it
			{"2018-09-02T03:00:00.Z", false},  // empty fraction
			{"2018-09-02T03:00:00.5", false},  // fraction, no offset
			{"2018-09-02T03:00:00+01:00x", false},
			{"2018-09-02T03:00:00.000000001Z", true},
			{"2018-09-02T03:00:00-00:00", true},
		}},
		{"uri", validateURI, []formatCase{
			{"https://db-api.osc-fr1.scalingo.com/api/databases/x/backups/b/download?token=t", true},
			{"http://127.0.0.1:8080/x", true},
			{"https://logs.example.com", true},
			{"/api/databases/x", false},      // relative
			{"db-api.scalingo.com/x", false}, // no scheme
			{"https://", false},              // no host
			{"mailto:ops@example.com", false},
			{"https://exa mple.com/", false},
			{"not a url", false},
			{"", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range tt.cases {
				if got := tt.validate(c.in) == nil; got != c.want {
					t.Errorf("%s: %q passes = %v, want %v", tt.name, c.in, got, c.want)
				}
			}
		})
	}
}
