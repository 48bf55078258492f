package hostcheck

import (
	"strings"
	"testing"
)

// TestCheck: the hosts a client can dial pass; every other kind is refused with its reason.
func TestCheck(t *testing.T) {
	tests := []struct {
		host string
		why  string // "" when the host is usable, else a part of the reason
	}{
		{"mock.example:8080", ""},
		{"mock", ""},
		{"mock.example.", ""},
		{"db_mock:80", ""},
		{"127.0.0.1:4010", ""},
		{"[::1]:4010", ""},
		{"[2001:db8::1]", ""},
		{"", "no host"},
		{":80", "no host name"},
		{"mock:", "empty port"},
		{"mock:http", "not a number"},
		{"mock:0", "outside 1..65535"},
		{"mock:65536", "outside 1..65535"},
		{"::1", "must be in brackets"},
		{"[::1", "not closed"},
		{"[fe80::1%25eth0]:80", "without zone"},
		{"[127.0.0.1]:80", "no IPv6 address"},
		{"[::1]x", "after the IPv6 address"},
		{"a..b", "empty label"},
		{strings.Repeat("a", 64) + ".example", "longer than 63"},
		{strings.Repeat("a.", 127) + "ab", "longer than 253"},
		{"mo ck", "not allowed"},
		{"999.1.1.1", "no IPv4 address"},
	}
	for _, tc := range tests {
		err := Check(tc.host)
		switch {
		case tc.why == "" && err != nil:
			t.Errorf("Check(%q) = %v, want nil", tc.host, err)
		case tc.why != "" && (err == nil || !strings.Contains(err.Error(), tc.why)):
			t.Errorf("Check(%q) = %v, want an error saying %q", tc.host, err, tc.why)
		}
	}
}

// TestQuote: a host is quoted, cut to 64 bytes.
func TestQuote(t *testing.T) {
	if got := Quote("a\nb"); got != `"a\nb"` {
		t.Errorf("Quote = %s", got)
	}
	if got := Quote(strings.Repeat("x", 100)); got != `"`+strings.Repeat("x", 64)+`"…` {
		t.Errorf("Quote of a long host = %s", got)
	}
}
