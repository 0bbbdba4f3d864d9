package email_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/email"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/secretbox"
)

// capturingSender keeps what it is asked to send.
type capturingSender struct {
	mu   sync.Mutex
	sent []email.Message
}

func (*capturingSender) Name() string { return "capturing" }
func (c *capturingSender) Send(_ context.Context, m email.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return "c-" + m.ID, nil
}

// TestOneTimeLinks: an invitation's and a password reset's token travel sealed; the email
// sent carries the link to the page that uses it; the stored copy withholds it, except
// with the development provider, whose stored copy is the only one (/dev/mailbox).
func TestOneTimeLinks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	box, err := secretbox.New("test-secret-that-is-at-least-32-characters-long", "invitation link")
	if err != nil {
		t.Fatal(err)
	}
	seal := func(token string) string {
		sealed, err := box.Seal(token)
		if err != nil {
			t.Fatal(err)
		}
		return sealed
	}
	expires := time.Now().Add(30 * time.Minute)
	cases := []struct {
		name, token, link string
		event             func(sealed, to string) events.Event
	}{
		{"invitation", "minv_inv1tat10n-t0ken", "https://app.maintainuk.test/accept-invitation?token=minv_inv1tat10n-t0ken",
			func(sealed, to string) events.Event {
				return &events.MemberInvited{Role: "TENANT", InvitedBy: "Ada", SealedToken: sealed, ExpiresAt: expires, Invitee: events.Recipient{Email: to}}
			}},
		{"password reset", "mpr_r3set-t0ken", "https://app.maintainuk.test/reset-password?token=mpr_r3set-t0ken",
			func(sealed, to string) events.Event {
				return &events.PasswordResetRequested{UserID: uuid.New(), SealedToken: sealed, ExpiresAt: expires, User: events.Recipient{Name: "Sam", Email: to}}
			}},
	}
	for _, c := range cases {
		for _, dev := range []bool{false, true} {
			to := strings.ReplaceAll(c.name, " ", "-") + "-" + map[bool]string{false: "provider", true: "dev"}[dev] + "@example.com"
			capture := &capturingSender{}
			var sender email.Sender = capture
			if dev {
				sender = email.DevSender{}
			}
			w := f.worker(t, sender)
			w.Config.Links = box
			if err := w.Work(context.Background(), f.job(t, c.event(seal(c.token), to), 1)); err != nil {
				t.Fatalf("%s: %v", to, err)
			}
			if !dev && (len(capture.sent) != 1 || !strings.Contains(capture.sent[0].Text, c.link) || !strings.Contains(capture.sent[0].HTML, c.link)) {
				t.Fatalf("%s: the sent email lacks the link %s: %+v", to, c.link, capture.sent)
			}
			var stored string
			err = f.app.DB.InOrg(context.Background(), f.orgID, uuid.Nil, func(tx pgx.Tx) error {
				return tx.QueryRow(context.Background(), `SELECT body_text || body_html FROM messages WHERE recipient = $1`, to).Scan(&stored)
			})
			if err != nil {
				t.Fatal(err)
			}
			if dev != strings.Contains(stored, c.token) || dev == strings.Contains(stored, "link withheld") {
				t.Fatalf("%s: stored copy (development provider: %v):\n%s", to, dev, stored)
			}
		}
	}
}
