package harness

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestBodilessCheck(t *testing.T) {
	_, v := embedded(t)
	// A 204 with a body is what a drifted server sends; net/http's server refuses to.
	base := rawServer(t, func(r *http.Request) string {
		switch r.URL.Query().Get("answer") {
		case "204-with-body":
			return "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"deleted\":true}"
		case "204":
			return "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
		}
		return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{\"ok\":1}"
	})

	tests := []struct {
		answer  string
		wantErr bool
	}{
		{"204-with-body", true},
		{"204", false},
		{"200", false},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			var reported []*conformance.ViolationError
			client := &http.Client{Transport: BodilessCheck(v, http.DefaultTransport, func(e *conformance.ViolationError) {
				reported = append(reported, e)
			})}
			req, err := http.NewRequest(http.MethodDelete, base+"/api/databases/my-db-123/users/bob?answer="+tt.answer, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			var ve *conformance.ViolationError
			if got := errors.As(err, &ve); got != tt.wantErr {
				t.Fatalf("violation = %v (err %v), want %v", got, err, tt.wantErr)
			}
			if !tt.wantErr {
				if err != nil || len(reported) != 0 {
					t.Fatalf("err %v, reported %v", err, reported)
				}
				return
			}
			msg := ve.Error()
			for _, want := range []string{"deleteDatabaseUser", "-> 204", "body", "Content-Length"} {
				if !strings.Contains(msg, want) {
					t.Errorf("violation %q does not mention %q", msg, want)
				}
			}
			if len(reported) != 1 {
				t.Errorf("reported %d violations, want 1", len(reported))
			}
		})
	}
}
