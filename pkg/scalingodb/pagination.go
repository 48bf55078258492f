package scalingodb

import "github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/pages"

// The reasons an iterator over pages (Maintenance.All, Logs.AllArchives)
// stops before the server says the list has ended. Each is the Err of a
// *PaginationError, which matches it with errors.Is.
var (
	// ErrPagination matches every *PaginationError.
	ErrPagination = pages.ErrPagination
	// ErrPageLoop: a page named as the next one is not after the page
	// that names it, so following it would read pages again.
	ErrPageLoop = pages.ErrPageLoop
	// ErrRepeatedCursor: a page gave a cursor already followed, so
	// following it would read pages again.
	ErrRepeatedCursor = pages.ErrRepeatedCursor
	// ErrNoCursor: a page said more pages follow but gave no cursor to
	// reach them.
	ErrNoCursor = pages.ErrNoCursor
	// ErrPageLimit: the iterator read as many pages as it reads at most
	// (100,000), and the server still said more follow.
	ErrPageLimit = pages.ErrPageLimit
)

// maxPages is the most pages an iterator reads; tests lower it.
var maxPages = 100_000

// PaginationError is the error an iterator over pages yields when it
// stops before the end of the list: the items yielded before it are
// right, but others may follow them. It matches ErrPagination and its
// reason (Err: ErrPageLoop, ErrRepeatedCursor, ErrNoCursor or
// ErrPageLimit) with errors.Is; OperationID names the list operation and
// Pages how many pages were read.
type PaginationError = pages.Error
