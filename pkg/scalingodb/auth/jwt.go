package auth

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// renewAt is when a token obtained at now is to be renewed: renewBefore
// before it expires (half its lifetime when that is shorter, so that a
// short-lived token is not fetched again on every call). It expires at the
// exp claim of a JWT when that comes within addonTokenLifetime, else after
// addonTokenLifetime: an exp in the past (a clock off, or a claim of
// another meaning) or beyond the hour is not trusted, and neither is a
// token that is no JWT with a numeric exp (opaque tokens are valid the
// hour).
func renewAt(token string, now time.Time) time.Time {
	life := addonTokenLifetime
	if exp, ok := jwtExp(token); ok {
		d := exp - float64(now.UnixNano())/1e9 // seconds left
		if d > 0 && d < addonTokenLifetime.Seconds() {
			life = time.Duration(d * float64(time.Second))
		}
	}
	return now.Add(life - min(renewBefore, life/2))
}

// jwtExp returns the exp claim (seconds since the epoch) of token, a JWT
// whose payload is read without checking its signature: the token comes
// from the server, over the connection that authenticated it, and exp only
// decides when to ask for a new one. ok is false when token is no JWT or
// has no numeric exp.
func jwtExp(token string) (exp float64, ok bool) {
	_, rest, ok1 := strings.Cut(token, ".")
	payload, _, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return 0, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil {
		return 0, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil || claims.Exp == nil {
		return 0, false
	}
	return *claims.Exp, true
}
