package respond

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// tagger is a ResponseWriter that records the list an answer is written from.
type tagger struct {
	*httptest.ResponseRecorder
	list *List
}

func (t *tagger) TagList(l *List) { t.list = l }

// TestEncodeList: the list body is byte for byte what json.Encoder writes for the envelope.
func TestEncodeList(t *testing.T) {
	tests := []struct {
		name  string
		items []any
	}{
		{"empty", []any{}},
		{"one", []any{map[string]any{"name": "a"}}},
		{"several, HTML escaped", []any{map[string]any{"label": "<a&b>"}, 42, "x", nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(map[string]any{"things": tc.items}); err != nil {
				t.Fatal(err)
			}
			got := EncodeList("things", slices.Values(tc.items), func(v any) []byte {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				return b
			})
			if !bytes.Equal(got.Raw, want.Bytes()) {
				t.Errorf("got %q, want %q", got.Raw, want.Bytes())
			}
		})
	}
}

// TestResponse_Write: an answer has its status, JSON headers and body; an answer of a cached list
// tells a Tagger the list it comes from, and no other answer does.
func TestResponse_Write(t *testing.T) {
	list := EncodeList("things", slices.Values([]int{1, 2}), func(int) []byte { return []byte("1") })
	tests := []struct {
		name     string
		r        Response
		status   int
		body     string
		tagged   bool
		noLength bool
	}{
		{"cached list", Cached(list), 200, "{\"things\":[1,1]}\n", true, false},
		{"not found", NotFound("database"), 404, "{\"error\":\"not found\",\"resource\":\"database\"}\n", false, false},
		{"invalid", Invalid("name", "is short", "name", "is odd", "cidr"), 422, "{\"errors\":{\"name\":[\"is short\",\"is odd\"]}}\n", false, false},
		{"forbidden", Forbidden("no"), 403, "{\"code\":\"forbidden\",\"error\":\"no\"}\n", false, false},
		{"no body", Response{Status: 204}, 204, "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &tagger{ResponseRecorder: httptest.NewRecorder()}
			if err := tc.r.Write(w); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			if (w.list != nil) != tc.tagged {
				t.Errorf("tagged with %v, want tagged %v", w.list, tc.tagged)
			}
			if got := w.Header().Get("Content-Length"); (got == "") != tc.noLength {
				t.Errorf("Content-Length %q", got)
			}
		})
	}
}

// TestWriteError: plain net/http code writes the spec's Error body, never plain text.
func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, http.StatusBadGateway, "down")
	if w.Code != http.StatusBadGateway || w.Body.String() != "{\"error\":\"down\"}\n" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %v", w.Code, w.Body, w.Header())
	}
}
