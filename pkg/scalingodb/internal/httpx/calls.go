package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// noRetryKey marks, in a request's context, an operation that may have
// taken effect on the server even when its answer is lost: such a request
// is sent again only after a 429, which says that the server did nothing.
type noRetryKey struct{}

// NoRetry marks ctx so that checkRetry retries its request after a 429 only.
func NoRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

// isNoRetry reports whether ctx was marked by NoRetry.
func isNoRetry(ctx context.Context) bool {
	v, _ := ctx.Value(noRetryKey{}).(bool)
	return v
}

// checkRetry returns the retryablehttp.CheckRetry of the client: it
// retries connection errors, 429 and 5xx (but 501) of idempotent requests,
// as go-retryablehttp's DefaultRetryPolicy classifies them, and 429 of the
// others, and stops as soon as the context is done. An answer whose Retry-After asks for a
// longer wait than maxWait is returned to the caller at once (with
// APIError.RetryAfter set) rather than retried too early.
func checkRetry(maxWait time.Duration) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		return ShouldRetry(ctx, resp, err, maxWait)
	}
}

// ShouldRetry is the retry decision of checkRetry, which it records in the
// CallState of ctx. An answer that a transport of WithAPITransport refused
// for breaking the spec (a *ResponseError of its status, package validate's)
// is decided by its status, as the same answer would be without the check:
// a gateway's HTML 503 is retried, and only the last attempt's violation is
// the call's error. Its Retry-After is lost with it: the backoff applies.
func ShouldRetry(ctx context.Context, resp *http.Response, err error, maxWait time.Duration) (bool, error) {
	var re *ResponseError
	if err != nil && errors.As(err, &re) && re.StatusCode != 0 {
		resp, err = &http.Response{StatusCode: re.StatusCode, Header: http.Header{}}, nil
	}
	retry, cerr := retryDecision(ctx, resp, err, maxWait)
	if retry {
		if st := callStateOf(ctx); st != nil {
			st.attemptFailed(resp, err)
		}
	}
	return retry, cerr
}

func retryDecision(ctx context.Context, resp *http.Response, err error, maxWait time.Duration) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()) > maxWait {
			return false, nil
		}
	}
	if isNoRetry(ctx) {
		// A 429 says that the server did nothing: the one answer after
		// which a request that must not run twice is sent again. Not a
		// 503, which a gateway may answer after the server acted.
		return err == nil && resp.StatusCode == http.StatusTooManyRequests, nil
	}
	if err != nil && !retryableTransportError(err) {
		return false, nil
	}
	// The library's own rules: connection errors but too many redirects,
	// an unsupported scheme, an invalid header or an untrusted
	// certificate; 429; 5xx but 501.
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// CallState follows one call of an operation that writes across its
// attempts, to tell whether its request may have reached the server. It
// rides in the request's context, with the httptrace hooks that fill it.
type CallState struct {
	// conn: net/http's transport took up the current attempt (GetConn).
	conn atomic.Bool
	// wrote: the current attempt's request headers were written to a
	// connection, so the server may have got the request.
	wrote atomic.Bool
	// failedWritten: the current attempt is being retried after a failure
	// that does not rule out its effect (anything but a 429, once written).
	failedWritten atomic.Bool
	// Applied: an earlier attempt of the call may have taken effect.
	Applied atomic.Bool
	// Body: the *BodyError of the current attempt's answer, kept for when
	// the context stopped the read, after which go-retryablehttp returns
	// the context's error alone.
	Body atomic.Pointer[BodyError]
}

type callStateKey struct{}

// WithCallState returns ctx carrying a new CallState and the trace hooks
// that fill it.
func WithCallState(ctx context.Context) (context.Context, *CallState) {
	st := &CallState{}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:      func(string) { st.conn.Store(true) },
		WroteHeaders: func() { st.wrote.Store(true) },
	})
	return ctx, st
}

// callStateOf returns the CallState of ctx, or nil.
func callStateOf(ctx context.Context) *CallState {
	st, _ := ctx.Value(callStateKey{}).(*CallState)
	return st
}

// attemptFailed records, before a retry, whether the failed attempt may
// have taken effect: an answer other than 429 was given by a server that
// got the request, and a transport error may have come after it got it.
func (st *CallState) attemptFailed(resp *http.Response, err error) {
	if err == nil {
		st.failedWritten.Store(resp.StatusCode != http.StatusTooManyRequests)
		return
	}
	st.failedWritten.Store(MayHaveReached(st, err))
}

// nextAttempt is the PrepareRetry hook: it carries what the failed
// attempt may have done over to the call, and clears the attempt's trace.
func nextAttempt(req *http.Request) error {
	if st := callStateOf(req.Context()); st != nil {
		if st.failedWritten.Swap(false) {
			st.Applied.Store(true)
		}
		st.conn.Store(false)
		st.wrote.Store(false)
		st.Body.Store(nil)
	}
	return nil
}

// MayHaveReached reports whether the request of an attempt that failed
// with the transport error err may have reached the server: its headers
// were written, an answer's headers arrived (a *BodyError), or it went
// through a transport of WithAPITransport that does not use net/http's
// (no trace hook fired) and failed other than by dialling or the context.
// A request refused at dial time, or cancelled before a connection, did
// not reach it.
func MayHaveReached(st *CallState, err error) bool {
	if errors.As(err, new(*BodyError)) || errors.Is(err, io.ErrUnexpectedEOF) || st.wrote.Load() {
		return true // an answer (or part of one) came, or the request was written
	}
	if st.conn.Load() {
		return false // net/http took the request up and wrote nothing
	}
	var ue *url.Error
	if !errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // failed before the transport (a token source, an editor) or before a connection
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" || errors.As(err, new(*net.DNSError)) {
		return false
	}
	return true
}

// retryableTransportError reports whether a transport error may be
// transient before go-retryablehttp's policy has its say: not an answer
// over the size cap (it would be over it again), not an error that says it
// is permanent, not a checked spec violation (one of a status the policy
// retries never comes here: see ShouldRetry).
func retryableTransportError(err error) bool {
	if errors.As(err, new(*http.MaxBytesError)) {
		return false
	}
	var pe PermanentError
	if errors.As(err, &pe) && pe.Permanent() {
		return false
	}
	return !IsViolation(err)
}

// NewRetryClient wires the retry policy into go-retryablehttp.
func NewRetryClient(hc *http.Client, p RetryPolicy, logger Logger) *retryablehttp.Client {
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.MinWait,
		RetryWaitMax: p.MaxWait,
		RetryMax:     p.MaxAttempts - 1,
		CheckRetry:   checkRetry(p.MaxWait),
		PrepareRetry: nextAttempt,
		Backoff:      Backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if logger != nil {
		rc.Logger = LogAdapter{L: logger}
	}
	return rc
}

// RetryDoer is the HTTP doer of the generated client: every request goes
// through go-retryablehttp, whose body replay makes retried requests safe.
type RetryDoer struct{ RC *retryablehttp.Client }

// Do sends req with retries. The body of the answer is read inside the
// retry loop, so that a connection cut in the middle of a body is retried
// like any other connection error (for idempotent requests).
func (d RetryDoer) Do(req *http.Request) (*http.Response, error) {
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, err
	}
	rreq.SetResponseHandler(bufferBody)
	resp, err := d.RC.Do(rreq)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, asTransportError(err)
	}
	return resp, nil
}

// asTransportError wraps the error of a request that failed in transit in
// a *TransportError, whose operation and Written the call fills in (see
// transportError). An answer whose body was lost (*BodyError) or that
// breaks the spec (*ResponseError) keeps its own type.
func asTransportError(err error) error {
	if errors.As(err, new(*BodyError)) || IsViolation(err) {
		return err
	}
	return &TransportError{Err: err}
}

// MaxAPIBody bounds the JSON answers of the API read into memory.
const MaxAPIBody = 32 << 20

// bodyPool recycles the buffers that hold answers.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// PooledBody is an answer held in memory; Close recycles its buffer.
type PooledBody struct {
	bytes.Reader
	buf *bytes.Buffer
}

func (b *PooledBody) Close() error {
	if b.buf != nil {
		b.Reset(nil)
		b.buf.Reset()
		bodyPool.Put(b.buf)
		b.buf = nil
	}
	return nil
}

// bufferBody reads the whole answer into a pooled buffer. A read that
// fails is a *BodyError, which holds the status and request ID of the
// answer; an answer of more than MaxAPIBody bytes (decompressed) fails with
// one wrapping *http.MaxBytesError, which is never retried.
func bufferBody(resp *http.Response) error {
	buf := bodyPool.Get().(*bytes.Buffer)
	err := ReadCapped(buf, resp.Body, MaxAPIBody)
	resp.Body.Close()
	if err != nil {
		buf.Reset()
		bodyPool.Put(buf)
		resp.Body = http.NoBody
		be := NewBodyError(resp, err)
		if resp.Request != nil {
			if st := callStateOf(resp.Request.Context()); st != nil {
				st.Body.Store(be)
			}
		}
		return be
	}
	pb := &PooledBody{buf: buf}
	pb.Reset(buf.Bytes())
	resp.Body = pb
	return nil
}

// LogAdapter is the retryablehttp.LeveledLogger of a Logger: it takes
// query strings out of any URL it is given and prefixes the messages.
type LogAdapter struct{ L Logger }

func (a LogAdapter) log(level func(string, ...any), msg string, kv []any) {
	for i, v := range kv {
		switch s := v.(type) {
		case string:
			if strings.Contains(s, "://") || strings.Contains(s, "?") {
				kv[i] = redactLogString(s)
			}
		case *url.URL:
			kv[i] = RedactURL(s.String())
		case error:
			kv[i] = RedactError(s).Error()
		}
	}
	level("scalingodb: "+msg, kv...)
}

// redactLogString removes the query of every URL found in s.
func redactLogString(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if strings.Contains(f, "?") {
			fields[i] = RedactURL(f)
		}
	}
	return strings.Join(fields, " ")
}

// Error logs at error level.
func (a LogAdapter) Error(msg string, kv ...any) { a.log(a.L.Error, msg, kv) }

// Info logs at info level.
func (a LogAdapter) Info(msg string, kv ...any) { a.log(a.L.Info, msg, kv) }

// Debug logs at debug level.
func (a LogAdapter) Debug(msg string, kv ...any) { a.log(a.L.Debug, msg, kv) }

// Warn logs at warn level.
func (a LogAdapter) Warn(msg string, kv ...any) { a.log(a.L.Warn, msg, kv) }

// IsViolation reports whether err holds a *ResponseError, which a
// transport of WithAPITransport returns for an answer that breaks the
// spec; a retry cannot fix it, but one of a 429 or a 5xx is retried as
// that status is (see ShouldRetry).
func IsViolation(err error) bool {
	var re *ResponseError
	return errors.As(err, &re)
}

var ErrEmptyBody = errors.New("empty body")

// DecodeBody decodes a JSON answer; one already in memory is decoded in
// place, and anything after its JSON value is an error.
func DecodeBody(body io.Reader, out any) error {
	if pb, ok := body.(*PooledBody); ok && pb.buf != nil {
		data := pb.buf.Bytes()
		if len(bytes.TrimSpace(data)) == 0 {
			return ErrEmptyBody
		}
		return json.Unmarshal(data, out)
	}
	return json.NewDecoder(body).Decode(out)
}

// DrainBody reads what is left of a small body so that the connection is reused.
func DrainBody(r io.Reader) {
	if _, inMemory := r.(*PooledBody); inMemory {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
}

// MaxIdleConns is the idle pool, per host and in all, of the transports
// New makes (see New).
const MaxIdleConns = 256

// NewTransport returns a transport made for one host shared by many
// goroutines: http.DefaultTransport's settings with an idle pool of
// MaxIdleConns connections instead of 2 per host, and answer headers
// capped at 1 MiB. A readBuffer other than 0 sets ReadBufferSize: the
// download transport reads in 64 KiB slices instead of 4 KiB, which
// measured 1.2 to 1.7 times the throughput on large archives
// (BenchmarkDownload1GiB compares it with curl). It returns nil when the
// program replaced http.DefaultTransport with another kind of
// RoundTripper, whose choice New keeps.
func NewTransport(readBuffer int) *http.Transport {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil
	}
	t := dt.Clone()
	t.MaxIdleConns = MaxIdleConns
	t.MaxIdleConnsPerHost = MaxIdleConns
	t.MaxResponseHeaderBytes = 1 << 20
	if readBuffer > 0 {
		t.ReadBufferSize = readBuffer
	}
	return t
}

// KeepIdle is the API transport as go-retryablehttp sees it: without a
// CloseIdleConnections method, which the library calls after every call
// that fails and every wait the context stops. On the client's own
// transport that closed the idle connections every other goroutine was
// about to reuse (a new connection for most calls once some fail); on a
// caller's, connections that are not the client's to close. Close releases
// the client's own.
type KeepIdle struct{ RT http.RoundTripper }

// RoundTrip sends req through the wrapped transport.
func (k KeepIdle) RoundTrip(req *http.Request) (*http.Response, error) { return k.RT.RoundTrip(req) }
