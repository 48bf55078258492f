package mockserver

import (
	"context"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/gen/dbapispec"
)

// TestSpecMustEqual_ReadsTheSpec checks that the x-must-equal rules come from the spec: the
// embedded spec gives the two password confirmations, and a copy without the extension gives none.
func TestSpecMustEqual_ReadsTheSpec(t *testing.T) {
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]mustEqual{
		"createDatabaseUser": {{parent: []string{"database_user"}, field: "password_confirmation", other: "password"}},
		"updateDatabaseUser": {{parent: []string{"database_user"}, field: "password_confirmation", other: "password"}},
	}
	if diff := cmp.Diff(want, specMustEqual(doc), cmp.AllowUnexported(mustEqual{})); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}

	raw, err := doc.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	stripped := strings.ReplaceAll(string(raw), `"x-must-equal":"password"`, `"x-other":"password"`)
	if stripped == string(raw) {
		t.Fatal("the embedded spec has no x-must-equal to remove")
	}
	bare, err := openapi3.NewLoader().LoadFromData([]byte(stripped))
	if err != nil {
		t.Fatal(err)
	}
	if err := bare.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := specMustEqual(bare); len(got) != 0 {
		t.Errorf("a spec without x-must-equal gave rules %v", got)
	}
}

func TestCheckMustEqual(t *testing.T) {
	pw := strings.Repeat("b", 30)
	str := func(s string) *string { return &s }
	tests := []struct {
		name string
		body dbapi.DatabaseUserCreate
		want []string
	}{
		{"neither", dbapi.DatabaseUserCreate{Name: "new-user"}, nil},
		{"equal", dbapi.DatabaseUserCreate{Name: "new-user", Password: &pw, PasswordConfirmation: &pw}, nil},
		{"different", dbapi.DatabaseUserCreate{Name: "new-user", Password: &pw, PasswordConfirmation: str(pw + "c")}, []string{"password_confirmation", "doesn't match password"}},
		{"confirmation missing", dbapi.DatabaseUserCreate{Name: "new-user", Password: &pw}, []string{"password_confirmation", "doesn't match password"}},
		{"password missing", dbapi.DatabaseUserCreate{Name: "new-user", PasswordConfirmation: &pw}, []string{"password_confirmation", "doesn't match password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkMustEqual("createDatabaseUser", dbapi.DatabaseUserCreateRequest{DatabaseUser: tt.body})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	if got := checkMustEqual("listBackups", map[string]any{"password": "a"}); got != nil {
		t.Errorf("an operation without rules gave %v", got)
	}
}
