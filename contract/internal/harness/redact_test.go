package harness

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	var r Redactor
	r.Add("tok-123", "", "x", "a/b+c/d")
	tests := []struct {
		name, in, want string
	}{
		{"known token", "GET with tok-123 failed", "GET with [redacted] failed"},
		{"known token, query-escaped", "x?sig=" + url.QueryEscape("a/b+c/d"), "x?sig=[redacted]"},
		{"too short to be a token", "exit code 4", "exit code 4"},
		{"any pre-signed token by its place", `URL: "http://h/api/databases/d/backups/b/download?token=zzz999&x=1"`, `URL: "http://h/api/databases/d/backups/b/download?token=[redacted]&x=1"`},
		{"any bearer credential", "Authorization: Bearer qqq-777", "Authorization: Bearer [redacted]"},
		{"nothing secret", "listDatabaseUsers GET /api/databases/my-db-123/users -> 200", "listDatabaseUsers GET /api/databases/my-db-123/users -> 200"},
		{"a word ending in token= is not a parameter", "mytoken=1", "mytoken=1"},
		{"spec names keep their words", "Users when the bearer token is scoped to another database answers 403", "Users when the bearer token is scoped to another database answers 403"},
		{"a bearer credential of letters only in a header", "Authorization: Bearer abcdefghij", "Authorization: Bearer [redacted]"},
		{"a JWT-shaped credential", "sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", "sent Bearer [redacted]"},
		{"a password in a JSON body", `answered 200: {"database_user":{"name":"u","password":"Xu8e\"iPh2"}}`, `answered 200: {"database_user":{"name":"u","password":"[redacted]"}}`},
		{"a confirmation and a secret in a JSON body", `{"password_confirmation" : "abc", "client_secret":"s3cr3t-x"}`, `{"password_confirmation" : "[redacted]", "client_secret":"[redacted]"}`},
		{"the word password in a sentence", "answers 422 to a password that is too short", "answers 422 to a password that is too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	var empty Redactor
	if got := empty.Redact("tok-123"); !strings.Contains(got, "tok-123") {
		t.Errorf("a Redactor that was given nothing redacted %q", got)
	}
}
