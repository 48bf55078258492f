package httpx

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryPolicy says how idempotent requests are retried after a connection
// error, a 429 or a 5xx answer. The zero value of a field takes its default.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first one included
	// (default 4). 1 disables retries.
	MaxAttempts int
	// MinWait is the wait before the first retry (default 250ms); each
	// retry waits twice as long as the previous one, with jitter.
	MinWait time.Duration
	// MaxWait caps a single wait (default 30s); an answer whose
	// Retry-After is longer is returned instead of retried.
	MaxWait time.Duration
}

// Defaults of RetryPolicy.
const (
	defaultMaxAttempts = 4
	defaultMinWait     = 250 * time.Millisecond
	defaultMaxWait     = 30 * time.Second
)

// WithDefaults returns p with its zero fields set to their defaults, and
// MaxWait at least MinWait.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.MinWait <= 0 {
		p.MinWait = defaultMinWait
	}
	if p.MaxWait <= 0 {
		p.MaxWait = defaultMaxWait
	}
	if p.MaxWait < p.MinWait {
		p.MaxWait = p.MinWait
	}
	return p
}

// Logger receives logs as a message and key, value pairs. A *slog.Logger
// is one (so is go-retryablehttp's LeveledLogger); nothing here imports
// log/slog, so that programs that log nothing do not link it.
type Logger interface {
	Debug(msg string, keysAndValues ...any)
	Info(msg string, keysAndValues ...any)
	Warn(msg string, keysAndValues ...any)
	Error(msg string, keysAndValues ...any)
}

// PermanentError is implemented by errors that a retry cannot fix, such
// as a response that breaks the spec or a refused redirect.
type PermanentError interface{ Permanent() bool }

// NeverSent reports whether err says that its request never left: the
// dial failed (refused, unreachable, unknown host, cancelled) or the TLS
// handshake refused the host's certificate.
func NeverSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial" ||
		errors.As(err, new(*net.DNSError)) ||
		errors.As(err, new(*tls.CertificateVerificationError))
}

// Backoff is the wait before retry number attempt (from 0): exponential
// from minWait with full jitter on the upper half, capped by maxWait; a
// Retry-After header on a 429 or 503 answer replaces it (capped by maxWait
// too). It has the shape of a retryablehttp.Backoff.
func Backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if h := resp.Header.Get("Retry-After"); h != "" {
			// An unusable value (invalid, negative, zero, past) is 0 and
			// leaves the backoff below.
			if d := ParseRetryAfter(h, time.Now()); d > 0 {
				return min(d, maxWait)
			}
		}
	}
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	if d > maxWait {
		d = maxWait
	}
	// Jitter: a uniform pick in [d/2, d].
	half := d / 2
	if half > 0 {
		d = half + rand.N(half+1)
	}
	return d
}

// DoJSON sends req through hc and decodes a 2xx JSON answer of at most
// limit bytes into out. A failure in transit is a *TransportError, a
// non-2xx answer an *APIError, an answer that is not JSON (or is over
// limit) a *ResponseError; op names the request in each. No URL query
// reaches an error.
func DoJSON(hc *http.Client, req *http.Request, op string, limit int64, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return &TransportError{OperationID: op, Written: !NeverSent(err), Err: RedactError(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return NewAPIError(op, resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, limit)).Decode(out); err != nil {
		return &ResponseError{StatusCode: resp.StatusCode, OperationID: op, Reason: "invalid JSON", Err: err}
	}
	return nil
}

// ReadCapped reads r into buf, failing with an error wrapping
// *http.MaxBytesError at the first byte past limit. Past 1 MiB it reads in
// 1 MiB chunks joined at the end, so that an answer over the cap costs at
// most limit bytes, never a doubled buffer.
func ReadCapped(buf *bytes.Buffer, r io.Reader, limit int) error {
	const chunk = 1 << 20
	var chunks [][]byte
	total := 0 // bytes in chunks
	cur := buf.AvailableBuffer()
	for {
		if len(cur) == cap(cur) {
			if total+len(cur) >= limit {
				var one [1]byte
				if n, _ := io.ReadFull(r, one[:]); n > 0 {
					*buf = bytes.Buffer{}
					return fmt.Errorf("answer larger than %d MiB: %w", limit>>20, &http.MaxBytesError{Limit: int64(limit)})
				}
				break
			}
			if cap(cur) < chunk {
				nb := make([]byte, len(cur), min(max(2*cap(cur), 64<<10), chunk, limit))
				copy(nb, cur)
				cur = nb
			} else {
				chunks = append(chunks, cur)
				total += len(cur)
				cur = make([]byte, 0, min(chunk, limit-total))
			}
		}
		n, err := r.Read(cur[len(cur):cap(cur)])
		cur = cur[:len(cur)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*buf = bytes.Buffer{}
			return err
		}
	}
	if chunks != nil {
		out := make([]byte, 0, total+len(cur))
		for _, c := range chunks {
			out = append(out, c...)
		}
		cur = append(out, cur...)
	}
	*buf = *bytes.NewBuffer(cur)
	return nil
}
