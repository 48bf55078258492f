package conformance

import (
	"net/http"
	"net/url"
	"strings"
)

// router matches request paths to operations. It replaces a per-request scan of gorilla/mux
// regular expressions (a third of the cost of validating a small response) by a walk over the path
// segments; router_test.go proves that it agrees with kin-openapi's gorillamux router on every
// operation of the spec.
//
// Like gorillamux with the single relative server "/api", it accepts any scheme and host and
// requires the path to start with /api.
type router struct {
	bySegments [][]*pathRoute // the templates by their number of segments
}

// pathRoute is one path template of the spec and its operations by method.
type pathRoute struct {
	segments []string // literal segment, or "" for a parameter
	names    []string // parameter name for each "" segment, in order
	methods  map[string]*opInfo
	literals int // number of literal segments, to prefer the most specific template
}

func newRouter(ops []*opInfo) *router {
	byPath := map[string]*pathRoute{}
	rt := &router{}
	for _, o := range ops {
		pr := byPath[o.op.Path]
		if pr == nil {
			pr = &pathRoute{methods: map[string]*opInfo{}}
			for _, seg := range strings.Split(strings.Trim(o.op.Path, "/"), "/") {
				if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
					pr.segments = append(pr.segments, "")
					pr.names = append(pr.names, seg[1:len(seg)-1])
					continue
				}
				pr.segments = append(pr.segments, seg)
				pr.literals++
			}
			byPath[o.op.Path] = pr
			for len(rt.bySegments) <= len(pr.segments) {
				rt.bySegments = append(rt.bySegments, nil)
			}
			rt.bySegments[len(pr.segments)] = append(rt.bySegments[len(pr.segments)], pr)
		}
		pr.methods[o.op.Method] = o
	}
	return rt
}

// routeMiss says why a request matched nothing.
type routeMiss int

const (
	missPath routeMiss = iota + 1
	missMethod
)

// find returns the operation of method and URL, with its path parameters as they appear in the
// escaped path (as gorillamux gives them to kin-openapi's parameter decoding).
func (rt *router) find(method string, u *url.URL, wantParams bool) (*opInfo, map[string]string, routeMiss) {
	var params map[string]string
	if wantParams {
		params = map[string]string{}
	}
	info, miss := rt.findInto(method, u, params)
	if miss != 0 {
		return nil, nil, miss
	}
	return info, params, 0
}

// findInto is find writing the path parameters into params, unless params is nil. params must be
// empty: the middleware passes a pooled map to save two allocations per request.
func (rt *router) findInto(method string, u *url.URL, params map[string]string) (*opInfo, routeMiss) {
	if params == nil {
		return rt.lookup(method, u, nil)
	}
	return rt.lookup(method, u, func(name, value string) { params[name] = value })
}

// lookup finds the operation of method and URL and calls param, unless nil, with the name and the
// escaped value of each path parameter.
func (rt *router) lookup(method string, u *url.URL, param func(name, value string)) (*opInfo, routeMiss) {
	p := u.Path
	if u.RawPath != "" || !plainPath(p) {
		p = u.EscapedPath()
	}
	rest, ok := strings.CutPrefix(p, apiPrefix+"/")
	if !ok {
		return nil, missPath
	}
	var buf [12]string
	segs := buf[:0]
	for s := range strings.SplitSeq(rest, "/") {
		if len(segs) >= len(rt.bySegments)-1 {
			return nil, missPath // deeper than any template
		}
		segs = append(segs, s)
	}
	var best *pathRoute
	for _, pr := range rt.bySegments[len(segs)] {
		if (best == nil || pr.literals > best.literals) && pr.match(segs) {
			best = pr
		}
	}
	if best == nil {
		return nil, missPath
	}
	info := best.methods[method]
	if info == nil {
		return nil, missMethod
	}
	if param != nil {
		i := 0
		for j, lit := range best.segments {
			if lit == "" {
				param(best.names[i], segs[j])
				i++
			}
		}
	}
	return info, 0
}

func (pr *pathRoute) match(segs []string) bool {
	for i, lit := range pr.segments {
		if lit == "" {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if segs[i] != lit {
			return false
		}
	}
	return true
}

// plainPath reports whether p needs no percent-encoding, so that it is its own escaped form.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~/$&+,;=:@", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// Match routes r to the operation that serves it, as Middleware does (any scheme and host, paths
// under /api), and returns the operation's ID. A path that is not clean (an empty, "." or ".."
// segment), which a ServeMux would redirect rather than serve, matches nothing. On a match it
// records the path parameters in r, unescaped, for Request.PathValue, and sets r.Pattern to the
// operation's pattern, such as "GET /api/databases/{database_id}/users", as http.ServeMux does:
// handlers written for a ServeMux, the generated ones included, can be served behind it, and
// OperationMiddleware can check their requests without routing again. Without a match it returns
// "" and false and leaves r as it was.
func (v *Validator) Match(r *http.Request) (string, bool) {
	if r.URL == nil || r.URL.Path == "" || r.URL.Path[0] != '/' || !cleanPath(r.URL.Path) {
		return "", false
	}
	info, miss := v.router.lookup(r.Method, r.URL, func(name, raw string) {
		value := raw
		if strings.IndexByte(raw, '%') >= 0 {
			if u, err := url.PathUnescape(raw); err == nil {
				value = u
			}
		}
		r.SetPathValue(name, value) // called on a match only
	})
	if miss != 0 {
		return "", false
	}
	r.Pattern = info.pattern
	return info.op.ID, true
}

// cleanPath reports whether the rooted path p is its own path.Clean, a trailing slash allowed: no
// empty segment but the last, and no "." or ".." segment. It scans p instead of calling path.Clean,
// which costs a copy of the path on every request (cleanpath_test.go checks that both agree).
func cleanPath(p string) bool {
	rest := p[1:]
	for {
		seg, tail, more := strings.Cut(rest, "/")
		if seg == "." || seg == ".." || (seg == "" && more) {
			return false
		}
		if !more {
			return true
		}
		rest = tail
	}
}
