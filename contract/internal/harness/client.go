package harness

import (
	"net/http"

	"github.com/scalingodb/dbapi-go/contract/internal/drift"
	"github.com/scalingodb/dbapi-go/pkg/conformance"
)

// NewHTTPClient returns the suite's HTTP client over wire: every response is validated against
// the spec (a violation fails RoundTrip and goes to report with the exchange it was met on, which
// exchanges records) and seen by drift discovery (found, nil for none), a 204 that announces a
// body is caught although net/http drops that body, unless cfg allows writes nothing but GET
// leaves the process, nothing goes to a host other than base's, cfg.DownloadHosts' and
// extraHosts', and no request waits longer than cfg.Timeout for its answer or for the next bytes
// of its body.
func NewHTTPClient(v *conformance.Validator, wire http.RoundTripper, cfg Config, base string, found *drift.Discovery, exchanges ExchangeRecorder, report func(*conformance.ViolationError, *Exchange), extraHosts ...string) *http.Client {
	rt := RewriteBasePath(base, cfg.BasePath, exchanges.Inner(IdleTimeout(cfg.Timeout, wire)))
	if !cfg.AllowWrites {
		rt = ReadOnlyTransport(rt)
	}
	// Drift discovery sees every answer under the validator, those it rejects included (nil:
	// none). Every violation comes out of the validator or the bodiless check as an error:
	// Outer files it with the exchange it was met on.
	rt = BodilessCheck(v, v.Transport(drift.Transport(v, found, rt)), nil)
	// Then a foreign host is refused before the validator routes the request, so the error names
	// the host and the setting, not a route the spec does not know.
	rt = HostGuard(base, append(append([]string(nil), cfg.DownloadHosts...), extraHosts...), rt)
	return &http.Client{Transport: exchanges.Outer(rt, report)}
}
