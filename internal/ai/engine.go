package ai

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/maintainuk/maintainuk/internal/ai/llm"
	"github.com/maintainuk/maintainuk/internal/ai/prompts"
	"github.com/maintainuk/maintainuk/internal/ai/providers"
	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Engine makes one capability call: it renders the prompt, redacts what leaves, calls the
// chosen provider with a timeout, validates the answer against the capability's schema,
// retries, and falls back to builtin. It does not touch the database: the Service audits
// what it returns.
type Engine struct {
	defaults Defaults
	// external holds the providers the deployment can reach, by name.
	external map[string]llm.Provider
	builtin  llm.Provider
	// backoff is the wait before retry n (1-based); tests make it instant.
	backoff func(n int, retryAfter time.Duration) time.Duration
}

// Defaults are the deployment's settings (AI_* configuration).
type Defaults struct {
	Provider              string
	Temperature           float64
	MaxTokens             int
	Timeout               time.Duration
	Retries               int
	MonthlyTokenAllowance int64
}

// NewEngine returns an engine whose external providers are those given (the ones with
// keys configured); builtin is always there.
func NewEngine(d Defaults, external ...llm.Provider) *Engine {
	e := &Engine{defaults: d, external: map[string]llm.Provider{}, builtin: Builtin{}, backoff: jitteredBackoff}
	for _, p := range external {
		e.external[p.Name()] = p
	}
	return e
}

// maxBackoff is the longest wait between attempts; a provider asking for longer
// (Retry-After) gets no more attempts: builtin answers instead.
const maxBackoff = 10 * time.Second

// jitteredBackoff waits 0.5 s, 1 s, 2 s … (with up to half again at random) or the
// provider's Retry-After when it asked for longer, capped at maxBackoff.
func jitteredBackoff(n int, retryAfter time.Duration) time.Duration {
	d := 500 * time.Millisecond << (n - 1)
	d += time.Duration(rand.Int64N(int64(d/2) + 1)) // #nosec G404 -- jitter between retries of a provider call, not a secret
	return min(max(d, retryAfter), maxBackoff)
}

// call is one request to the engine.
type call struct {
	capability llm.Capability
	// input is the capability's input with the real text; redacted copies go out.
	input any
	// names are the people named in the input (resident, reporter, contractor, staff).
	names    []string
	provider string // the organisation's choice, resolved: never empty
	model    string
	template prompts.Template
	orgName  string
	tone     string
	recip    string
	// overAllowance sends the call to builtin without trying the provider.
	overAllowance bool
}

// outcome is what the engine did, for the audit row and the answer.
type outcome struct {
	value             any // schema.Classification, schema.Draft, …
	result            json.RawMessage
	requestedProvider string
	provider          string
	model             string
	promptVersion     string
	inputHash         string
	tokensIn          int
	tokensOut         int
	costMicropence    int64
	latency           time.Duration
	attempts          int
	fallback          bool
	fallbackReason    string
}

func (e *Engine) run(ctx context.Context, c call) (outcome, error) {
	start := time.Now()
	out := outcome{requestedProvider: c.provider, promptVersion: c.template.Version}
	name, sent := schema.For(c.capability)
	p, ok := e.external[c.provider]
	switch {
	case c.provider == "builtin":
	case c.overAllowance:
		out.fallback, out.fallbackReason = true, "the organisation's monthly AI allowance is used up"
	case !ok:
		out.fallback, out.fallbackReason = true, c.provider+" is not configured on this deployment"
	default:
		redacted, restore, err := redactInput(c.input, c.names)
		if err != nil {
			return outcome{}, err
		}
		system, err := prompts.Render(c.template, prompts.Data{OrgName: c.orgName, Tone: c.tone, Recipient: c.recip})
		if err != nil {
			return outcome{}, fmt.Errorf("ai: render %s prompt: %w", c.capability, err)
		}
		user, err := json.Marshal(redacted)
		if err != nil {
			return outcome{}, err
		}
		out.inputHash = hash(c.template.Version, system, string(user))
		req := llm.Request{Capability: c.capability, System: system, User: string(user), Schema: sent, SchemaName: name,
			Input: redacted, Model: c.model, Temperature: e.temperature(c.capability), MaxTokens: e.defaults.MaxTokens}
		value, resp, attempts, err := e.attempt(ctx, p, req)
		out.attempts = attempts
		out.tokensIn, out.tokensOut = resp.TokensIn, resp.TokensOut
		out.model = cmpOr(resp.Model, c.model)
		out.costMicropence, _ = providers.Cost(c.provider, out.model, resp.TokensIn, resp.TokensOut)
		if err == nil {
			out.value = restore(value)
			out.provider = c.provider
			out.result, err = json.Marshal(out.value)
			out.latency = time.Since(start)
			return out, err
		}
		out.fallback, out.fallbackReason = true, reason(err)
		if ctx.Err() != nil {
			// The caller's time ran out (a request's budget, a job's timeout): the tokens
			// spent are still recorded, beside builtin's answer.
			out.fallbackReason = "no answer in the time the request allows"
		}
	}
	// builtin: the answer from the real (unredacted) input, which never leaves.
	resp, err := e.builtin.Complete(ctx, llm.Request{Capability: c.capability, Input: c.input})
	if err != nil {
		return outcome{}, fmt.Errorf("ai: builtin %s: %w", c.capability, err)
	}
	value, err := schema.Decode(c.capability, resp.Output)
	if err != nil {
		return outcome{}, fmt.Errorf("ai: builtin %s answer is invalid: %w", c.capability, err)
	}
	if out.inputHash == "" {
		in, _ := json.Marshal(c.input)
		out.inputHash = hash("builtin", string(in))
	}
	out.value, out.result = value, resp.Output
	out.provider, out.model = "builtin", cmpOr(resp.Model, builtinModel)
	if out.attempts == 0 { // no provider was asked: no prompt went anywhere
		out.attempts, out.promptVersion = 1, builtinModel
	}
	out.latency = time.Since(start)
	return out, nil
}

// attempt calls p until it answers valid JSON, a failure is not worth retrying, or the
// retries are spent.
func (e *Engine) attempt(ctx context.Context, p llm.Provider, req llm.Request) (any, llm.Response, int, error) {
	var total llm.Response
	var err error
	for n := 1; ; n++ {
		var resp llm.Response
		resp, err = e.once(ctx, p, req)
		total.TokensIn += resp.TokensIn
		total.TokensOut += resp.TokensOut
		total.Model = cmpOr(resp.Model, total.Model)
		if err == nil {
			var value any
			if value, err = schema.Decode(req.Capability, resp.Output); err == nil {
				return value, total, n, nil
			}
			err = &invalidAnswer{err}
		}
		if n > e.defaults.Retries || !retryable(err) || ctx.Err() != nil {
			return nil, total, n, err
		}
		var pe *llm.Error
		var retryAfter time.Duration
		if errors.As(err, &pe) {
			retryAfter = pe.RetryAfter
		}
		if retryAfter > maxBackoff {
			return nil, total, n, err
		}
		t := time.NewTimer(e.backoff(n, retryAfter))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, total, n, err
		case <-t.C:
		}
	}
}

func (e *Engine) once(ctx context.Context, p llm.Provider, req llm.Request) (llm.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, e.defaults.Timeout)
	defer cancel()
	resp, err := p.Complete(ctx, req)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		return resp, &llm.Error{Provider: p.Name(), Retryable: true, Err: fmt.Errorf("no answer within %s", e.defaults.Timeout)}
	}
	return resp, err
}

// invalidAnswer is an answer that did not match the schema: worth asking again.
type invalidAnswer struct{ err error }

func (e *invalidAnswer) Error() string { return "invalid answer: " + e.err.Error() }

func retryable(err error) bool {
	var inv *invalidAnswer
	return errors.As(err, &inv) || llm.Retryable(err)
}

// reason says why a call fell back, in words safe to store and show: the provider's
// status or the kind of failure, never the prompt or a key.
func reason(err error) string {
	var inv *invalidAnswer
	var pe *llm.Error
	switch {
	case errors.As(err, &inv):
		return "the answer did not match the schema"
	case errors.As(err, &pe) && pe.Status != 0:
		return fmt.Sprintf("%s answered HTTP %d", pe.Provider, pe.Status)
	case errors.As(err, &pe):
		return pe.Error()
	}
	return "the provider failed"
}

// temperature keeps classification and estimates near-deterministic whatever the
// deployment's setting; drafting and summaries use it.
func (e *Engine) temperature(c llm.Capability) float64 {
	if c == llm.Classify || c == llm.Estimate {
		return min(e.defaults.Temperature, 0.2)
	}
	return e.defaults.Temperature
}

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Classification is one classification with who answered it, for offline evaluation.
type Classification struct {
	schema.Classification
	Provider       string
	Fallback       bool
	FallbackReason string
	TokensIn       int
	TokensOut      int
}

// Classify classifies a report with provider (builtin, openai, anthropic, ollama) and the
// built-in prompt, as a ticket would be, retries and fallback included; nothing is
// recorded. maintainuk ai-eval uses it.
func (e *Engine) Classify(ctx context.Context, provider string, in schema.ClassifyInput) (Classification, error) {
	o, err := e.run(ctx, call{capability: llm.Classify, input: in, provider: provider,
		template: prompts.Default(llm.Classify)})
	if err != nil {
		return Classification{}, err
	}
	return Classification{Classification: o.value.(schema.Classification), Provider: o.provider, Fallback: o.fallback,
		FallbackReason: o.fallbackReason, TokensIn: o.tokensIn, TokensOut: o.tokensOut}, nil
}
