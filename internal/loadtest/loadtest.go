// Package loadtest drives the HTTP API from outside with vegeta (as a library): a set of
// named scenarios, each run open-loop at a constant rate or closed-loop at the most a fixed
// number of workers can do. `maintainuk loadtest` and the benchmark use it; operators use it
// to test a deployment.
package loadtest

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Target is the deployment under test and the accounts the scenarios act as.
type Target struct {
	BaseURL  string // the server's address, e.g. http://localhost:8080 (a trailing /api/v1 is tolerated)
	Email    string // an ADMIN or COORDINATOR of the organisation under test
	Password string
	// ContractorEmail and ContractorPassword are a CONTRACTOR of the same organisation, for
	// contractor-jobs; without them that scenario is skipped with a note.
	ContractorEmail, ContractorPassword string
	SearchQuery                         string      // default "leak"
	DeepPages                           int         // how deep list-deep goes, in pages of 20; default 5000
	TicketIDs                           []uuid.UUID // optional sample for ticket-detail; default up to 1,000 from the list
	HTTPClient                          *http.Client
	// SpreadClients gives every public report its own client address in X-Forwarded-For
	// (from 198.18.0.0/15, the range set aside for benchmarks), as a storm's reports come
	// from many homes. It works only against a server that trusts that header from the
	// load generator (TRUSTED_PROXIES holding its address); otherwise the public form's
	// per-address limit refuses a single load generator after PUBLIC_REPORTS_PER_HOUR
	// reports. Against a production server also set API_RATE_LIMIT=0 and
	// API_ORG_RATE_LIMIT=0, or the API's own limits answer 429 after 100 a minute.
	SpreadClients bool
}

// Options say how hard and how long to drive one scenario.
type Options struct {
	// Rate is requests per second, open loop (vegeta's constant pacer): requests start on
	// schedule whether or not earlier ones have finished. 0 is closed loop: Workers clients
	// each send their next request as soon as the last one answers, as fast as they can.
	Rate float64
	// Workers is the closed loop's concurrency and the open loop's most requests in flight
	// (default 16).
	Workers int
	// Duration is the measured time (default 10s).
	Duration time.Duration
	// Warmup is run first and discarded (default 2s; negative for none).
	Warmup time.Duration
}

// The modes a Result reports.
const (
	ModeConstant = "constant" // open loop at Options.Rate
	ModeMax      = "max"      // closed loop, as fast as Options.Workers can go
)

// Result is one scenario's measurement. Latencies are of every request sent in the
// measured period, successful or not, from when it was sent to when its answer was read.
type Result struct {
	Scenario  string
	Mode      string  // ModeConstant or ModeMax
	Rate      float64 // requested requests per second; 0 in ModeMax
	Workers   int
	Requests  int            // sent in the measured period
	Successes int            // answered with the scenario's expected status
	Errors    map[string]int // every other answer, by status code, or "transport" when none came
	// Throughput is successful responses per second over the measured period.
	Throughput         float64
	P50, P95, P99, Max time.Duration
	Note               string // what the reader must know: a shallower list, a skipped scenario, the first error
}

// Defaults for Target and Options.
const (
	DefaultSearchQuery = "leak"
	DefaultDeepPages   = 5000
	DefaultWorkers     = 16
	DefaultDuration    = 10 * time.Second
	DefaultWarmup      = 2 * time.Second
)

// pageSize is the page the list scenarios ask for.
const pageSize = 20

// maxSampledTickets is how many ticket ids preparation samples for ticket-detail.
const maxSampledTickets = 1000
