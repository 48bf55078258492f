package scalingodb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
)

// TestFetch_OneOperationManyTypes decodes the answer of one operation
// into two types, in both orders: the decoding type is cached per
// operation and type, so the second caller gets its own, not the first
// caller's (which made fetch panic).
func TestFetch_OneOperationManyTypes(t *testing.T) {
	type idOnly struct {
		ID string `json:"id"`
	}
	type nameOnly struct {
		Name string `json:"name"`
	}
	ctx := context.Background()
	body := `{"database":{"id":"db-1","name":"my-db","status":"running"}}`
	for _, order := range []string{"Database first", "idOnly first"} {
		t.Run(order, func(t *testing.T) {
			c, _, _ := newTestClient(t, fixed(200, body))
			r := apicall.Call1(c.api.GetDatabase, "db-1")
			calls := []func() (string, error){
				func() (string, error) {
					v, err := apicall.FetchOne[Database](ctx, c.caller, apicall.OpGetDatabase, r)
					return fieldOf(v, err, func() string { return v.ID })
				},
				func() (string, error) {
					v, err := apicall.FetchOne[idOnly](ctx, c.caller, apicall.OpGetDatabase, r)
					return fieldOf(v, err, func() string { return v.ID })
				},
				func() (string, error) {
					v, err := apicall.FetchOne[nameOnly](ctx, c.caller, apicall.OpGetDatabase, r)
					return fieldOf(v, err, func() string { return v.Name })
				},
			}
			want := []string{"db-1", "db-1", "my-db"}
			if order == "idOnly first" {
				calls[0], calls[1] = calls[1], calls[0]
			}
			for i, call := range calls {
				got, err := catchPanic(call)
				if err != nil || got != want[i] {
					t.Errorf("call %d: got %q, %v; want %q", i, got, err, want[i])
				}
			}
		})
	}
}

// fieldOf returns field() when v is not nil and err is nil.
func fieldOf[T any](v *T, err error, field func() string) (string, error) {
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", errors.New("nil value")
	}
	return field(), nil
}

// catchPanic turns a panic of f into an error.
func catchPanic(f func() (string, error)) (s string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}
