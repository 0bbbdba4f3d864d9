// Package llm is the one interface every AI provider implements: the offline builtin
// engine and the external models (OpenAI, Anthropic, a local Ollama). A provider takes a
// Request for one capability and answers JSON meant to match the capability's schema;
// the caller (internal/ai) validates it, retries, falls back to builtin and audits.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Capability is one thing the assistant does.
type Capability string

const (
	Classify  Capability = "classify"  // category, priority, confidence, hazards of a report
	Draft     Capability = "draft"     // a message about a ticket, for a person to send
	Summarise Capability = "summarise" // a ticket's story from its timeline
	Estimate  Capability = "estimate"  // a cost range in pence
)

// Capabilities lists every capability, in documentation order.
var Capabilities = []Capability{Classify, Draft, Summarise, Estimate}

// Request is one call. External providers read System and User (the rendered, redacted
// prompt) and must answer JSON matching Schema; the builtin engine reads Input, the same
// facts as Go values, and ignores the prompt.
type Request struct {
	Capability Capability
	// System holds the instructions (the prompt template, rendered). It never contains
	// the resident's text: that goes only in User, fenced as data.
	System string
	// User holds the ticket's facts, redacted, as a JSON document the instructions
	// describe as data to read, never as instructions to follow.
	User string
	// Schema is the JSON Schema (2020-12) the answer must match; SchemaName names it
	// for providers that want a name (OpenAI's json_schema response format).
	Schema     json.RawMessage
	SchemaName string
	// Input is the capability's input as Go values (schema.ClassifyInput, …), redacted
	// exactly as User is.
	Input any

	Model       string
	Temperature float64
	MaxTokens   int
}

// Response is a provider's answer.
type Response struct {
	// Output is the JSON document the model produced, not yet validated.
	Output json.RawMessage
	// Model is the model that answered, as the provider reports it.
	Model     string
	TokensIn  int
	TokensOut int
}

// Provider answers requests. Complete returns promptly when ctx is done.
type Provider interface {
	// Name is the provider's config name: builtin, openai, anthropic or ollama.
	Name() string
	Complete(ctx context.Context, req Request) (Response, error)
}

// Error is a provider failure the caller may retry or not.
type Error struct {
	Provider string
	// Status is the HTTP status the provider answered, 0 when none (a timeout, a refused
	// connection).
	Status int
	// Retryable: a timeout, a connection failure, 408, 409, 429 or 5xx. 400, 401, 403,
	// 404 and 422 are not: the same request would fail the same way.
	Retryable bool
	// RetryAfter is the provider's Retry-After, when it sent one.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string { return e.Provider + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether err is worth another try: a provider Error marked so, or
// any error that is not a provider Error (an unexpected failure is tried again).
func Retryable(err error) bool {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Retryable
	}
	return !errors.Is(err, context.Canceled)
}

// Config is how a provider is set up. Keys come from the environment only.
type Config struct {
	Provider    string // builtin, openai, anthropic, ollama
	Model       string
	Temperature float64
	MaxTokens   int
	Timeout     time.Duration
	Retries     int
	// BaseURL overrides the provider's address (an Ollama server, a test fake).
	BaseURL string
	APIKey  string
}
