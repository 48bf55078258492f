package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func TestClassify(t *testing.T) {
	api := func(status int) error {
		return fmt.Errorf("scalingodb: op: %w", &scalingodb.APIError{StatusCode: status, Message: "x"})
	}
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1:1/api", Err: err} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"500", api(500), "5xx"},
		{"503", api(503), "5xx"},
		{"429", api(429), "429"},
		{"404", api(404), "404"},
		{"422", api(422), "422"},
		{"400", api(400), "400"},
		{"401", api(401), "401"},
		{"403", api(403), "403"},
		{"409: the status itself", api(409), "409"},
		{"malformed answer", fmt.Errorf("x: %w", scalingodb.ErrMalformedResponse), ClassMalformed},
		{"archive changed", fmt.Errorf("x: %w", scalingodb.ErrArchiveChanged), ClassArchive},
		{"invalid input", fmt.Errorf("x: %w", scalingodb.ErrInvalidInput), ClassInvalid},
		{"deadline", urlErr(context.DeadlineExceeded), ClassTimeout},
		{"net timeout", urlErr(os.ErrDeadlineExceeded), ClassTimeout},
		{"cut mid-answer", fmt.Errorf("op: %w", io.ErrUnexpectedEOF), ClassConn},
		{"reset", urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), ClassConn},
		{"refused", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), ClassConn},
		{"other net error", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("no route")}), ClassConn},
		{"anything else", errors.New("http: server closed idle connection"), ClassUntyped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
