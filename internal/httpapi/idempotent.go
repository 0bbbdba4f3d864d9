package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"strings"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency"
)

const idempotencyHeader = "Idempotency-Key"

// idempotent replays the stored answer to an authenticated POST that repeats an
// Idempotency-Key (for 24 hours). Answers of 5xx, 409 and 429 are not stored, so a retry
// after a failure on our side, a conflict or a rate limit runs again. Requests without the
// header pass straight through, and so do those whose answers carry secrets (session
// tokens, invitation links, webhook signing secrets), which are never stored in clear.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keyValue := r.Header.Get(idempotencyHeader)
		actor := infoFrom(r.Context()).actor
		if r.Method != http.MethodPost || keyValue == "" || actor == nil || s.deps.Idempotency == nil || answersWithSecrets(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if len(keyValue) > 255 || strings.TrimSpace(keyValue) != keyValue {
			var f apperr.Fields
			f.Add(idempotencyHeader, "must be at most 255 characters with no surrounding spaces")
			writeEnvelope(w, newErrorEnvelope(r.Context(), loggerFrom(r.Context()), 0, "", f.Err()))
			return
		}
		// Read the body to fingerprint it; an oversize body is left for the operation to
		// refuse with 413 as usual.
		limit := s.deps.MaxBodyBytes
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil || int64(len(body)) > limit {
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			next.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)

		key := idempotency.Key{OrgID: actor.OrgID, UserID: actor.UserID, Value: keyValue}
		replay, err := s.deps.Idempotency.Begin(r.Context(), key, r.Method, r.URL.Path, sum[:])
		if err != nil {
			writeEnvelope(w, newErrorEnvelope(r.Context(), loggerFrom(r.Context()), http.StatusInternalServerError, "internal error", err))
			return
		}
		if replay != nil {
			w.Header().Set("Content-Type", replay.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.Status)
			_, _ = w.Write(replay.Body) // #nosec G705 -- replays the stored answer of the same user's earlier request, with its stored Content-Type
			return
		}

		release := func() {
			if err := s.deps.Idempotency.Release(context.WithoutCancel(r.Context()), key); err != nil {
				loggerFrom(r.Context()).ErrorContext(r.Context(), "idempotency release failed", "error", err)
			}
		}
		rec := &recordingWriter{ResponseWriter: w}
		defer func() {
			// A panic is answered 500 by observe: give the key up as for any 5xx, or a
			// retry would be told "still being processed" until the claim is abandoned.
			if p := recover(); p != nil {
				release()
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r)
		if rec.status >= 500 || rec.status == 0 || rec.status == http.StatusConflict || rec.status == http.StatusTooManyRequests {
			release()
			return
		}
		answer := idempotency.Stored{Status: rec.status, Body: rec.body.Bytes(), ContentType: rec.Header().Get("Content-Type")}
		// Without the request's cancellation: a client that hung up is the one that will retry.
		if err := s.deps.Idempotency.Complete(context.WithoutCancel(r.Context()), key, answer); err != nil {
			loggerFrom(r.Context()).ErrorContext(r.Context(), "idempotency store failed", "error", err)
		}
	})
}

// recordingWriter passes the response through and keeps a copy.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// answersWithSecrets reports whether a POST's answer carries a secret shown only once.
func answersWithSecrets(path string) bool {
	// Invitations answer without their token (it goes only to the invitee by email), so a
	// repeated invitation is replayed like any other write.
	return strings.HasPrefix(path, "/api/v1/auth/") || path == "/api/v1/webhooks"
}
