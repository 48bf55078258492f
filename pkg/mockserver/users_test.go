package mockserver

import (
	"net/http"
	"strings"
	"testing"
)

func TestUsers_Lifecycle(t *testing.T) {
	s, c, _ := start(t)
	const db = "/databases/my-db-123/users"
	pw := strings.Repeat("a", 30)

	// Create with a generated password: returned once, never listed.
	created := expect(t, c.do(http.MethodPost, db, map[string]any{"database_user": map[string]any{"name": "my-user", "read_only": true}}), http.StatusCreated)
	gen, _ := at(created, "database_user.password").(string)
	if len(gen) < 24 {
		t.Fatalf("generated password %q is shorter than 24", gen)
	}
	if at(created, "database_user.read_only") != true {
		t.Errorf("read_only not kept: %v", created)
	}
	list := c.do(http.MethodGet, db, nil)
	expect(t, list, http.StatusOK)
	if strings.Contains(list.String(), gen) || strings.Contains(list.String(), `"password"`) {
		t.Fatalf("list shows a password: %s", list)
	}
	if n := strings.Count(list.String(), `"name":"my-user"`); n != 1 {
		t.Fatalf("my-user listed %d times", n)
	}

	rejected := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"duplicate", map[string]any{"name": "my-user"}, "name"},
		{"short name", map[string]any{"name": "abc"}, "name"},
		{"upper case", map[string]any{"name": "My-User"}, "name"},
		{"double hyphen", map[string]any{"name": "my--user"}, "name"},
		{"short password", map[string]any{"name": "other-user", "password": "short", "password_confirmation": "short"}, "password"},
		{"confirmation mismatch", map[string]any{"name": "other-user", "password": pw, "password_confirmation": pw + "x"}, "password_confirmation"},
		{"confirmation missing", map[string]any{"name": "other-user", "password": pw}, "password_confirmation"},
		{"confirmation without a password", map[string]any{"name": "other-user", "password_confirmation": pw}, "password_confirmation"},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			m := expect(t, c.do(http.MethodPost, db, map[string]any{"database_user": tc.body}), http.StatusUnprocessableEntity)
			errs, _ := m["errors"].(map[string]any)
			if len(errs[tc.field].([]any)) == 0 {
				t.Errorf("no error on %s: %v", tc.field, m)
			}
		})
	}
	dup := expect(t, c.do(http.MethodPost, db, map[string]any{"database_user": map[string]any{"name": "my-user"}}), http.StatusUnprocessableEntity)
	if at(dup, "errors.name.0") != "has already been taken" {
		t.Errorf("duplicate: %v", dup)
	}

	// A chosen password is echoed once.
	chosen := expect(t, c.do(http.MethodPost, db, map[string]any{"database_user": map[string]any{"name": "chosen-user", "password": pw, "password_confirmation": pw}}), http.StatusCreated)
	if at(chosen, "database_user.password") != pw {
		t.Errorf("chosen password not returned: %v", chosen)
	}

	// Update, reset, protected users.
	expect(t, c.do(http.MethodPatch, db+"/my-user", map[string]any{"database_user": map[string]any{"password": pw, "password_confirmation": pw}}), http.StatusOK)
	expect(t, c.do(http.MethodPatch, db+"/my-user", map[string]any{"database_user": map[string]any{"password": pw, "password_confirmation": "x" + pw}}), http.StatusUnprocessableEntity)
	expect(t, c.do(http.MethodPatch, db+"/my-db-123", map[string]any{"database_user": map[string]any{"password": pw, "password_confirmation": pw}}), http.StatusForbidden)
	expect(t, c.do(http.MethodPatch, db+"/ghost-user", map[string]any{"database_user": map[string]any{"password": pw, "password_confirmation": pw}}), http.StatusNotFound)
	r1 := expect(t, c.do(http.MethodPost, db+"/my-user/reset_password", nil), http.StatusOK)
	r2 := expect(t, c.do(http.MethodPost, db+"/my-user/reset_password", nil), http.StatusOK)
	p1, _ := at(r1, "database_user.password").(string)
	if len(p1) < 24 || p1 == at(r2, "database_user.password") || p1 == gen {
		t.Errorf("reset passwords %q, %v (generated %q) should be new and long", p1, at(r2, "database_user.password"), gen)
	}
	m := expect(t, c.do(http.MethodDelete, db+"/my-db-123", nil), http.StatusForbidden)
	if m["error"] == nil {
		t.Errorf("403 body: %v", m)
	}

	// Delete: 204, then 404.
	expect(t, c.do(http.MethodDelete, db+"/my-user", nil), http.StatusNoContent)
	expect(t, c.do(http.MethodDelete, db+"/my-user", nil), http.StatusNotFound)
	expect(t, c.do(http.MethodPost, db+"/my-user/reset_password", nil), http.StatusNotFound)
	var names []string
	for _, u := range s.Users("my-db-123") {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, ","); got != "my-db-123,metabase,reporting,chosen-user" {
		t.Errorf("users after the lifecycle: %s", got)
	}
}

// TestUsers_PasswordLengthInCharacters: the spec bounds a password to 24..64 characters (JSON
// Schema counts code points), so a password of 33 to 64 non-ASCII characters, over 64 bytes, is
// valid, and one of 65 two-byte characters is not.
func TestUsers_PasswordLengthInCharacters(t *testing.T) {
	_, c, _ := start(t)
	const db = "/databases/my-db-123/users"
	tests := []struct {
		name, user, password string
		create, update       int
	}{
		{"40 two-byte characters", "utf8-forty", strings.Repeat("é", 40), http.StatusCreated, http.StatusOK},
		{"64 two-byte characters", "utf8-sixtyfour", strings.Repeat("é", 64), http.StatusCreated, http.StatusOK},
		{"24 three-byte characters", "utf8-twentyfour", strings.Repeat("€", 24), http.StatusCreated, http.StatusOK},
		{"65 two-byte characters", "utf8-sixtyfive", strings.Repeat("é", 65), http.StatusUnprocessableEntity, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"database_user": map[string]any{"name": tc.user, "password": tc.password, "password_confirmation": tc.password}}
			m := expect(t, c.do(http.MethodPost, db, body), tc.create)
			if tc.create == http.StatusCreated && at(m, "database_user.password") != tc.password {
				t.Errorf("create: the chosen password is not returned: %v", m)
			}
			upd := map[string]any{"database_user": map[string]any{"password": tc.password, "password_confirmation": tc.password}}
			expect(t, c.do(http.MethodPatch, db+"/metabase", upd), tc.update)
		})
	}
}
