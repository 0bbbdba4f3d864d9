package testsupport

import (
	"context"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/secretbox"
)

// linkRecorder stands between the identity service and the outbox and remembers the
// one-time link token of each invitation and password-reset email published (opened from
// its seal with the app's key, as the email worker would), so tests act as the recipient
// who reads that email without running the email worker. Everything is still published.
type linkRecorder struct {
	events.Publisher
	links *secretbox.Box

	mu     sync.Mutex
	tokens map[string]string // kind + ":" + address → the latest token
}

func (r *linkRecorder) PublishEmail(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, ev events.Event) error {
	if err := r.Publisher.PublishEmail(ctx, tx, orgID, ev); err != nil {
		return err
	}
	var key, sealed string
	switch e := ev.(type) {
	case *events.MemberInvited:
		key, sealed = "invitation:"+e.Invitee.Email, e.SealedToken
	case *events.PasswordResetRequested:
		key, sealed = "reset:"+e.User.Email, e.SealedToken
	default:
		return nil
	}
	token, err := r.links.Open(sealed)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens[key] = token
	return nil
}

// recordLinks puts a linkRecorder in front of the identity service's publisher.
func (a *App) recordLinks() {
	a.Identity.Publisher = &linkRecorder{Publisher: a.Identity.Publisher, links: a.Identity.Links, tokens: map[string]string{}}
}

func (a *App) emailedToken(kind, address string) (string, bool) {
	r, ok := a.Identity.Publisher.(*linkRecorder)
	if !ok {
		a.t.Fatalf("the identity service's publisher was replaced; no emailed links recorded")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	token, found := r.tokens[kind+":"+strings.ToLower(address)]
	return token, found
}

// InvitationToken is the token in the latest invitation emailed to address, as the
// invitee would read it in the link; the test fails when none was sent.
func (a *App) InvitationToken(address string) string {
	a.t.Helper()
	token, ok := a.emailedToken("invitation", address)
	if !ok {
		a.t.Fatalf("no invitation was emailed to %s", address)
	}
	return token
}

// PasswordResetToken is the token in the latest password-reset email sent to address,
// and whether there was one.
func (a *App) PasswordResetToken(address string) (string, bool) {
	return a.emailedToken("reset", address)
}
