package harness

import (
	"net/http"
	"sync"
)

// WireCounter is an http.RoundTripper that counts, by method, the requests that reach its base
// transport: what really went out. Placed under ReadOnlyTransport it lets a read-only run prove
// at its end that nothing but GET left the process.
type WireCounter struct {
	base http.RoundTripper

	mu     sync.Mutex
	counts map[string]int
}

// NewWireCounter wraps base (nil means http.DefaultTransport).
func NewWireCounter(base http.RoundTripper) *WireCounter {
	if base == nil {
		base = http.DefaultTransport
	}
	return &WireCounter{base: base, counts: map[string]int{}}
}

// RoundTrip counts req and sends it through the base transport.
func (w *WireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.counts[req.Method]++
	w.mu.Unlock()
	return w.base.RoundTrip(req)
}

// Counts returns a copy of the counts by method.
func (w *WireCounter) Counts() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.counts))
	for m, n := range w.counts {
		out[m] = n
	}
	return out
}

// Writes returns how many requests with a method other than GET went out.
func (w *WireCounter) Writes() int {
	n := 0
	for m, c := range w.Counts() {
		if m != http.MethodGet {
			n += c
		}
	}
	return n
}
