package backupsync

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// lowerS3Bounds makes the S3 client give up on a silent connection after
// bound, for the test.
func lowerS3Bounds(t *testing.T, bound time.Duration) {
	t.Helper()
	header, stall, idle := s3HeaderTimeout, s3StallTimeout, s3IdleConnTimeout
	s3HeaderTimeout, s3StallTimeout, s3IdleConnTimeout = bound, bound, bound/2
	t.Cleanup(func() { s3HeaderTimeout, s3StallTimeout, s3IdleConnTimeout = header, stall, idle })
}

// silentS3 listens on 127.0.0.1, accepts connections, reads what comes and
// never answers; it returns the endpoint.
func silentS3(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = bufio.NewReader(c).WriteTo(discard{}) }()
		}
	}()
	return "http://" + ln.Addr().String()
}

// discard is io.Discard as a type of its own (bufio's WriteTo).
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// stallingS3 serves gofakes3 on 127.0.0.1, except for the requests stall
// picks: those it answers with what hang writes, then hangs until the end
// of the test (or a call of the release function it returns), never
// reading their body.
func stallingS3(t *testing.T, stall func(*http.Request) bool, hang func(http.ResponseWriter)) (string, func()) {
	t.Helper()
	_, fake := fakeS3Handler(t)
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !stall(r) {
			fake.ServeHTTP(w, r)
			return
		}
		hang(w)
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}))
	release := sync.OnceFunc(func() { close(done) })
	t.Cleanup(srv.Close)
	t.Cleanup(release)
	return srv.URL, release
}

// isHangError reports whether err is the S3 client giving up on a silent
// endpoint: a stall, or no response headers in time; not the test's own
// deadline.
func isHangError(err error) bool {
	var stall *StallError
	return errors.As(err, &stall) || strings.Contains(err.Error(), "timeout awaiting response headers")
}

// TestS3HungEndpoint: an S3 endpoint that accepts and never answers,
// answers headers then stalls its body, or stops reading an upload, makes
// Sync and Verify fail with a timeout of the S3 client (within its bounds,
// lowered here), instead of hanging the run for good.
func TestS3HungEndpoint(t *testing.T) {
	lowerS3Bounds(t, 300*time.Millisecond)
	tests := []struct {
		name     string
		endpoint func(t *testing.T) string
		verify   bool // Verify fails too (the upload case reads fine)
	}{
		{"never answers", silentS3, true},
		{"headers then a stalled body", func(t *testing.T) string {
			url, _ := stallingS3(t, func(r *http.Request) bool { return r.Method == http.MethodGet },
				func(w http.ResponseWriter) {
					w.Header().Set("Content-Type", "application/xml")
					w.Header().Set("Content-Length", "4096")
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write([]byte("<?xml"))
					w.(http.Flusher).Flush()
				})
			return url
		}, true},
		{"an upload part never read", func(t *testing.T) string {
			url, _ := stallingS3(t, func(r *http.Request) bool { return r.URL.Query().Has("partNumber") },
				func(http.ResponseWriter) {})
			return url
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3Env(t)
			// Far above the bounds (and their SDK retries): reaching it
			// means the client hung.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			d := open(t, s3URL(tt.endpoint(t), "hung"))
			f := newFixture(t, 1, 1, 6<<20)
			res := Sync(ctx, d, f.sources(), Options{ToolVersion: "test", Download: fastRetry})
			if ctx.Err() != nil {
				t.Fatalf("sync hung until the test's deadline: %v", res[0].Err)
			}
			if !res[0].Failed() || !isHangError(res[0].Err) {
				t.Errorf("sync against a hung endpoint: %v, want a timeout of the S3 client", res[0].Err)
			}
			if !tt.verify {
				return
			}
			vr, err := Verify(ctx, d, f.dbs[0])
			if ctx.Err() != nil {
				t.Fatalf("verify hung until the test's deadline: %v %+v", err, vr)
			}
			if err == nil && len(vr) == 1 {
				err = vr[0].Err
			}
			if err == nil || !isHangError(err) {
				t.Errorf("verify against a hung endpoint: %v, want a timeout of the S3 client", err)
			}
		})
	}
}

// TestOpenS3_URLParameters: the query parameters of an s3:// URL that
// gocloud.dev's s3blob takes still work with the bounded HTTP client, and
// prefix= puts every object under its prefix, archives (uploaded through
// the S3 client) included, so that verify finds them.
func TestOpenS3_URLParameters(t *testing.T) {
	tests := []struct {
		name   string
		params string
		under  string // the keys' start in the bucket
	}{
		{"path style", "region=us-east-1&use_path_style=true", "p/"},
		{"legacy path style", "region=us-east-1&s3ForcePathStyle=true", "p/"},
		{"checksums when required", "region=us-east-1&use_path_style=true&request_checksum_calculation=when_required&response_checksum_validation=when_required", "p/"},
		{"server-side encryption", "region=us-east-1&use_path_style=true&ssetype=AES256", "p/"},
		{"prefix parameter", "region=us-east-1&use_path_style=true&prefix=top/", "top/p/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s3Env(t)
			backend, base := fakeS3(t)
			ctx := context.Background()
			d := open(t, "s3://"+testBucket+"/p?"+tt.params+"&endpoint="+base)
			f := newFixture(t, 1, 1, 6<<20)
			if res := Sync(ctx, d, f.sources(), Options{ToolVersion: "test"}); res[0].Failed() {
				t.Fatal(res[0].Err)
			}
			vr, err := Verify(ctx, d)
			if err != nil || len(vr) != 1 || vr[0].Failed() || vr[0].OK != 1 {
				t.Fatalf("verify: %+v, %v", vr, err)
			}
			list, err := backend.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Contents) != 2 {
				t.Errorf("%d objects in the bucket, want the archive and the manifest", len(list.Contents))
			}
			for _, o := range list.Contents {
				if !strings.HasPrefix(o.Key, tt.under+f.dbs[0]+"/") {
					t.Errorf("object %s is not under %s", o.Key, tt.under)
				}
			}
		})
	}
}

// TestLock_HungRenewalEndsBeforeTheLockExpires: a renewal on an endpoint
// that stops answering gives up after lockRenewTimeout, whatever the HTTP
// client's bounds (which, with the SDK's retries, exceed the lock's life),
// and the run stops with a *LockLostError before its lock can expire and
// be taken over by another run.
func TestLock_HungRenewalEndsBeforeTheLockExpires(t *testing.T) {
	defer func(d, r time.Duration) { lockRenewEvery, lockRenewTimeout = d, r }(lockRenewEvery, lockRenewTimeout)
	lockRenewEvery, lockRenewTimeout = 20*time.Millisecond, 200*time.Millisecond
	s3Env(t)
	var hung atomic.Bool
	endpoint, release := stallingS3(t, func(*http.Request) bool { return hung.Load() }, func(http.ResponseWriter) {})
	d := open(t, s3URL(endpoint, "renew"))
	// Once the endpoint hangs, the clock says the lock is near its end:
	// the first failed renewal must stop the run.
	now := func() time.Time {
		if hung.Load() {
			return time.Now().Add(LockTTL)
		}
		return time.Now()
	}
	held, lctx, err := d.lock(context.Background(), "db-r", "test", now)
	if err != nil {
		t.Fatal(err)
	}
	hung.Store(true)
	select {
	case <-lctx.Done():
	case <-time.After(60 * time.Second): // the HTTP bounds are 2 minutes
		hung.Store(false)
		release()
		held.cancel(nil)
		t.Fatal("a renewal on a hung endpoint did not end")
	}
	var lost *LockLostError
	if !errors.As(context.Cause(lctx), &lost) || !errors.Is(lost.Cause, context.DeadlineExceeded) {
		t.Errorf("cause %v, want a *LockLostError of a renewal past its deadline", context.Cause(lctx))
	}
	hung.Store(false)
	if err := held.release(); err != nil {
		t.Errorf("release: %v", err)
	}
}
