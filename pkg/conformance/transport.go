package conformance

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// TransportOption configures the RoundTripper returned by Validator.Transport.
type TransportOption func(*transportOptions)

// transport is the RoundTripper of Transport.
type transport struct {
	v    *Validator
	base http.RoundTripper
	o    transportOptions
}

type transportOptions struct {
	onViolation func(*ViolationError)
	reportOnly  bool
}

// OnTransportViolation makes the transport call f for each request that cannot be routed and each
// response that breaks the spec. f may be called from several goroutines at once.
func OnTransportViolation(f func(*ViolationError)) TransportOption {
	return func(o *transportOptions) { o.onViolation = f }
}

// ReportOnly makes the transport pass responses (and unroutable requests) through instead of failing
// the round trip: violations only reach the OnTransportViolation callback.
func ReportOnly() TransportOption {
	return func(o *transportOptions) { o.reportOnly = true }
}

// Transport wraps base (nil means http.DefaultTransport) so that every request is routed to its
// operation and every response is validated against the spec. JSON and text bodies are read,
// validated and restored; binary bodies (application/octet-stream) are streamed through untouched and
// only their status and headers are checked. By default a violation makes RoundTrip return a
// *ViolationError (after closing the response body), and a request that matches no operation fails
// before anything is sent; ReportOnly and OnTransportViolation change that.
//
// Bodies are read up to the Validator's cap (DefaultMaxBodyBytes unless WithMaxBodyBytes), counted
// in decompressed bytes: a gzip body is decompressed to be checked, and the caller gets it as it
// came. A larger body fails the round trip, even with ReportOnly, with an error that wraps
// *http.MaxBytesError (found with errors.As): it is a property of the answer that a retry will not
// change, and it is not a *ViolationError.
//
// A JSON or text body cut short (fewer bytes than its Content-Length, or a chunked body or gzip
// stream cut before its end) fails the round trip, even with ReportOnly, with a *TruncatedBodyError
// that names the operation: the connection broke, and the bytes that came are never given as the
// whole answer, even when they happen to be valid JSON. It is not a *ViolationError and it matches
// io.ErrUnexpectedEOF (errors.Is), as net/http's own error for a cut body does, so that a client
// that retries a cut answer without this transport retries it with it too. (A binary body is
// streamed: its reader fails with net/http's own error where it is cut.)
func (v *Validator) Transport(base http.RoundTripper, opts ...TransportOption) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &transport{v: v, base: base}
	apply(&t.o, opts)
	return t
}

func (t *transport) report(err error) error {
	var ve *ViolationError
	if !errors.As(err, &ve) {
		return err
	}
	if t.o.onViolation != nil {
		t.o.onViolation(ve)
	}
	if t.o.reportOnly {
		return nil
	}
	return ve
}

// RoundTrip sends req through the wrapped transport and validates the response.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	info, _, _, err := t.v.route(req, false)
	if err != nil {
		if err := t.report(err); err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
		return t.base.RoundTrip(req)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	header := resp.Header
	if resp.ContentLength >= 0 && header.Get("Content-Length") == "" {
		// net/http moves Content-Length out of the header map; put it back for header checks.
		header = header.Clone()
		header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	if t.isBinary(info, resp) {
		err = t.v.checkResponse(info, req, resp.StatusCode, header, nil, true)
	} else {
		data, rerr := readCapped(resp.Body, t.v.maxBody, resp.ContentLength)
		_ = resp.Body.Close()
		if rerr != nil {
			return nil, t.readError(rerr, info, req, resp.StatusCode)
		}
		resp.Body = io.NopCloser(bytes.NewReader(data))
		checked, derr := decodedForCheck(resp.Header, data, t.v.maxBody)
		if derr != nil {
			return nil, t.readError(derr, info, req, resp.StatusCode)
		}
		err = t.v.checkResponse(info, req, resp.StatusCode, header, checked, false)
	}
	if err == nil {
		return resp, nil
	}
	if err := t.report(err); err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// readError names a failed read of a response body: a body over the cap gives an error that wraps
// *http.MaxBytesError, a cut body a *TruncatedBodyError that names the operation.
func (t *transport) readError(err error, info *opInfo, req *http.Request, status int) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLargeError("response body", mbe)
	}
	truncatedAt(err, info, req, "response", status)
	return err
}

// isBinary reports whether the response carries a documented binary body, to be streamed.
func (t *transport) isBinary(info *opInfo, resp *http.Response) bool {
	ri := info.response(resp.StatusCode)
	if ri == nil {
		return false
	}
	ci, _ := matchContent(ri.content, resp.Header.Get("Content-Type"))
	return ci != nil && ci.kind == contentBinary
}
