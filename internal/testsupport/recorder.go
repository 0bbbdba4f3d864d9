package testsupport

import (
	"net/http"
	"sync"
)

// Recorded is one answer a Client saw: what the schema-conformance check in
// internal/httpapi validates against the OpenAPI document.
type Recorded struct {
	Test   string // the test that made the request
	Method string
	Path   string // without the query
	Status int
	Header http.Header
	Body   []byte
}

// Recorder keeps every answer Clients see while it is enabled.
type Recorder struct {
	mu  sync.Mutex
	all []Recorded
}

var (
	recorderMu sync.Mutex
	recorder   *Recorder
)

// RecordResponses makes every Client of this test binary record the answers it sees,
// and returns the recorder (a package's TestMain calls it before m.Run).
func RecordResponses() *Recorder {
	recorderMu.Lock()
	defer recorderMu.Unlock()
	if recorder == nil {
		recorder = &Recorder{}
	}
	return recorder
}

func activeRecorder() *Recorder {
	recorderMu.Lock()
	defer recorderMu.Unlock()
	return recorder
}

func (r *Recorder) add(rec Recorded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, rec)
}

// Responses returns what was recorded so far.
func (r *Recorder) Responses() []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Recorded(nil), r.all...)
}
