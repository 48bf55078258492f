package harness

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

func TestBodilessCheck(t *testing.T) {
	v, err := conformance.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("answer") {
		case "204-with-body": // what a drifted server sends; net/http refuses to, so hijack
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			fmt.Fprint(buf, "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"deleted\":true}")
			_ = buf.Flush()
		case "204":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":1}`))
		}
	}))
	t.Cleanup(srv.Close)

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
			req, err := http.NewRequest(http.MethodDelete, srv.URL+"/api/databases/my-db-123/users/bob?answer="+tt.answer, nil)
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
