package wire

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestOptBool decodes true, false and null, telling an absent or null
// value from false, and refuses any other JSON value with a type error.
func TestOptBool(t *testing.T) {
	tests := []struct {
		body    string
		want    OptBool
		wantErr bool
	}{
		{`{"b":true}`, OptBool{V: true, Set: true}, false},
		{`{"b":false}`, OptBool{V: false, Set: true}, false},
		{`{"b":null}`, OptBool{}, false},
		{`{}`, OptBool{}, false},
		{`{"b":"true"}`, OptBool{}, true},
		{`{"b":1}`, OptBool{}, true},
	}
	for _, tt := range tests {
		var v struct {
			B OptBool `json:"b"`
		}
		err := json.Unmarshal([]byte(tt.body), &v)
		var te *json.UnmarshalTypeError
		if tt.wantErr != errors.As(err, &te) {
			t.Errorf("%s: error %v, want a *json.UnmarshalTypeError: %t", tt.body, err, tt.wantErr)
		}
		if !tt.wantErr && v.B != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.body, v.B, tt.want)
		}
	}
}

// TestMissing names the required fields missing from the shapes that
// check theirs, and nothing when all are there.
func TestMissing(t *testing.T) {
	tests := []struct {
		name string
		body string
		into interface{ Missing() string }
		want string
	}{
		{"archives complete", `{"has_more":false,"archives":[{"url":"https://x"}]}`, &LogsArchives{}, ""},
		{"archives empty", `{"has_more":false,"archives":[]}`, &LogsArchives{}, ""},
		{"no has_more", `{"archives":[]}`, &LogsArchives{}, `"has_more" or "archives"`},
		{"no archives", `{"has_more":true}`, &LogsArchives{}, `"has_more" or "archives"`},
		{"null archives", `{"has_more":true,"archives":null}`, &LogsArchives{}, `"has_more" or "archives"`},
		{"archive without url", `{"has_more":false,"archives":[{"url":"https://x"},{"size":3}]}`, &LogsArchives{}, `"url" of an archive`},
		{"archive whose url is no link", `{"has_more":false,"archives":[{"url":"https://x"},{"url":"/a.log.gz"}]}`, &LogsArchives{}, `"url" of an archive`},
		{"meta complete", `{"pagination":{"current_page":1,"prev_page":null,"next_page":null,"total_pages":1,"total_count":0}}`, &PageMeta{}, ""},
		{"meta without prev page", `{"pagination":{"current_page":1,"next_page":null,"total_pages":1,"total_count":0}}`, &PageMeta{}, `"meta.pagination.prev_page"`},
		{"meta without next page", `{"pagination":{"current_page":1,"prev_page":null,"total_pages":1,"total_count":0}}`, &PageMeta{}, `"meta.pagination.next_page"`},
		{"meta without total pages", `{"pagination":{"current_page":1,"prev_page":null,"next_page":2,"total_count":0}}`, &PageMeta{}, `"meta.pagination.total_pages"`},
		{"meta without total count", `{"pagination":{"current_page":1,"prev_page":null,"next_page":2,"total_pages":1}}`, &PageMeta{}, `"meta.pagination.total_count"`},
		{"meta without pagination", `{}`, &PageMeta{}, `"meta.pagination"`},
		{"meta without current page", `{"pagination":{"total_pages":3}}`, &PageMeta{}, `"meta.pagination"`},
		{"no meta", ``, (*PageMeta)(nil), `"meta.pagination"`},
	}
	for _, tt := range tests {
		if tt.body != "" {
			if err := json.Unmarshal([]byte(tt.body), tt.into); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		if got := tt.into.Missing(); got != tt.want {
			t.Errorf("%s: Missing() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
