// Package pages iterates over the paginated lists of the Database API
// (Maintenance.All, Logs.AllArchives): it follows a cursor from page to
// page and yields each item, and stops with an *Error, never silently,
// when the list cannot be followed to its end (a page loop, a repeated
// or missing cursor, the page limit).
package pages

import (
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// The reasons an iteration stops before the server says the list has
// ended; each is the Err of an *Error.
var (
	ErrPagination     = errors.New("scalingodb: pagination stopped")
	ErrPageLoop       = errors.New("scalingodb: the next page is not after the current one")
	ErrRepeatedCursor = errors.New("scalingodb: the next cursor was already followed")
	ErrNoCursor       = errors.New("scalingodb: more pages follow but no cursor leads to them")
	ErrPageLimit      = errors.New("scalingodb: page limit reached")
)

// Error is the error an iteration yields when it stops before the end of
// the list: the items yielded before it are right, but others may follow
// them. It matches ErrPagination and its reason (Err) with errors.Is.
type Error struct {
	// OperationID is the list operation of the spec, such as "listMaintenances".
	OperationID string
	// Pages is how many pages were read, and their items yielded.
	Pages int
	// Err is the reason.
	Err error
}

// Error names the operation, the pages read and the reason.
func (e *Error) Error() string {
	var b strings.Builder
	httpx.WritePrefix(&b, e.OperationID)
	fmt.Fprintf(&b, "stopped after %d pages", e.Pages)
	if e.Err != nil {
		b.WriteString(": " + strings.TrimPrefix(e.Err.Error(), "scalingodb: "))
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is ErrPagination.
func (e *Error) Is(target error) bool { return target == ErrPagination }

// Page is what the fetch of one page gave: its items, and the cursor of
// the next page when More says one follows.
type Page[T any, C comparable] struct {
	Items []T
	Next  C
	More  bool
	// At is the cursor the page says it answers (its current page), or
	// the zero C when it does not say. A page that says it answers
	// another cursor than the one asked for (a cache that drops the query
	// string serves the first page again) ends the iteration with
	// ErrPageLoop before its items are yielded: they would repeat others.
	At C
}

// All yields the items of the pages of operation opID, fetching the first
// with cursor and each next one with the cursor its previous page gave.
// An error ends the iteration after being yielded: that of a fetch, or an
// *Error when the check of the iteration (newCheck makes one for each)
// refuses the next cursor (its reason) or when maxPages pages were read
// and more follow (ErrPageLimit).
func All[T any, C comparable](opID string, maxPages int, first C, fetch func(C) (Page[T, C], error), newCheck func() func(cur, next C) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			zero     T
			noCursor C
		)
		cursor, check := first, newCheck()
		for pages := 1; ; pages++ {
			page, err := fetch(cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			if page.At != noCursor && page.At != cursor {
				yield(zero, &Error{OperationID: opID, Pages: pages - 1, Err: ErrPageLoop})
				return
			}
			for _, v := range page.Items {
				if !yield(v, nil) {
					return
				}
			}
			if !page.More {
				return
			}
			stop := check(cursor, page.Next)
			if stop == nil && pages >= maxPages {
				stop = ErrPageLimit
			}
			if stop != nil {
				yield(zero, &Error{OperationID: opID, Pages: pages, Err: stop})
				return
			}
			cursor = page.Next
		}
	}
}

// Ascending makes the check of a list numbered by page: the next page must
// come after the current one (else ErrPageLoop).
func Ascending() func(cur, next int) error {
	return func(cur, next int) error {
		if next <= cur {
			return ErrPageLoop
		}
		return nil
	}
}

// Unfollowed makes the check of a list followed by cursor: the next cursor
// must be given (else ErrNoCursor) and not followed before (else
// ErrRepeatedCursor).
func Unfollowed() func(_, next string) error {
	followed := map[string]bool{}
	return func(_, next string) error {
		switch {
		case next == "":
			return ErrNoCursor
		case followed[next]:
			return ErrRepeatedCursor
		}
		followed[next] = true
		return nil
	}
}
