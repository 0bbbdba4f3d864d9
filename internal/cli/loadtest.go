package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/loadtest"
)

const loadtestUsage = `Usage: maintainuk loadtest -url URL -email EMAIL [-contractor-email EMAIL]
       [-scenarios a,b|all] [-rate N | -max] [-workers 16] [-duration 10s] [-warmup 2s]
       [-search leak] [-json]

Drives the API at URL with load scenarios and reports, for each, the requests sent, the
successes, errors by status, successful responses per second and latency percentiles.
Passwords come from the environment only: LOADTEST_PASSWORD for -email (an ADMIN or
COORDINATOR), LOADTEST_CONTRACTOR_PASSWORD for -contractor-email (a CONTRACTOR of the
same organisation; without one, contractor-jobs is skipped).
create-ticket and public-report create real tickets: use an organisation kept for testing.

Scenarios: %s

`

// loadtestRun is what the command line asks for.
type loadtestRun struct {
	target    loadtest.Target
	scenarios []string
	opts      loadtest.Options
	json      bool
}

// parseLoadtest reads the flags and the passwords from the environment. The flag package
// prints its own errors and the usage to stderr; they answer an exitCode.
func parseLoadtest(args []string, getenv func(string) string, stderr io.Writer) (loadtestRun, error) {
	var (
		r          loadtestRun
		scenarios  string
		closedLoop bool
		warmup     time.Duration
	)
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, loadtestUsage, strings.Join(loadtest.ScenarioNames(), ", "))
		fs.PrintDefaults()
	}
	fs.StringVar(&r.target.BaseURL, "url", "", "the server's base address, e.g. http://localhost:8080")
	fs.StringVar(&r.target.Email, "email", "", "an ADMIN or COORDINATOR of the organisation under test")
	fs.StringVar(&r.target.ContractorEmail, "contractor-email", "", "a CONTRACTOR of the same organisation, for contractor-jobs")
	fs.StringVar(&scenarios, "scenarios", "all", "comma-separated scenarios, or all")
	fs.Float64Var(&r.opts.Rate, "rate", 0, "requests per second, open loop (constant rate)")
	fs.BoolVar(&closedLoop, "max", false, "closed loop: -workers clients as fast as they can (the default)")
	fs.IntVar(&r.opts.Workers, "workers", loadtest.DefaultWorkers, "closed-loop clients; the most requests in flight at a -rate")
	fs.DurationVar(&r.opts.Duration, "duration", loadtest.DefaultDuration, "measured time per scenario")
	fs.DurationVar(&warmup, "warmup", loadtest.DefaultWarmup, "time run and discarded before measuring (0 for none)")
	fs.StringVar(&r.target.SearchQuery, "search", loadtest.DefaultSearchQuery, "the search scenario's term")
	fs.BoolVar(&r.target.SpreadClients, "spread-clients", false, "public reports from many client addresses in X-Forwarded-For (for a server whose TRUSTED_PROXIES include this machine)")
	fs.BoolVar(&r.json, "json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return r, exitCode(0)
		}
		return r, exitCode(2) // the flag package has printed the error and the usage
	}
	if fs.NArg() > 0 {
		return r, fmt.Errorf("unexpected arguments %q (passwords come from LOADTEST_PASSWORD, never the command line)", fs.Args())
	}
	if r.target.BaseURL == "" || r.target.Email == "" {
		return r, errors.New("-url and -email are required")
	}
	if r.target.Password = getenv("LOADTEST_PASSWORD"); r.target.Password == "" {
		return r, fmt.Errorf("set LOADTEST_PASSWORD to %s's password", r.target.Email)
	}
	if r.target.ContractorEmail != "" {
		if r.target.ContractorPassword = getenv("LOADTEST_CONTRACTOR_PASSWORD"); r.target.ContractorPassword == "" {
			return r, fmt.Errorf("set LOADTEST_CONTRACTOR_PASSWORD to %s's password", r.target.ContractorEmail)
		}
	}
	rateSet := false
	fs.Visit(func(f *flag.Flag) { rateSet = rateSet || f.Name == "rate" })
	switch {
	case rateSet && closedLoop:
		return r, errors.New("give -rate N (open loop) or -max (closed loop), not both")
	case rateSet && !(r.opts.Rate > 0):
		return r, fmt.Errorf("-rate %v: want requests per second above 0 (or -max)", r.opts.Rate)
	case r.opts.Workers < 1:
		return r, fmt.Errorf("-workers %d: want at least 1", r.opts.Workers)
	case r.opts.Duration <= 0:
		return r, fmt.Errorf("-duration %v: want a time above 0", r.opts.Duration)
	case warmup < 0:
		return r, fmt.Errorf("-warmup %v: want 0 or more", warmup)
	}
	r.opts.Warmup = warmup
	if warmup == 0 {
		r.opts.Warmup = -1 // Options reads 0 as the default
	}
	var err error
	r.scenarios, err = pickScenarios(scenarios)
	return r, err
}

// pickScenarios reads -scenarios: names in the order given, each once, or all.
func pickScenarios(list string) ([]string, error) {
	known := loadtest.ScenarioNames()
	if strings.TrimSpace(list) == "all" {
		return known, nil
	}
	var picked []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown scenario %q in -scenarios (known: %s, or all)", name, strings.Join(known, ", "))
		}
		if !slices.Contains(picked, name) {
			picked = append(picked, name)
		}
	}
	return picked, nil
}

// runLoadtest prepares the target, runs each scenario in turn (saying which on stderr) and
// prints the results; on a failure it prints the results it has before the error.
func runLoadtest(ctx context.Context, args []string, env Env) error {
	r, err := parseLoadtest(args, env.Getenv, env.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "loadtest: preparing %s as %s\n", r.target.BaseURL, r.target.Email)
	plan, err := loadtest.Prepare(ctx, r.target)
	if err != nil {
		return err
	}
	var results []loadtest.Result
	for _, name := range r.scenarios {
		fmt.Fprintf(env.Stderr, "loadtest: %s\n", name)
		res, err := plan.Run(ctx, name, r.opts)
		if err != nil {
			return errors.Join(printResults(env.Stdout, results, r.json), err)
		}
		results = append(results, res)
	}
	return printResults(env.Stdout, results, r.json)
}

func printResults(w io.Writer, results []loadtest.Result, asJSON bool) error {
	if len(results) == 0 {
		return nil
	}
	if !asJSON {
		return loadtest.WriteTable(w, results)
	}
	raw, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	_, err = w.Write(append(raw, '\n'))
	return err
}
