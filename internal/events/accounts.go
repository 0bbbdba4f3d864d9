package events

import (
	"time"

	"github.com/google/uuid"
)

func init() {
	register[PasswordResetRequested]()
}

// PasswordResetRequested: someone asked for a link to reset an account's password. Like
// MemberInvited's, the token travels sealed (internal/secretbox): the job table, the
// dashboard and the stored email never hold it readable. ResetURL is filled in by the
// email worker when it opens the seal, and never serialised. The event goes out through
// the organisation of the user's first membership, whose id the token carries.
type PasswordResetRequested struct {
	UserID      uuid.UUID `json:"userId"`
	SealedToken string    `json:"sealedToken"`
	ResetURL    string    `json:"-"`
	ExpiresAt   time.Time `json:"expiresAt"`
	User        Recipient `json:"user"`
}

func (PasswordResetRequested) Name() string { return "password.reset_requested" }
func (PasswordResetRequested) Version() int { return 1 }
