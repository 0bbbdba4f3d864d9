package testsupport

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/secretbox"
)

// emailedToken is the one-time link token of the latest email of an event (kind is its
// name) sent to address, read as its recipient would: from the event the outbox stored,
// opened from its seal with the app's key, as the email worker does. So tests act on
// emailed links without running the email worker. The events are read through the
// cluster's superuser, which row-level security does not narrow: the test does not know
// which organisation sent the email.
func (a *App) emailedToken(event, recipientField, address string) (string, bool) {
	a.t.Helper()
	ctx := context.Background()
	admin, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		a.t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	own, err := url.Parse(a.DBs.AppURL)
	if err != nil {
		a.t.Fatal(err)
	}
	admin.Path = own.Path
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		a.t.Fatalf("read emailed links: %v", err)
	}
	defer conn.Close(ctx)
	var sealed string
	err = conn.QueryRow(ctx, `SELECT payload->>'sealedToken' FROM outbox_events
		WHERE name = $1 AND lower(payload->$2->>'email') = $3 ORDER BY occurred_at DESC LIMIT 1`,
		event, recipientField, strings.ToLower(address)).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false
	}
	if err != nil {
		a.t.Fatalf("read emailed links: %v", err)
	}
	box, err := secretbox.New(a.Config.AppSecret, identity.LinkSealLabel)
	if err != nil {
		a.t.Fatal(err)
	}
	token, err := box.Open(sealed)
	if err != nil {
		a.t.Fatalf("open the emailed link: %v", err)
	}
	return token, true
}

// InvitationToken is the token in the latest invitation emailed to address, as the
// invitee would read it in the link; the test fails when none was sent.
func (a *App) InvitationToken(address string) string {
	a.t.Helper()
	token, ok := a.emailedToken("member.invited", "invitee", address)
	if !ok {
		a.t.Fatalf("no invitation was emailed to %s", address)
	}
	return token
}

// PasswordResetToken is the token in the latest password-reset email sent to address,
// and whether there was one.
func (a *App) PasswordResetToken(address string) (string, bool) {
	return a.emailedToken("password.reset_requested", "user", address)
}
