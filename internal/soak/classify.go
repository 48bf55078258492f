package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

// Error classes of Classify that are not an HTTP status.
const (
	ClassTimeout   = "timeout"   // the call outlived its timeout
	ClassConn      = "conn"      // the connection was refused, reset or cut mid-answer
	ClassMalformed = "malformed" // an answer without the documented shape
	ClassArchive   = "archive"   // the archive changed during a download
	ClassInvalid   = "invalid"   // refused by the client before sending
	ClassUntyped   = "untyped"   // anything else
)

// Classify names the class of a call's error for the table: the status class of an *APIError
// ("5xx", "429", "404", "422"…, matched with errors.Is against the sentinels of pkg/scalingodb, then
// the status itself), or one of the Class constants. It returns "" for nil.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	sentinels := []struct {
		err   error
		class string
	}{
		{scalingodb.ErrServer, "5xx"},
		{scalingodb.ErrRateLimited, "429"},
		{scalingodb.ErrNotFound, "404"},
		{scalingodb.ErrValidation, "422"},
		{scalingodb.ErrBadRequest, "400"},
		{scalingodb.ErrUnauthorized, "401"},
		{scalingodb.ErrForbidden, "403"},
		{scalingodb.ErrMalformedResponse, ClassMalformed},
		{scalingodb.ErrArchiveChanged, ClassArchive},
		{scalingodb.ErrInvalidInput, ClassInvalid},
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.class
		}
	}
	if ae, ok := errors.AsType[*scalingodb.APIError](err); ok {
		return fmt.Sprint(ae.StatusCode)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ClassTimeout
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return ClassTimeout
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return ClassConn
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return ClassConn
	}
	return ClassUntyped
}
