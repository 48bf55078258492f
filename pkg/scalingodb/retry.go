package scalingodb

import (
	"bytes"
	"context"
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

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// RetryPolicy says how idempotent requests are retried after a connection
// error, a 429 or a 5xx answer (see WithRetry). The zero value of a field
// takes its default.
type RetryPolicy = httpx.RetryPolicy

// noRetryKey marks, in a request's context, an operation that may have
// taken effect on the server even when its answer is lost: such a request
// is sent again only after a 429, which says that the server did nothing.
type noRetryKey struct{}

// noRetry marks ctx so that checkRetry retries its request after a 429 only.
func noRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

// isNoRetry reports whether ctx was marked by noRetry.
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
		return shouldRetry(ctx, resp, err, maxWait)
	}
}

func shouldRetry(ctx context.Context, resp *http.Response, err error, maxWait time.Duration) (bool, error) {
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
		if httpx.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()) > maxWait {
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

// callState follows one call of an operation that writes across its
// attempts, to tell whether its request may have reached the server. It
// rides in the request's context, with the httptrace hooks that fill it.
type callState struct {
	// conn: net/http's transport took up the current attempt (GetConn).
	conn atomic.Bool
	// wrote: the current attempt's request headers were written to a
	// connection, so the server may have got the request.
	wrote atomic.Bool
	// failedWritten: the current attempt is being retried after a failure
	// that does not rule out its effect (anything but a 429, once written).
	failedWritten atomic.Bool
	// applied: an earlier attempt of the call may have taken effect.
	applied atomic.Bool
	// body: the *BodyError of the current attempt's answer, kept for when
	// the context stopped the read, after which go-retryablehttp returns
	// the context's error alone.
	body atomic.Pointer[BodyError]
}

type callStateKey struct{}

// withCallState returns ctx carrying a new callState and the trace hooks
// that fill it.
func withCallState(ctx context.Context) (context.Context, *callState) {
	st := &callState{}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:      func(string) { st.conn.Store(true) },
		WroteHeaders: func() { st.wrote.Store(true) },
	})
	return ctx, st
}

// callStateOf returns the callState of ctx, or nil.
func callStateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// attemptFailed records, before a retry, whether the failed attempt may
// have taken effect: an answer other than 429 was given by a server that
// got the request, and a transport error may have come after it got it.
func (st *callState) attemptFailed(resp *http.Response, err error) {
	if err == nil {
		st.failedWritten.Store(resp.StatusCode != http.StatusTooManyRequests)
		return
	}
	st.failedWritten.Store(mayHaveReached(st, err))
}

// nextAttempt is the PrepareRetry hook: it carries what the failed
// attempt may have done over to the call, and clears the attempt's trace.
func nextAttempt(req *http.Request) error {
	if st := callStateOf(req.Context()); st != nil {
		if st.failedWritten.Swap(false) {
			st.applied.Store(true)
		}
		st.conn.Store(false)
		st.wrote.Store(false)
		st.body.Store(nil)
	}
	return nil
}

// mayHaveReached reports whether the request of an attempt that failed
// with the transport error err may have reached the server: its headers
// were written, an answer's headers arrived (a *BodyError), or it went
// through a transport of WithAPITransport that does not use net/http's
// (no trace hook fired) and failed other than by dialling or the context.
// A request refused at dial time, or cancelled before a connection, did
// not reach it.
func mayHaveReached(st *callState, err error) bool {
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
// is permanent, not a checked spec violation.
func retryableTransportError(err error) bool {
	if errors.As(err, new(*http.MaxBytesError)) {
		return false
	}
	var pe httpx.PermanentError
	if errors.As(err, &pe) && pe.Permanent() {
		return false
	}
	return !isViolation(err)
}

// newRetryClient wires the retry policy into go-retryablehttp.
func newRetryClient(hc *http.Client, p RetryPolicy, logger Logger) *retryablehttp.Client {
	rc := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: p.MinWait,
		RetryWaitMax: p.MaxWait,
		RetryMax:     p.MaxAttempts - 1,
		CheckRetry:   checkRetry(p.MaxWait),
		PrepareRetry: nextAttempt,
		Backoff:      httpx.Backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	if logger != nil {
		rc.Logger = logAdapter{logger}
	}
	return rc
}

// retryDoer is the HTTP doer of the generated client: every request goes
// through go-retryablehttp, whose body replay makes retried requests safe.
type retryDoer struct{ rc *retryablehttp.Client }

// Do sends req with retries. The body of the answer is read inside the
// retry loop, so that a connection cut in the middle of a body is retried
// like any other connection error (for idempotent requests).
func (d retryDoer) Do(req *http.Request) (*http.Response, error) {
	rreq, err := retryablehttp.FromRequest(req)
	if err != nil {
		return nil, err
	}
	rreq.SetResponseHandler(bufferBody)
	resp, err := d.rc.Do(rreq)
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
	if errors.As(err, new(*BodyError)) || isViolation(err) {
		return err
	}
	return &TransportError{Err: err}
}

// maxAPIBody bounds the JSON answers of the API read into memory.
const maxAPIBody = 32 << 20

// bodyPool recycles the buffers that hold answers.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pooledBody is an answer held in memory; Close recycles its buffer.
type pooledBody struct {
	bytes.Reader
	buf *bytes.Buffer
}

func (b *pooledBody) Close() error {
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
// answer; an answer of more than maxAPIBody bytes (decompressed) fails with
// one wrapping *http.MaxBytesError, which is never retried.
func bufferBody(resp *http.Response) error {
	buf := bodyPool.Get().(*bytes.Buffer)
	err := httpx.ReadCapped(buf, resp.Body, maxAPIBody)
	resp.Body.Close()
	if err != nil {
		buf.Reset()
		bodyPool.Put(buf)
		resp.Body = http.NoBody
		be := httpx.NewBodyError(resp, err)
		if resp.Request != nil {
			if st := callStateOf(resp.Request.Context()); st != nil {
				st.body.Store(be)
			}
		}
		return be
	}
	pb := &pooledBody{buf: buf}
	pb.Reset(buf.Bytes())
	resp.Body = pb
	return nil
}

// logAdapter is the retryablehttp.LeveledLogger of a Logger: it takes
// query strings out of any URL it is given and prefixes the messages.
type logAdapter struct{ l Logger }

func (a logAdapter) log(level func(string, ...any), msg string, kv []any) {
	for i, v := range kv {
		switch s := v.(type) {
		case string:
			if strings.Contains(s, "://") || strings.Contains(s, "?") {
				kv[i] = redactLogString(s)
			}
		case *url.URL:
			kv[i] = httpx.RedactURL(s.String())
		case error:
			kv[i] = httpx.RedactError(s).Error()
		}
	}
	level("scalingodb: "+msg, kv...)
}

// redactLogString removes the query of every URL found in s.
func redactLogString(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		if strings.Contains(f, "?") {
			fields[i] = httpx.RedactURL(f)
		}
	}
	return strings.Join(fields, " ")
}

// Error logs at error level.
func (a logAdapter) Error(msg string, kv ...any) { a.log(a.l.Error, msg, kv) }

// Info logs at info level.
func (a logAdapter) Info(msg string, kv ...any) { a.log(a.l.Info, msg, kv) }

// Debug logs at debug level.
func (a logAdapter) Debug(msg string, kv ...any) { a.log(a.l.Debug, msg, kv) }

// Warn logs at warn level.
func (a logAdapter) Warn(msg string, kv ...any) { a.log(a.l.Warn, msg, kv) }
