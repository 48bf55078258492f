package mockserver

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/limits"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/specrules"
)

const apiBase = "/api"

type requestKey struct{}

// keepRequest puts the HTTP request in the context of the operations that build absolute URLs.
func keepRequest(f dbapi.StrictHandlerFunc, operationID string) dbapi.StrictHandlerFunc {
	if operationID != "GetBackupArchive" && operationID != "UpgradeDatabase" {
		return f
	}
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		return f(context.WithValue(ctx, requestKey{}, r), w, r, req)
	}
}

// buildChain assembles the handler chain, outermost first: request ID → limits (body cap, read
// and write deadlines) → faults → mutations → dispatch → auth → conformance → operation.
//
// Requests are routed once, by dispatch, with the conformance router (Validator.Match), which reads
// the paths of the spec itself and records the path parameters where the generated handlers look for
// them. Each operation then has its own auth → conformance → operation chain, whose conformance
// middleware is bound to the operation (OperationMiddleware) and does not route again. (The chain
// once routed three times per request, then twice, through a ServeMux and the conformance router.)
func (s *Server) buildChain() (http.Handler, error) {
	strict := dbapi.NewStrictHandlerWithOptions(handlers{s}, []dbapi.StrictMiddlewareFunc{keepRequest}, dbapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			respond.WriteError(w, http.StatusBadRequest, "There was a problem in the JSON you submitted: "+shortError(err))
		},
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			// An operation that fails is a bug of the mock: report it like a violation.
			s.cfg.onViolation(fmt.Errorf("mockserver: operation failed: %w", err))
			respond.WriteError(w, http.StatusInternalServerError, "Internal error occured, we're on it!")
		},
	})
	generated := routeTable{}
	dbapi.HandlerWithOptions(strict, dbapi.StdHTTPServerOptions{
		BaseURL:    apiBase,
		BaseRouter: generated,
		ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
			respond.WriteError(w, http.StatusBadRequest, shortError(err))
		},
	})
	s.takesBody = specrules.TakesBody()
	s.scopes = scopeParams(s.cfg.validator.Operations())
	s.operations = map[string]http.Handler{}
	for _, op := range s.cfg.validator.Operations() {
		serve, ok := generated[op.Method+" "+apiBase+op.Path]
		if !ok {
			return nil, fmt.Errorf("mockserver: the generated server has no handler for %s %s (%s)", op.Method, op.Path, op.ID)
		}
		checked, err := s.validate(op.ID, serve)
		if err != nil {
			return nil, err
		}
		h := s.auth(op.ID, checked)
		if op.ID == "downloadBackup" && s.faults != nil {
			h = s.faults.ChangeArchives(h, op.ID, s.changeArchiveOf)
		}
		s.operations[op.ID] = h
	}
	h := s.dispatch()
	if len(s.muts) > 0 {
		h = s.mutate(h)
	}
	if s.faults != nil {
		h = s.faults.Middleware(h, s.operationOf)
	}
	return s.withRequestID(limits.Handler(h, s.cfg.timeouts.Read, s.cfg.timeouts.Write, s.takesBodyOf)), nil
}

// routeTable collects the handlers that dbapi.HandlerWithOptions registers, by pattern, so that
// buildChain can wrap each in the chain of its operation.
type routeTable map[string]http.HandlerFunc

// HandleFunc records the handler of pattern.
func (t routeTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	t[pattern] = h
}

// ServeHTTP is never called: buildChain serves the handlers itself.
func (t routeTable) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	respond.WriteError(w, http.StatusNotFound, "not found")
}

// validate wraps the generated handler of op in request and response validation. Archives stream
// through the middleware, which checks their status and headers; JSON answers are checked by
// the response checker (respcheck), memoised.
func (s *Server) validate(op string, serve http.Handler) (http.Handler, error) {
	v := s.cfg.validator
	if op == "downloadBackup" {
		return v.OperationMiddleware(op, serve, conformance.OnResponseViolation(func(ve *conformance.ViolationError) {
			s.cfg.onViolation(ve)
		}))
	}
	checked, err := v.OperationMiddleware(op, serve, conformance.SkipResponseValidation())
	if err != nil {
		return nil, err
	}
	return s.checker.Middleware(checked), nil
}

// dispatch serves each request with the chain of its operation, or answers 404 when no operation
// serves it.
func (s *Server) dispatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := s.operations[s.operationOf(r)]; h != nil {
			h.ServeHTTP(w, r)
			return
		}
		respond.WriteError(w, http.StatusNotFound, "not found")
	})
}

func shortError(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// takesBodyOf tells whether the operation r is routed to takes a request body.
func (s *Server) takesBodyOf(r *http.Request) bool { return s.takesBody[s.operationOf(r)] }

// operationOf routes r and returns the operationId it is routed to, or "" when no operation
// matches: an unclean path (which a server would redirect), a method the path does not have, or an
// unknown path. On a match, r holds the operation's path parameters (Validator.Match).
func (s *Server) operationOf(r *http.Request) string {
	op, _ := s.cfg.validator.Match(r)
	return op
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.reqSeq.Add(1)
		var buf [24]byte
		id := append(buf[:0], "mock-"...)
		id = strconv.AppendUint(id, n, 10)
		w.Header()["X-Request-Id"] = []string{string(id)}
		next.ServeHTTP(w, r)
	})
}

// auth serves op. It checks the bearer token in constant time: 401 for a token the Server does not
// know, 403 for a database-scoped token (WithDatabaseToken) on another database than its own. Both
// come before request validation and before the operation looks anything up, as on the API. The
// download is authorised by its pre-signed token instead.
func (s *Server) auth(op string, next http.Handler) http.Handler {
	want := []byte(s.cfg.token)
	takesBody := s.takesBody[op]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !takesBody && r.Body != nil && r.Body != http.NoBody {
			// A body sent to an operation that takes none is ignored, as servers do (the Go client
			// sends {} on every POST); the spec has no status to refuse it with.
			r = r.Clone(r.Context())
			r.Body, r.ContentLength = http.NoBody, 0
			r.Header.Del("Content-Length")
			r.Header.Del("Content-Type")
		}
		if op == "downloadBackup" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(firstValue(r.Header, "Authorization"), " ")
		given := []byte(strings.TrimSpace(token))
		isMain := subtle.ConstantTimeCompare(given, want) == 1
		scope, isScoped := s.scopeOf(given)
		if !strings.EqualFold(scheme, "Bearer") || (!isMain && !isScoped) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dbapi"`)
			respond.WriteError(w, http.StatusUnauthorized, "unauthorized: a valid bearer token is required")
			return
		}
		if !isMain {
			if denied := s.deny(op, r, scope); denied != "" {
				_ = respond.Forbidden("this token does not grant access to " + denied).Write(w)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// firstValue is h.Get(key) for a key already in canonical form, as net/http gives them to servers:
// it spares canonicalising key again on every request.
func firstValue(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// scopeOf returns the database of the scoped token given, if it is one. Every scoped token is
// compared, in constant time, whatever matches first.
func (s *Server) scopeOf(given []byte) (string, bool) {
	scope, found := "", false
	for _, st := range s.cfg.scoped {
		if subtle.ConstantTimeCompare(given, []byte(st.token)) == 1 {
			scope, found = st.database, true
		}
	}
	return scope, found
}

// scopeParam tells which path segment ties an operation to a database: the database_id, or for
// getBackup the backup_id. An operation with neither addresses no database.
type scopeParam struct {
	byBackup bool // the segment is a backup ID, not a database ID
	segment  int  // index of the segment in the slash-split path
}

// scopeParams maps the operations that address a database to the segment that names it.
func scopeParams(ops []conformance.Operation) map[string]scopeParam {
	m := map[string]scopeParam{}
	for _, op := range ops {
		segs := strings.Split(apiBase+op.Path, "/")
		backup := -1
		for i, seg := range segs {
			switch seg {
			case "{database_id}":
				m[op.ID] = scopeParam{segment: i}
			case "{backup_id}":
				backup = i
			}
		}
		if _, ok := m[op.ID]; !ok && backup >= 0 {
			m[op.ID] = scopeParam{byBackup: true, segment: backup}
		}
	}
	return m
}

// deny returns what a token scoped to the database scope may not reach in the request r to op, or
// "" when it may: the database the path names when it is not scope under any of its names, or the
// backup of another database. An unknown database is not scope's either; an unknown backup is left
// to the operation, which answers 404.
func (s *Server) deny(op string, r *http.Request, scope string) string {
	p, ok := s.scopes[op]
	if !ok {
		return ""
	}
	segs := strings.Split(r.URL.EscapedPath(), "/")
	if p.segment >= len(segs) {
		return "this resource"
	}
	id, err := url.PathUnescape(segs[p.segment])
	if err != nil {
		id = segs[p.segment]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	own := s.store.dbs[scope]
	if p.byBackup {
		b := s.store.backups[id]
		if b == nil || (own != nil && b.db == own) {
			return ""
		}
		return "backup " + id
	}
	if id == scope || (own != nil && s.store.dbs[id] == own) {
		return ""
	}
	return "database " + id
}

// downloadResponse wraps the archive answers: once the headers are out, a failed write means the
// client went away (or a fault cut the connection), and no error body can follow.
type downloadResponse struct {
	inner dbapi.DownloadBackupResponseObject
}

func (d downloadResponse) VisitDownloadBackupResponse(w http.ResponseWriter) error {
	_ = d.inner.VisitDownloadBackupResponse(w)
	return nil
}
