package metrics

import (
	"net/http"
	"net/http/pprof"
)

// ProfilerPath is where Profiler is mounted.
const ProfilerPath = "/debug/pprof/"

// Profiler serves Go's runtime profiles (CPU, heap, allocations, goroutines, traces) under
// ProfilerPath. It reveals the process's internals, so it is mounted only when PROFILING
// is on, and then only for platform operators or on the internal METRICS_ADDR listener.
func Profiler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(ProfilerPath, pprof.Index) // also serves the named profiles: heap, allocs, goroutine…
	mux.HandleFunc(ProfilerPath+"cmdline", pprof.Cmdline)
	mux.HandleFunc(ProfilerPath+"profile", pprof.Profile)
	mux.HandleFunc(ProfilerPath+"symbol", pprof.Symbol)
	mux.HandleFunc(ProfilerPath+"trace", pprof.Trace)
	return mux
}
