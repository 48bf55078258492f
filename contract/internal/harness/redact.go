package harness

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Redacted replaces a secret in everything the suite writes.
const Redacted = "[redacted]"

// Redactor removes secrets from the text the suite writes: the bearer tokens it was given, the
// pre-signed tokens it saw, and, whatever their value, any token query parameter, any bearer
// credential and any JSON string named password, token or secret. Its zero value is ready; it is safe for concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// minSecret is the length under which a value is not taken for a secret: replacing every "x"
// of a run's output would garble it and hide nothing worth hiding.
const minSecret = 6

// Add registers secrets whose value must never be written; values shorter than six characters
// are ignored (no real token is that short).
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s = strings.TrimSpace(s); len(s) >= minSecret {
			r.secrets = append(r.secrets, s)
			if q := url.QueryEscape(s); q != s {
				r.secrets = append(r.secrets, q)
			}
		}
	}
}

// secretShapes match a secret by where it stands rather than by its value: a token query
// parameter (pre-signed URLs), an Authorization header's credential, and a JSON string under a
// name that says password, token or secret (a failure message that quotes an answer's body, a
// new user's password in it).
var secretShapes = []*regexp.Regexp{
	regexp.MustCompile(`(?i)((?:^|[?&;\s"'])(?:token|signature|sig|x-amz-signature|x-amz-credential)=)[^&\s"'<>]+`),
	regexp.MustCompile(`(?i)(authorization:\s*bearer\s+)[^\s"'<>,$][^\s"'<>,]*`), // not a shell variable: $DB_BEARER_TOKEN
	regexp.MustCompile(`(?i)("[a-z_]*(?:password|token|secret)(?:_confirmation)?"\s*:\s*")(?:[^"\\]|\\.)*`),
}

// bearerWord matches "bearer" and the word after it, which is a credential only when it is
// shaped like one (see credential): a spec named "when the bearer token is scoped…" keeps its
// words.
var bearerWord = regexp.MustCompile(`(?i)(bearer\s+)([^\s"'<>,]+)`)

// credential reports whether w is shaped like a credential rather than a word: eight characters
// or more with a digit or one of the symbols tokens are made of (., _, ~, +, /, =), and not a
// shell variable ($DB_BEARER_TOKEN in the curl commands of the report).
func credential(w string) bool {
	return len(w) >= 8 && w[0] != '$' && strings.ContainsAny(w, "0123456789._~+/=") && w != Redacted
}

// Redact returns s with every secret replaced by [redacted].
func (r *Redactor) Redact(s string) string {
	r.mu.RLock()
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, Redacted)
	}
	r.mu.RUnlock()
	for _, re := range secretShapes {
		s = re.ReplaceAllString(s, "${1}"+Redacted)
	}
	return bearerWord.ReplaceAllStringFunc(s, func(m string) string {
		g := bearerWord.FindStringSubmatch(m)
		if !credential(g[2]) {
			return m
		}
		return g[1] + Redacted
	})
}

// redactURL renders u without its query, fragment and user: where a URL holds its secrets.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = "[query redacted]"
	}
	c.Fragment = ""
	return c.String()
}
