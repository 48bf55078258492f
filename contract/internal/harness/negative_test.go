package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// Every case NegativeBodies builds from the spec breaks its rule: the validator refuses each body
// at the case's pointer (x- rules, which JSON Schema cannot state, aside), and takes the example
// it starts from. The x-must-equal rule of the user operations is among the cases.
func TestNegativeBodies(t *testing.T) {
	doc, v := embedded(t)
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			cases, err := NegativeBodies(op)
			if err != nil {
				t.Fatal(err)
			}
			example, _, ok := RequestExample(op)
			if !ok {
				continue
			}
			if len(cases) == 0 {
				t.Errorf("%s: a request body without a single rule to break", op.OperationID)
			}
			url := "http://h/api" + fill(path)
			valid, _ := json.Marshal(example)
			if _, err := v.ValidateRequest(jsonRequest(t, method, url, valid)); err != nil {
				t.Errorf("%s: the example is refused: %v", op.OperationID, err)
			}
			for _, c := range cases {
				seen[op.OperationID+" "+c.Rule] = true
				_, err := v.ValidateRequest(jsonRequest(t, method, url, c.Body))
				if strings.HasPrefix(c.Rule, "x-") {
					if err != nil {
						t.Errorf("%s %s: an x- rule case breaks the schema too: %v", op.OperationID, c.Name(), err)
					}
					continue
				}
				var ve *conformance.ViolationError
				if !errors.As(err, &ve) {
					t.Errorf("%s %s: body %s passes the validator", op.OperationID, c.Name(), c.Body)
					continue
				}
				if !atOrAbove(ve, c.Pointer) {
					t.Errorf("%s %s: the violation is elsewhere: %v", op.OperationID, c.Name(), ve)
				}
			}
		}
	}
	for _, want := range []string{"runDatabaseAction JSON", "createFirewallRule JSON", "updateDatabaseUser x-must-equal", "createDatabaseUser x-must-equal", "createDatabaseUser required", "enableDatabaseFeature enum", "updateDatabase maximum", "updateFirewallRule minLength"} {
		if !seen[want] {
			t.Errorf("no case %s", want)
		}
	}
}

// atOrAbove reports whether a violation of ve is at ptr or at one of its ancestors (a oneOf or
// anyOf reports the object whose branch failed).
func atOrAbove(ve *conformance.ViolationError, ptr string) bool {
	for _, vi := range ve.Violations {
		if vi.Pointer == ptr || strings.HasPrefix(ptr, strings.TrimRight(vi.Pointer, "/")+"/") {
			return true
		}
	}
	return false
}

// fill puts a value in every path parameter.
func fill(path string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return b.String() + path
		}
		j := strings.IndexByte(path, '}')
		b.WriteString(path[:i] + "x1")
		path = path[j+1:]
	}
}

func jsonRequest(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer x")
	return r
}
