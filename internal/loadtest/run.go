package loadtest

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// maxErrorBody is how much of each answer is kept: enough for an error envelope's message.
const maxErrorBody = 2048

// withDefaults fills in the options left at zero.
func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Warmup == 0 {
		o.Warmup = DefaultWarmup
	}
	return o
}

// Run drives one scenario: a warm-up that is discarded, then the measured period. A
// scenario the plan cannot run (no contractor, no unit, no tickets) answers a Result with
// no requests and a note saying why.
func (p *Plan) Run(ctx context.Context, name string, o Options) (Result, error) {
	sc, ok := scenarioNamed(name)
	if !ok {
		return Result{}, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(ScenarioNames(), ", "))
	}
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		return Result{}, fmt.Errorf("rate %v: want requests per second above 0, or 0 for the most the workers can do", o.Rate)
	}
	o = o.withDefaults()
	res := Result{Scenario: name, Mode: ModeMax, Rate: o.Rate, Workers: o.Workers, Errors: map[string]int{}}
	if o.Rate > 0 {
		res.Mode = ModeConstant
	}
	spec, skip := sc.build(p)
	if skip != "" {
		res.Note = "skipped: " + skip
		return res, nil
	}
	if spec.session != nil {
		if err := spec.session.fresh(ctx); err != nil {
			return res, fmt.Errorf("%s: %w", name, err)
		}
		keep, stop := context.WithCancel(ctx)
		defer stop()
		go spec.session.keepFresh(keep)
	}
	if o.Warmup > 0 {
		if _, err := p.attack(ctx, sc, spec.targeter, o, o.Warmup); err != nil {
			return res, fmt.Errorf("%s warm-up: %w", name, err)
		}
	}
	t, err := p.attack(ctx, sc, spec.targeter, o, o.Duration)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	t.fill(&res)
	notes := []string{spec.note}
	if o.Rate > 0 {
		if asked := o.Rate * o.Duration.Seconds(); float64(res.Requests) < 0.9*asked {
			notes = append(notes, fmt.Sprintf("sent %d of the %.0f requests the rate asks for: all %d workers were busy (more workers, or the server is past its limit)",
				res.Requests, asked, o.Workers))
		}
	}
	if t.firstError != "" {
		notes = append(notes, "first error: "+t.firstError)
	}
	for _, status := range slices.Sorted(maps.Keys(res.Errors)) {
		notes = append(notes, sc.hints[status])
	}
	if spec.session != nil {
		if err := spec.session.takeRenewFailure(); err != nil {
			notes = append(notes, "renewing the access token failed: "+err.Error())
		}
	}
	res.Note = strings.Join(slices.DeleteFunc(notes, func(s string) bool { return s == "" }), "; ")
	return res, nil
}

// pacer is vegeta's constant pacer at rate requests a second, or unpaced (closed loop)
// at 0. The rate may be fractional: one request every 1/rate seconds.
func pacer(rate float64) vegeta.Pacer {
	if rate == 0 {
		return vegeta.ConstantPacer{}
	}
	return vegeta.ConstantPacer{Freq: 1, Per: time.Duration(float64(time.Second) / rate)}
}

// attack runs the scenario for d and tallies every answer.
func (p *Plan) attack(ctx context.Context, sc scenario, tr vegeta.Targeter, o Options, d time.Duration) (tally, error) {
	atk := vegeta.NewAttacker(
		vegeta.Client(p.api.client),
		vegeta.Workers(uint64(o.Workers)), vegeta.MaxWorkers(uint64(o.Workers)),
		vegeta.MaxBody(maxErrorBody),
	)
	t := tally{errors: map[string]int{}}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			atk.Stop()
		case <-done:
		}
	}()
	start := time.Now()
	for r := range atk.Attack(tr, pacer(o.Rate), d, sc.name) {
		t.add(r, sc.expect)
	}
	t.elapsed = time.Since(start)
	return t, ctx.Err()
}

// tally is what one attack's answers add up to.
type tally struct {
	latencies  []time.Duration
	successes  int
	errors     map[string]int
	firstError string
	elapsed    time.Duration
}

func (t *tally) add(r *vegeta.Result, expect int) {
	t.latencies = append(t.latencies, r.Latency)
	if int(r.Code) == expect {
		t.successes++
		return
	}
	key, detail := strconv.Itoa(int(r.Code)), errorDetail(r.Body)
	if r.Code == 0 {
		key, detail = "transport", r.Error
	}
	t.errors[key]++
	if t.firstError == "" {
		t.firstError = strings.TrimSpace(key + " " + detail)
	}
}

// fill sets the result's counts, rate and nearest-rank percentiles.
func (t *tally) fill(r *Result) {
	r.Requests, r.Successes, r.Errors = len(t.latencies), t.successes, t.errors
	if t.elapsed > 0 {
		r.Throughput = float64(t.successes) / t.elapsed.Seconds()
	}
	if len(t.latencies) == 0 {
		return
	}
	slices.Sort(t.latencies)
	r.P50, r.P95, r.P99 = percentile(t.latencies, 50), percentile(t.latencies, 95), percentile(t.latencies, 99)
	r.Max = t.latencies[len(t.latencies)-1]
}

// percentile is the nearest-rank percentile q of sorted, which is not empty.
func percentile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}
