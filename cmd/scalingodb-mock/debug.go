package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"runtime/metrics"
	"time"
)

// debugVarsPath is where -debug-addr serves the process's variables, in the format of expvar.
const debugVarsPath = "/debug/vars"

// liveHeapMetric is the heap the last garbage collection found reachable: the figure a leak makes
// grow, unlike HeapAlloc, which also counts the garbage not yet collected.
const liveHeapMetric = "/gc/heap/live:bytes"

// debugVars is the body of /debug/vars: the shape of expvar's (memstats under its name), without
// expvar's cmdline, which would print the bearer tokens given as flags.
type debugVars struct {
	HeapLiveBytes uint64            `json:"heap_live_bytes"`
	Goroutines    int               `json:"goroutines"`
	MemStats      *runtime.MemStats `json:"memstats"`
}

// serveDebugVars answers GET /debug/vars with the live heap, the number of goroutines and the
// runtime's memory statistics.
func serveDebugVars(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(sample)
	v := debugVars{Goroutines: runtime.NumGoroutine(), MemStats: new(runtime.MemStats)}
	if sample[0].Value.Kind() == metrics.KindUint64 {
		v.HeapLiveBytes = sample[0].Value.Uint64()
	}
	runtime.ReadMemStats(v.MemStats)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// startDebug serves /debug/vars on a listener of its own at addr (the API's listener never
// answers it), and returns the address it listens on and a function that stops it.
func startDebug(addr string) (net.Addr, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc(debugVarsPath, serveDebugVars)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	go func() { _ = hs.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}
	return ln.Addr(), stop, nil
}
