package payments

import "errors"

// ErrNoIdempotencyKey is returned, before anything is sent, by a call that changes something
// at the provider without an idempotency key (or a meter event without an identifier): without
// one a retried job could charge or subscribe twice, so both providers refuse, and the local
// one catches the mistake in development.
var ErrNoIdempotencyKey = errors.New("payments: a call that changes something needs an idempotency key")
