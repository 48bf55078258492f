package scalingodb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/auth"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/download"
)

// TestMovedNames_ErrorsAsAndIs checks that the error types and sentinels
// that moved to packages download, auth and internal/httpx are still found
// under their old names: errors.As with each old type, and errors.Is with
// each old sentinel, on an error that the moved code produced. A row whose
// error is of another type shows that the check can fail.
func TestMovedNames_ErrorsAsAndIs(t *testing.T) {
	ctx := context.Background()
	data := make([]byte, 64<<10)
	var changes atomic.Int64
	archive := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/changing":
			// A new version at each request, each cut halfway.
			w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, changes.Add(1)))
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			_, _ = w.Write(data[:len(data)/2])
			panic(http.ErrAbortHandler)
		case "/redirect":
			http.Redirect(w, r, "http://127.0.0.1:1/plain", http.StatusFound)
		default:
			w.Header().Set("ETag", `"`+r.URL.Path+`"`)
			http.ServeContent(w, r, "", time.Time{}, io.NewSectionReader(zeroes{}, 0, int64(len(data))))
		}
	}))
	t.Cleanup(archive.Close)
	tlsHost := httptest.NewTLSServer(archive.Config.Handler)
	t.Cleanup(tlsHost.Close)
	dl := func(path string, size int64, opts ...download.Option) error {
		_, err := download.ToWriter(ctx, download.Source{URL: archive.URL + path + "?token=x", Size: size}, io.Discard, opts...)
		return err
	}
	authHost := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer good" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"unauthorized"}`)
			return
		}
		_, _ = io.WriteString(w, `{"app":{}}`)
	}))
	t.Cleanup(authHost.Close)
	token := func(bearer, url string) error {
		ts, err := auth.NewAddonTokenSource(auth.AddonTokenConfig{BearerToken: auth.NewSecret(bearer), App: "a", AddonID: "b", APIURL: url})
		if err != nil {
			return err
		}
		_, err = ts.Token(ctx)
		return err
	}
	once := download.WithRetry(download.RetryPolicy{MaxAttempts: 1})

	tests := []struct {
		name     string
		err      error
		as       any   // a pointer to a variable of the old type
		is       error // the old sentinel, or nil
		wantFind bool
	}{
		{"download 404", dl("/missing", 1, once), new(*scalingodb.APIError), scalingodb.ErrNotFound, true},
		{"download past the size", dl("/a", 10), new(*scalingodb.ResponseError), scalingodb.ErrMalformedResponse, true},
		{"download nil destination", func() error {
			_, err := download.ToWriterAt(ctx, download.Source{URL: archive.URL, Size: 1}, nil)
			return err
		}(), new(*scalingodb.InvalidInputError), scalingodb.ErrInvalidInput, true},
		{"download refused", func() error {
			_, err := download.ToWriter(ctx, download.Source{URL: "http://127.0.0.1:1/x", Size: 1}, io.Discard, once)
			return err
		}(), new(*scalingodb.TransportError), nil, true},
		{"download https to http", func() error {
			_, err := download.ToWriter(ctx, download.Source{URL: tlsHost.URL + "/redirect", Size: 1}, io.Discard, once, download.WithHTTPClient(tlsHost.Client()))
			return err
		}(), new(*scalingodb.RedirectError), nil, true},
		{"download changed", dl("/changing", int64(len(data))), new(*scalingodb.ArchiveChangedError), scalingodb.ErrArchiveChanged, true},
		{"archive changed value", &download.ArchiveChangedError{}, new(*scalingodb.ArchiveChangedError), scalingodb.ErrArchiveChanged, true},
		{"download in progress value", &download.InProgressError{Path: "p"}, new(*scalingodb.DownloadInProgressError), scalingodb.ErrDownloadInProgress, true},
		{"addon token 401", token("bad", authHost.URL), new(*scalingodb.APIError), scalingodb.ErrUnauthorized, true},
		{"addon token without its key", token("good", authHost.URL), new(*scalingodb.ResponseError), scalingodb.ErrMalformedResponse, true},
		{"addon token refused", token("good", "http://127.0.0.1:1"), new(*scalingodb.TransportError), nil, true},
		{"addon source without tokens", func() error {
			_, err := auth.NewAddonTokenSource(auth.AddonTokenConfig{})
			return err
		}(), new(*scalingodb.InvalidInputError), scalingodb.ErrInvalidInput, true},
		{"not one: a 404 is no ResponseError", dl("/missing", 1, once), new(*scalingodb.ResponseError), scalingodb.ErrMalformedResponse, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the moved code returned no error")
			}
			if got := errors.As(tt.err, tt.as); got != tt.wantFind {
				t.Errorf("errors.As(%v, %T) = %t, want %t", tt.err, tt.as, got, tt.wantFind)
			}
			if tt.is != nil {
				if got := errors.Is(tt.err, tt.is); got != tt.wantFind {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", tt.err, tt.is, got, tt.wantFind)
				}
			}
		})
	}
}

// TestMovedNames_Forwarding checks that the options and token sources
// that moved keep working under their old names.
func TestMovedNames_Forwarding(t *testing.T) {
	_ = []scalingodb.DownloadOption{download.WithParallel(2), scalingodb.WithParallel(2), scalingodb.WithProgress(nil),
		scalingodb.WithDownloadRetry(scalingodb.RetryPolicy{}), scalingodb.WithStallTimeout(time.Second)}
	ts := []scalingodb.TokenSource{auth.StaticToken("t")}
	if tok, err := ts[0].Token(context.Background()); err != nil || tok != "t" {
		t.Errorf("auth.StaticToken as a scalingodb.TokenSource: %q, %v", tok, err)
	}
	if tok, err := scalingodb.StaticToken("u").Token(context.Background()); err != nil || tok != "u" {
		t.Errorf("scalingodb.StaticToken: %q, %v", tok, err)
	}
	s := []scalingodb.Secret{auth.NewSecret("v")}[0]
	if s.Reveal() != "v" || scalingodb.NewSecret("v").String() != "[redacted]" {
		t.Errorf("Secret: %q", s.Reveal())
	}
	if scalingodb.DefaultAuthURL != auth.DefaultAuthURL {
		t.Errorf("DefaultAuthURL %q", scalingodb.DefaultAuthURL)
	}
}

// zeroes reads as an endless run of zero bytes.
type zeroes struct{}

func (zeroes) ReadAt(p []byte, _ int64) (int, error) {
	clear(p)
	return len(p), nil
}
