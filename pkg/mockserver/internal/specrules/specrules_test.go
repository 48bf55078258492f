package specrules

import (
	"context"
	"maps"
	"slices"
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

func TestMustEqual(t *testing.T) {
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
			got := MustEqual("createDatabaseUser", dbapi.DatabaseUserCreateRequest{DatabaseUser: tt.body})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	if got := MustEqual("listBackups", map[string]any{"password": "a"}); got != nil {
		t.Errorf("an operation without rules gave %v", got)
	}
}

// TestKnownFeature checks the features the mock takes per engine against FeatureName's
// x-engines, and that x-engines names every feature of the enum and nothing else.
func TestKnownFeature(t *testing.T) {
	tests := []struct {
		engine, feature string
		want            bool
	}{
		{"postgresql", "force-ssl", true},
		{"mysql", "publicly-available", true},
		{"redis", "redis-rdb", true},
		{"redis", "redis-cache", true},
		{"redis", "force-ssl", true},
		{"postgresql", "redis-aof", false},
		{"elasticsearch", "redis-rdb", false},
		{"postgresql", "no-such-feature", false},
	}
	for _, tt := range tests {
		if got := KnownFeature(tt.engine, tt.feature); got != tt.want {
			t.Errorf("KnownFeature(%q, %q) = %v, want %v", tt.engine, tt.feature, got, tt.want)
		}
	}
	doc, err := dbapispec.GetSpec()
	if err != nil {
		t.Fatal(err)
	}
	engines, err := featureEngines()
	if err != nil {
		t.Fatal(err)
	}
	var enum []string
	for _, v := range doc.Components.Schemas["FeatureName"].Value.Enum {
		enum = append(enum, v.(string))
	}
	if got := slices.Sorted(maps.Keys(engines)); !slices.Equal(got, slices.Sorted(slices.Values(enum))) {
		t.Errorf("x-engines names %v, the enum %v", got, enum)
	}
}

// TestTakesBody: the operations with a request body in the spec, and only they, take one.
func TestTakesBody(t *testing.T) {
	tests := []struct {
		op   string
		want bool
	}{
		{"createDatabaseUser", true},
		{"createFirewallRule", true},
		{"updateDatabase", true},
		{"listBackups", false},
		{"createBackup", false},
		{"deleteDatabaseUser", false},
	}
	for _, tc := range tests {
		if got := TakesBody()[tc.op]; got != tc.want {
			t.Errorf("TakesBody()[%q] = %v, want %v", tc.op, got, tc.want)
		}
	}
}
