package scalingodb

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// The secrets of the leak tests, one per place a secret is kept. Each is
// long and unlike anything else the package prints, so that finding a
// piece of one in an output can only mean a leak.
const (
	leakPassword = "pw-Qm7Zt2Lx9Vb4Nc8Kd1Wf6Hj3"
	leakURLToken = "url-Rk5Yp8Tg2Ms7Ld4Xc9Bn1"
	leakAPIToken = "tk-us-Fh3Jq6Wz1Pv8Sg5Dm2"
	leakBearer   = "jwt-Ge7Nb4Kt9Yx2Rc6Lm1Ai"
	leakAddon    = "addon-Uw2Hs8Qd5Jf1Vz7Tp4"
	leakStatic   = "static-Ma9Xe3Cr6Bk2Wn8Ly5"
)

var leakSecrets = []string{leakPassword, leakURLToken, leakAPIToken, leakBearer, leakAddon, leakStatic}

// leakForms returns what betrays secret in an output: pieces of its bytes
// (10 bytes, every 5), and its whole encodings: hex, spaced hex, base64
// (without padding, so the padded forms are found too), and the numbers
// and characters fmt prints for its bytes and runes.
func leakForms(secret string) []string {
	var forms []string
	for i := 0; i+10 <= len(secret); i += 5 {
		forms = append(forms, secret[i:i+10])
	}
	b := []byte(secret)
	forms = append(forms,
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	forms = append(forms, fmt.Sprintf("% x", b), fmt.Sprintf("% X", b))
	for _, verb := range []string{"%d", "%o", "%c", "%U"} {
		forms = append(forms, strings.Trim(fmt.Sprintf(verb, []rune(secret)), "[]"))
	}
	return forms
}

// leakScanner finds secrets in outputs and counts the outputs that leak
// (an output seen before is counted again without a new search).
type leakScanner struct {
	errorf func(format string, args ...any)
	forms  map[string][]string
	seen   map[string]bool // output -> whether it leaks
	leaks  int
	byWhat map[string]int
	shown  int
	checks int
}

func newLeakScanner(errorf func(format string, args ...any)) *leakScanner {
	s := &leakScanner{errorf: errorf, forms: map[string][]string{}, seen: map[string]bool{}, byWhat: map[string]int{}}
	for _, secret := range leakSecrets {
		s.forms[secret] = leakForms(secret)
	}
	return s
}

// check reports out when it holds a form of a secret.
func (s *leakScanner) check(what, out string) {
	s.checkIn(what, what, out)
}

// checkIn is check that counts the leaks of subject apart.
func (s *leakScanner) checkIn(subject, what, out string) {
	s.checks++
	leaked, seen := s.seen[out]
	if !seen {
		leaked = s.leaked(what, out)
		s.seen[out] = leaked
	}
	if leaked {
		s.leaks++
		s.byWhat[subject]++
	}
}

// leaked reports whether out holds a form of a secret, and shows the
// first leaks.
func (s *leakScanner) leaked(what, out string) bool {
	for secret, forms := range s.forms {
		for _, f := range forms {
			if strings.Contains(out, f) {
				if s.shown < 25 {
					s.shown++
					s.errorf("%s leaks %q (as %q): %.300s", what, secret, f, out)
				}
				return true
			}
		}
	}
	return false
}

// leakSubject is one value that holds secrets.
type leakSubject struct {
	name string
	v    any
}

// leakSubjects builds every type of the package that holds a secret, each
// with known secrets, as values and as pointers.
func leakSubjects(t *testing.T) []leakSubject {
	t.Helper()
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/tokens/exchange":
			writeJSON(w, 200, `{"token":"`+leakBearer+`"}`)
		default:
			writeJSON(w, 200, `{"addon":{"id":"ad-1","token":"`+leakAddon+`"}}`)
		}
	}))
	t.Cleanup(auth.Close)
	secret := NewSecret(leakPassword)
	link := newSignedURL("https://storage.example/b/archive.tar.gz?token=" + leakURLToken)
	user := DatabaseUser{Name: "my-user", Password: NewSecret(leakPassword), PasswordEncryption: PasswordSCRAMSHA256}
	params := CreateUserParams{Name: "my-user", Password: NewSecret(leakPassword)}
	cfg := AddonTokenConfig{APIToken: NewSecret(leakAPIToken), BearerToken: NewSecret(leakBearer), App: "my-app", AddonID: "ad-1", AuthURL: auth.URL, APIURL: auth.URL}
	archive := LogsArchive{URL: link, Size: 1}
	ts, err := NewAddonTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := ts.Token(context.Background()); err != nil || tok != leakAddon {
		t.Fatalf("Token: %q, %v", tok, err)
	}
	static := StaticToken(leakStatic)
	c, err := New(WithToken(leakStatic))
	if err != nil {
		t.Fatal(err)
	}
	// A request stores the Authorization value the client built.
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if err := c.caller.EditRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	c2, err := New(WithTokenSource(ts))
	if err != nil {
		t.Fatal(err)
	}
	subjects := []leakSubject{
		{"Secret", secret}, {"*Secret", &secret},
		{"SignedURL", link}, {"*SignedURL", &link},
		{"DatabaseUser", user}, {"*DatabaseUser", &user},
		{"CreateUserParams", params}, {"*CreateUserParams", &params},
		{"AddonTokenConfig", cfg}, {"*AddonTokenConfig", &cfg},
		{"LogsArchive", archive}, {"*LogsArchive", &archive},
		{"*AddonTokenSource", ts},
		// The values behind the pointers, copied by reflection (go vet
		// rejects copying a lock in plain code, not fmt).
		{"AddonTokenSource", reflect.ValueOf(ts).Elem().Interface()},
		{"StaticToken", static},
		{"*Client WithToken", c}, {"Client WithToken", reflect.ValueOf(c).Elem().Interface()},
		{"*Client WithTokenSource", c2}, {"Client WithTokenSource", reflect.ValueOf(c2).Elem().Interface()},
	}
	cv := reflect.ValueOf(c).Elem()
	for i := range cv.NumField() {
		f := cv.Type().Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer {
			continue
		}
		subjects = append(subjects,
			leakSubject{"Client." + f.Name, cv.Field(i).Interface()},
			leakSubject{"Client." + f.Name + " value", cv.Field(i).Elem().Interface()})
	}
	return subjects
}

// leakHolders wraps v the ways a program holds a value it prints: in an
// interface slice, a map, and a struct's exported and unexported fields
// (fmt calls no method of a value reached through an unexported field).
func leakHolders(name string, v any) []leakSubject {
	return []leakSubject{
		{name, v},
		{"[]any{" + name + "}", []any{v}},
		{"map{" + name + "}", map[string]any{"k": v}},
		{"struct{" + name + "}", struct {
			X any
			y any
		}{v, v}},
		{"*struct{" + name + "}", &struct {
			X any
			y any
		}{v, v}},
	}
}

// leakFormats are every verb rune a-z and A-Z with no flag, each of the
// flags + # - and space, widths and precisions.
func leakFormats() []string {
	var verbs []rune
	for r := 'a'; r <= 'z'; r++ {
		verbs = append(verbs, r, r-'a'+'A')
	}
	var out []string
	for _, flags := range []string{"", "+", "#", "-", " ", "0", "+#-"} {
		for _, width := range []string{"", "60", "60.4"} {
			for _, verb := range verbs {
				out = append(out, "%"+flags+width+string(verb))
			}
		}
	}
	return out
}

// TestSecrets_NeverPrinted prints every type that holds a secret under
// every fmt verb, flag and width, in containers, as JSON, through the slog
// text and JSON handlers and inside errors, and counts the secrets that
// come out: the figure is 0.
func TestSecrets_NeverPrinted(t *testing.T) {
	scan := newLeakScanner(t.Errorf)
	var logs bytes.Buffer
	textLog := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	jsonLog := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	formats := leakFormats()
	for _, subject := range leakSubjects(t) {
		for _, h := range leakHolders(subject.name, subject.v) {
			for _, format := range formats {
				scan.checkIn(h.name, format+" of "+h.name, fmt.Sprintf(format, h.v))
			}
			js, err := json.Marshal(h.v)
			scan.checkIn(h.name, "json of "+h.name, string(js))
			if err != nil {
				scan.checkIn(h.name, "json error of "+h.name, err.Error())
			}
			logs.Reset()
			textLog.Info("msg", "v", h.v)
			jsonLog.Info("msg", "v", h.v)
			textLog.Info("msg", slog.Group("g", "v", h.v))
			scan.checkIn(h.name, "slog of "+h.name, logs.String())
			for _, verb := range []string{"%v", "%d", "%s", "%x", "%p", "%+v", "%#v"} {
				err := fmt.Errorf("calling with "+verb+": %w", h.v, io.ErrUnexpectedEOF)
				joined := errors.Join(err, fmt.Errorf("again: %w", err))
				for _, e := range []error{err, joined} {
					scan.checkIn(h.name, "error of "+h.name, fmt.Sprintf("%v|%+v|%#v|%s|%q", e, e, e, e, e))
				}
			}
		}
	}
	t.Logf("Secrets: %d printed in %d outputs (%d distinct)", scan.leaks, scan.checks, len(scan.seen))
	for _, name := range slices.Sorted(maps.Keys(scan.byWhat)) {
		t.Logf("  %s: %d", name, scan.byWhat[name])
	}
	if scan.leaks > 0 {
		t.Errorf("Secrets: %d printed, want 0", scan.leaks)
	}
	if scan.checks < 100000 {
		t.Errorf("only %d outputs checked: the test lost its cases", scan.checks)
	}
}

// TestLeakScanner_FindsLeaks proves the scanner catches a secret printed
// raw, in pieces and encoded, and lets a redacted output through.
func TestLeakScanner_FindsLeaks(t *testing.T) {
	leaky := []string{
		leakPassword, "x" + leakAPIToken[3:15] + "y", fmt.Sprintf("%x", leakBearer), fmt.Sprintf("% X", leakAddon),
		base64.StdEncoding.EncodeToString([]byte(leakStatic)), fmt.Sprint([]byte(leakURLToken)), //nolint:staticcheck // the decimal bytes, one of the forms a leak may take
		fmt.Sprintf("%%!d(string=%s)", leakPassword), fmt.Sprintf("%U", []rune(leakPassword)),
	}
	for _, out := range leaky {
		s := newLeakScanner(func(string, ...any) {})
		s.check("case", out)
		if s.leaks != 1 {
			t.Errorf("scanner missed the leak in %q", out)
		}
	}
	s := newLeakScanner(t.Errorf)
	for _, out := range []string{"[redacted]", "scalingodb.Secret(\"[redacted]\")", "https://storage.example/b/archive.tar.gz", "0xc000123456"} {
		s.check("clean", out)
	}
	if s.leaks != 0 {
		t.Errorf("scanner reports %d leaks in clean outputs", s.leaks)
	}
}

// TestSecret_API checks what a Secret gives on purpose: its value through
// Reveal, equality, the zero value, decoding from JSON and text, and the
// password on the wire of the requests that send one.
func TestSecret_API(t *testing.T) {
	s := NewSecret(leakPassword)
	if s.Reveal() != leakPassword || s.IsZero() || !s.Equal(NewSecret(leakPassword)) || s.Equal(NewSecret(leakPassword+"x")) {
		t.Errorf("Reveal, IsZero or Equal is wrong")
	}
	var zero Secret
	if !zero.IsZero() || zero.Reveal() != "" || !zero.Equal(NewSecret("")) || fmt.Sprint(zero) != "" || fmt.Sprintf("%#v", zero) != `scalingodb.Secret("")` {
		t.Errorf("the zero Secret is not the empty secret")
	}
	if got := fmt.Sprintf("%v %s %q %#v %d", s, s, s, s, s); got != `[redacted] [redacted] "[redacted]" scalingodb.Secret("[redacted]") [redacted]` {
		t.Errorf("printed %s", got)
	}
	var cfg struct{ Token, Null, Missing Secret }
	if err := json.Unmarshal([]byte(`{"Token":"`+leakAPIToken+`","Null":null}`), &cfg); err != nil || cfg.Token.Reveal() != leakAPIToken || !cfg.Null.IsZero() || !cfg.Missing.IsZero() {
		t.Errorf("json.Unmarshal: %v, %+v", err, cfg)
	}
	if err := json.Unmarshal([]byte(`{"Token":42}`), &cfg); err == nil {
		t.Error("a number decoded into a Secret")
	}
	if err := cfg.Token.UnmarshalText([]byte(leakBearer)); err != nil || cfg.Token.Reveal() != leakBearer {
		t.Errorf("UnmarshalText: %v", err)
	}
	if js, _ := json.Marshal(cfg); string(js) != `{"Token":"[redacted]","Null":"","Missing":""}` {
		t.Errorf("json.Marshal: %s", js)
	}

	c, rec, _ := newTestClient(t, fixed(201, `{"database_user":{"name":"my-user","read_only":false,"password":"`+leakPassword+`"}}`))
	ctx := context.Background()
	u, err := c.Users.Create(ctx, "db", &CreateUserParams{Name: "my-user", Password: s})
	if err != nil || u.Password.Reveal() != leakPassword {
		t.Fatalf("Create: %v, %v", u, err)
	}
	if _, err := c.Users.UpdatePassword(ctx, "db", "my-user", s); err != nil {
		t.Fatalf("UpdatePassword: %v", err)
	}
	for i, r := range rec.all() {
		var body struct {
			DatabaseUser struct {
				Password             string `json:"password"`
				PasswordConfirmation string `json:"password_confirmation"`
			} `json:"database_user"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || body.DatabaseUser.Password != leakPassword || body.DatabaseUser.PasswordConfirmation != leakPassword {
			t.Errorf("request %d sent %s, want the password and its confirmation", i, r.Body)
		}
	}
	if tok, err := StaticToken(leakStatic).Token(ctx); err != nil || tok != leakStatic {
		t.Errorf("StaticToken gives %q, %v", tok, err)
	}
	if _, err := StaticToken("").Token(ctx); err == nil {
		t.Error("an empty static token gives no error")
	}
	link := newSignedURL("https://storage.example/a?token=" + leakURLToken)
	if link.URL() != "https://storage.example/a?token="+leakURLToken || link.IsZero() || !(SignedURL{}).IsZero() || (SignedURL{}).URL() != "" {
		t.Error("SignedURL does not give its URL")
	}
}

// TestSecret_EmptyCostsNothing keeps the list of users at one allocation
// per user: a user listed without a password gets the zero Secret, not a
// pointer to an empty string (a NewSecret that took the address of its
// argument cost BenchmarkRoundTrip 3 allocations for 3 users).
func TestSecret_EmptyCostsNothing(t *testing.T) {
	w := &userWire{Name: "my-user", ReadOnly: wire.OptBool{V: true, Set: true}}
	var u *DatabaseUser
	if n := testing.AllocsPerRun(100, func() { u, _ = w.user(apicall.OpListDatabaseUsers, 200, false) }); n != 1 || !u.Password.IsZero() {
		t.Errorf("a user without a password costs %v allocations, want 1", n)
	}
	var s SignedURL
	if n := testing.AllocsPerRun(100, func() { s = newSignedURL("") }); n != 0 || !s.IsZero() {
		t.Errorf("an empty SignedURL costs %v allocations, want 0", n)
	}
}

// TestSecret_RedactedFormIsNotReadBack proves that the "[redacted]" a
// Secret marshals to is refused when decoded: a program that saves its
// configuration with encoding/json and loads it again gets an error that
// says the value was lost, not a token or password "[redacted]" that the
// server refuses far from the cause.
func TestSecret_RedactedFormIsNotReadBack(t *testing.T) {
	const redacted = "[redacted]"
	// A program's configuration file, as it might save it.
	type config struct {
		APIToken Secret `json:"api_token"`
		App      string `json:"app"`
	}
	saved, err := json.Marshal(config{APIToken: NewSecret(leakAPIToken), App: "my-app"})
	if err != nil {
		t.Fatal(err)
	}
	var cfg config
	err = json.Unmarshal(saved, &cfg)
	if err == nil || cfg.APIToken.Reveal() == redacted {
		t.Errorf("json round trip: APIToken %q, error %v; want an error", cfg.APIToken.Reveal(), err)
	}
	if err != nil && strings.Contains(err.Error(), leakAPIToken) {
		t.Errorf("the error %q holds the token", err)
	}
	for _, text := range []string{redacted, " " + redacted + "\n"} {
		var s Secret
		if err := s.UnmarshalText([]byte(text)); err == nil {
			t.Errorf("UnmarshalText(%q): Secret %q, no error", text, s.Reveal())
		}
	}
	// Values that only contain the marker are secrets like any other.
	for _, text := range []string{"x" + redacted, redacted + "x"} {
		var s Secret
		if err := s.UnmarshalText([]byte(text)); err != nil || s.Reveal() != text {
			t.Errorf("UnmarshalText(%q): %q, %v", text, s.Reveal(), err)
		}
	}
}
