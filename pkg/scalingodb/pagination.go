package scalingodb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// The reasons an iterator over pages (Maintenance.All, Logs.AllArchives)
// stops before the server says the list has ended. Each is the Err of a
// *PaginationError, which matches it with errors.Is.
var (
	// ErrPagination matches every *PaginationError.
	ErrPagination = errors.New("scalingodb: pagination stopped")
	// ErrPageLoop: a page named as the next one is not after the page
	// that names it, so following it would read pages again.
	ErrPageLoop = errors.New("scalingodb: the next page is not after the current one")
	// ErrRepeatedCursor: a page gave a cursor already followed, so
	// following it would read pages again.
	ErrRepeatedCursor = errors.New("scalingodb: the next cursor was already followed")
	// ErrNoCursor: a page said more pages follow but gave no cursor to
	// reach them.
	ErrNoCursor = errors.New("scalingodb: more pages follow but no cursor leads to them")
	// ErrPageLimit: the iterator read as many pages as it reads at most
	// (100,000), and the server still said more follow.
	ErrPageLimit = errors.New("scalingodb: page limit reached")
)

// maxPages is the most pages an iterator reads; tests lower it.
var maxPages = 100_000

// pageLimit returns ErrPageLimit when pages read reach maxPages, else nil.
func pageLimit(pages int) error {
	if pages >= maxPages {
		return ErrPageLimit
	}
	return nil
}

// PaginationError is the error an iterator over pages yields when it
// stops before the end of the list: the items yielded before it are
// right, but others may follow them. It matches ErrPagination and its
// reason (Err: ErrPageLoop, ErrRepeatedCursor, ErrNoCursor or
// ErrPageLimit) with errors.Is.
type PaginationError struct {
	// OperationID is the list operation of the spec, such as "listMaintenances".
	OperationID string
	// Pages is how many pages were read, and their items yielded.
	Pages int
	// Err is the reason.
	Err error
}

// Error names the operation, the pages read and the reason.
func (e *PaginationError) Error() string {
	var b strings.Builder
	httpx.WritePrefix(&b, e.OperationID)
	fmt.Fprintf(&b, "stopped after %d pages", e.Pages)
	if e.Err != nil {
		b.WriteString(": " + strings.TrimPrefix(e.Err.Error(), "scalingodb: "))
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *PaginationError) Unwrap() error { return e.Err }

// Is reports whether target is ErrPagination.
func (e *PaginationError) Is(target error) bool { return target == ErrPagination }
