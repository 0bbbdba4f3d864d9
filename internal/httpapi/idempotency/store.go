// Package idempotency stores the answers to POST requests sent with an Idempotency-Key
// header, so a client that retries after a timeout gets the first answer again instead of
// creating a second ticket, payment or invitation.
package idempotency

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/httpapi/idempotency/idempotencydb"
)

const (
	// Retention is how long an answer is replayed.
	Retention = 24 * time.Hour
	// abandonedAfter is when a claim with no answer is taken to belong to a crashed
	// process and may be claimed again.
	abandonedAfter = 10 * time.Minute
)

// Key identifies one client request: keys are per user within an organisation.
type Key struct {
	OrgID  uuid.UUID
	UserID uuid.UUID
	Value  string
}

// Stored is an answer to replay.
type Stored struct {
	Status      int
	Body        []byte
	ContentType string
}

// Store keeps keys and answers in PostgreSQL under row-level security.
type Store struct {
	db  *database.DB
	q   *idempotencydb.Queries
	now func() time.Time
}

// NewStore returns a store; now is time.Now outside tests.
func NewStore(db *database.DB, now func() time.Time) *Store {
	return &Store{db: db, q: idempotencydb.New(), now: now}
}

// Begin claims the key for a request with the given fingerprint. It returns nil when the
// caller should run the request (then Complete or Release), a Stored answer to replay, a
// Conflict while the first request is still running, or Invalid when the key was used for
// a different request.
func (s *Store) Begin(ctx context.Context, k Key, method, path string, fingerprint []byte) (*Stored, error) {
	var replay *Stored
	err := s.db.InOrg(ctx, k.OrgID, k.UserID, func(tx pgx.Tx) error {
		for range 2 {
			_, err := s.q.ClaimKey(ctx, tx, idempotencydb.ClaimKeyParams{
				OrgID: k.OrgID, UserID: k.UserID, Key: k.Value, Method: method, Path: path, RequestHash: fingerprint,
			})
			if err == nil {
				return nil // claimed
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			row, err := s.q.GetKey(ctx, tx, idempotencydb.GetKeyParams{OrgID: k.OrgID, UserID: k.UserID, Key: k.Value})
			if errors.Is(err, pgx.ErrNoRows) {
				continue // released between our insert and read: try again
			}
			if err != nil {
				return err
			}
			age := s.now().Sub(row.CreatedAt)
			if age > Retention || (row.StatusCode == nil && age > abandonedAfter) {
				if err := s.q.DeleteExpiredKey(ctx, tx, idempotencydb.DeleteExpiredKeyParams{
					OrgID: k.OrgID, UserID: k.UserID, Key: k.Value, CreatedAt: row.CreatedAt.Add(time.Microsecond),
				}); err != nil {
					return err
				}
				continue
			}
			if row.Method != method || row.Path != path || !bytes.Equal(row.RequestHash, fingerprint) {
				var f apperr.Fields
				f.Add("Idempotency-Key", "was already used for a different request; use a new key")
				return f.Err()
			}
			if row.StatusCode == nil {
				return apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry shortly")
			}
			ct := ""
			if row.ContentType != nil {
				ct = *row.ContentType
			}
			replay = &Stored{Status: int(*row.StatusCode), Body: row.ResponseBody, ContentType: ct}
			return nil
		}
		return apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry shortly")
	})
	return replay, err
}

// Complete stores the answer to replay.
func (s *Store) Complete(ctx context.Context, k Key, answer Stored) error {
	status := int32(answer.Status)
	return s.db.InOrg(ctx, k.OrgID, k.UserID, func(tx pgx.Tx) error {
		return s.q.CompleteKey(ctx, tx, idempotencydb.CompleteKeyParams{
			OrgID: k.OrgID, UserID: k.UserID, Key: k.Value, StatusCode: &status, ResponseBody: answer.Body, ContentType: &answer.ContentType,
		})
	})
}

// Release gives up a claim (the request failed on our side), so a retry runs again.
func (s *Store) Release(ctx context.Context, k Key) error {
	return s.db.InOrg(ctx, k.OrgID, k.UserID, func(tx pgx.Tx) error {
		return s.q.ReleaseKey(ctx, tx, idempotencydb.ReleaseKeyParams{OrgID: k.OrgID, UserID: k.UserID, Key: k.Value})
	})
}

// PurgeExpired deletes one organisation's keys older than Retention.
func (s *Store) PurgeExpired(ctx context.Context, orgID uuid.UUID) (int64, error) {
	var n int64
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		var err error
		n, err = s.q.DeleteKeysCreatedBefore(ctx, tx, idempotencydb.DeleteKeysCreatedBeforeParams{OrgID: orgID, CreatedAt: s.now().Add(-Retention)})
		return err
	})
	return n, err
}
