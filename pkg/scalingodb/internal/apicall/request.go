package apicall

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// JSONContentType is the content type of the request bodies.
const JSONContentType = "application/json"

// Sender sends the request of one operation through the generated client,
// with the editors the client adds.
type Sender = func(context.Context, ...dbapi.RequestEditorFn) (*http.Response, error)

// editor is the generated client's request editor.
type editor = dbapi.RequestEditorFn

// Request is the request of one operation: its sender and the values of
// its path parameters, in the order of the operation's path, which Check
// checks (see PathID) before anything is sent.
type Request struct {
	// Send sends the request.
	Send Sender
	ids  [3]string
}

// Check checks the path parameters of r against the names in o's path,
// which it reads in place: the operation table is then static data, which
// costs the start-up of a program nothing.
func (r *Request) Check(o *Op) error {
	rest := o.Path
	for i := 0; ; i++ {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return nil
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 || i == len(r.ids) {
			return nil // not a template (the table's test checks every path)
		}
		if err := PathID(rest[open+1:open+end], r.ids[i]); err != nil {
			return err
		}
		rest = rest[open+end:]
	}
}

// PathID checks a path parameter before it is escaped into the path: it
// must not be empty nor a dot segment ("." or ".."), which URL resolution
// would turn into another path. Every other value, slashes and percent
// signs included, is escaped into a single segment by the generated client.
func PathID(field, v string) error {
	switch v {
	case "":
		return &httpx.InvalidInputError{Field: field, Reason: "must not be empty"}
	case ".", "..":
		return &httpx.InvalidInputError{Field: field, Reason: "must not be a dot segment"}
	}
	return nil
}

// Malformed reports a missing envelope key or a missing required field.
func Malformed(o *Op, status int, format string, args ...any) *httpx.ResponseError {
	return &httpx.ResponseError{StatusCode: status, OperationID: o.ID, Reason: fmt.Sprintf(format, args...)}
}

// The call functions bind a method of the generated client to its
// arguments: path parameters (A, B, C), query parameters or a typed body
// (P), or a JSON body already encoded (Body1, Body2).

// Call0 binds a method without parameters.
func Call0(f func(context.Context, ...editor) (*http.Response, error)) Request {
	return Request{Send: f}
}

// Call1 binds a method with one path parameter.
func Call1[A ~string](f func(context.Context, A, ...editor) (*http.Response, error), a A) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, e...) }, ids: [3]string{string(a)}}
}

// Call2 binds a method with two path parameters.
func Call2[A, B ~string](f func(context.Context, A, B, ...editor) (*http.Response, error), a A, b B) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, e...) }, ids: [3]string{string(a), string(b)}}
}

// Call1P binds a method with one path parameter and its parameters p.
func Call1P[A ~string, P any](f func(context.Context, A, P, ...editor) (*http.Response, error), a A, p P) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, p, e...) }, ids: [3]string{string(a)}}
}

// Call2P binds a method with two path parameters and its parameters p.
func Call2P[A, B ~string, P any](f func(context.Context, A, B, P, ...editor) (*http.Response, error), a A, b B, p P) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, p, e...) }, ids: [3]string{string(a), string(b)}}
}

// Call3P binds a method with three path parameters and its parameters p.
func Call3P[A, B, C ~string, P any](f func(context.Context, A, B, C, P, ...editor) (*http.Response, error), a A, b B, c C, p P) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) { return f(ctx, a, b, c, p, e...) }, ids: [3]string{string(a), string(b), string(c)}}
}

// Body1 binds a method with one path parameter and a JSON body.
func Body1[A ~string](f func(context.Context, A, string, io.Reader, ...editor) (*http.Response, error), a A, body []byte) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) {
		return f(ctx, a, JSONContentType, bytes.NewReader(body), e...)
	}, ids: [3]string{string(a)}}
}

// Body2 binds a method with two path parameters and a JSON body.
func Body2[A, B ~string](f func(context.Context, A, B, string, io.Reader, ...editor) (*http.Response, error), a A, b B, body []byte) Request {
	return Request{Send: func(ctx context.Context, e ...editor) (*http.Response, error) {
		return f(ctx, a, b, JSONContentType, bytes.NewReader(body), e...)
	}, ids: [3]string{string(a), string(b)}}
}
