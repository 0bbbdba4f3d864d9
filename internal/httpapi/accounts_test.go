package httpapi_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/identity"
	"github.com/maintainuk/maintainuk/internal/secretbox"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

const (
	forgotPath = "/api/v1/auth/forgot-password"
	resetPath  = "/api/v1/auth/reset-password"
	changePath = "/api/v1/auth/change-password"
)

func forgot(app *testsupport.App, email string) *testsupport.Response {
	return app.Anonymous().Post(forgotPath, map[string]string{"email": email})
}

func resetPassword(app *testsupport.App, token, password string) *testsupport.Response {
	return app.Anonymous().Post(resetPath, map[string]string{"token": token, "password": password})
}

// twoOrgUser is a user with a session in each of two organisations: their own and one
// that invited them.
type twoOrgUser struct {
	email        string
	home, joined identity.Session
}

func newTwoOrgUser(t *testing.T, app *testsupport.App, email string) twoOrgUser {
	t.Helper()
	u := twoOrgUser{email: email}
	register(app, "Home "+email, "Pat", email, testsupport.Password).Expect(http.StatusCreated).Data(&u.home)
	other := app.Register("Inviting Org")
	inv := invite(t, other, email, access.Coordinator)
	accept(app, inv.Token, "", testsupport.Password).Expect(http.StatusOK).Data(&u.joined)
	if u.joined.Org.ID == u.home.Org.ID || u.joined.User.ID != u.home.User.ID {
		t.Fatalf("sessions %+v / %+v", u.home, u.joined)
	}
	return u
}

// TestForgotPasswordSameAnswer: known and unknown addresses get the same 200 answer; only
// the known one is emailed a link.
func TestForgotPasswordSameAnswer(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	admin := app.Register("Forgetful Lets")

	known := forgot(app, "  "+strings.ToUpper(admin.Email)+" ")
	unknown := forgot(app, "nobody-here@example.com")
	known.Expect(http.StatusOK)
	unknown.Expect(http.StatusOK)
	if a, b := fmt.Sprint(withoutTraceID(t, known)), fmt.Sprint(withoutTraceID(t, unknown)); a != b {
		t.Fatalf("answers differ:\nknown   %s\nunknown %s", a, b)
	}
	if token, ok := app.PasswordResetToken(admin.Email); !ok || !strings.HasPrefix(token, "mpr_") {
		t.Fatalf("no reset link emailed to the known address (%q)", token)
	}
	if _, ok := app.PasswordResetToken("nobody-here@example.com"); ok {
		t.Fatalf("a reset link was emailed to an unknown address")
	}
	forgot(app, "not an address").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "email")
}

// TestResetPassword: the emailed token sets a new password once; every session of the
// user in every organisation ends; bad passwords and tokens change nothing.
func TestResetPassword(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	u := newTwoOrgUser(t, app, "pat.reset@example.com")
	stranger := app.Register("Stranger Homes")
	forgot(app, u.email).Expect(http.StatusOK)
	token, ok := app.PasswordResetToken(u.email)
	if !ok {
		t.Fatal("no reset link emailed")
	}

	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, "mpr_"))
	if err != nil || len(raw) != 48 {
		t.Fatalf("reset token %q is not mpr_ + 48 bytes", token)
	}
	copy(raw, stranger.OrgID[:])
	otherOrg := "mpr_" + base64.RawURLEncoding.EncodeToString(raw)
	for _, tt := range []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "garbage"},
		{"invitation-shaped", "minv_" + strings.TrimPrefix(token, "mpr_")},
		{"another organisation's id embedded", otherOrg},
		{"truncated", token[:len(token)-2]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testsupport.ExpectFailure(t, resetPassword(app, tt.token, "a-brand-new-password"), http.StatusNotFound, apperr.NotFound)
		})
	}
	// A password that breaks the rules is refused and changes nothing.
	resetPassword(app, token, "short").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "password")
	refresh(app, u.home.RefreshToken).Expect(http.StatusOK).Data(&u.home)
	login(app, u.email, testsupport.Password).Expect(http.StatusOK)

	var done struct {
		PasswordReset bool `json:"passwordReset"`
	}
	resetPassword(app, token, "a-brand-new-password").Expect(http.StatusOK).Data(&done)
	if !done.PasswordReset {
		t.Fatalf("answer %+v", done)
	}
	// Every refresh-token family, in both organisations, is revoked.
	refresh(app, u.home.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, u.joined.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	login(app, u.email, testsupport.Password).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	login(app, u.email, "a-brand-new-password").Expect(http.StatusOK)
	// The token is single-use, and says so.
	f := resetPassword(app, token, "yet-another-password").ExpectFailure(http.StatusConflict, apperr.Conflict)
	if !strings.Contains(f.Message, "already been used") {
		t.Fatalf("second use: %q", f.Message)
	}
	login(app, u.email, "a-brand-new-password").Expect(http.StatusOK)
}

// recordingPublisher keeps the emails a service built in a test publishes.
type recordingPublisher struct {
	events.Discard
	mu     sync.Mutex
	emails []events.Event
}

func (p *recordingPublisher) PublishEmail(_ context.Context, _ pgx.Tx, _ uuid.UUID, ev events.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emails = append(p.emails, ev)
	return nil
}
func (*recordingPublisher) PublishWebhooks(context.Context, pgx.Tx, uuid.UUID, events.Event) error {
	return nil
}

// clockedService is an identity service on app's database with a settable clock.
func clockedService(t *testing.T, app *testsupport.App, clk *testsupport.Clock, settings identity.Settings) (*identity.Service, *recordingPublisher) {
	t.Helper()
	signer, err := identity.NewSigner(testSecret, 15*time.Minute, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	links, err := secretbox.New(app.Config.AppSecret, identity.LinkSealLabel)
	if err != nil {
		t.Fatal(err)
	}
	pub := &recordingPublisher{}
	svc, err := identity.NewService(app.DB, signer, pub, links, settings, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return svc, pub
}

// TestPasswordResetExpiryAndLimits: a reset link works for 30 minutes; requests are
// limited per address whether or not an account uses it, and the limit answers the same
// for both.
func TestPasswordResetExpiryAndLimits(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx := context.Background()
	t0 := time.Now().Truncate(time.Second)
	clk := testsupport.NewClock(t0)
	svc, pub := clockedService(t, app, clk, identity.Settings{RefreshTTL: 30 * 24 * time.Hour, InvitationTTL: time.Hour, LoginPerMinute: 2})
	if _, err := svc.Register(ctx, identity.RegisterInput{OrgName: "Timely", Name: "Tim", Email: "tim@example.com", Password: testsupport.Password}); err != nil {
		t.Fatal(err)
	}
	tokens := func() []string {
		pub.mu.Lock()
		defer pub.mu.Unlock()
		var out []string
		for _, ev := range pub.emails {
			e := ev.(*events.PasswordResetRequested)
			if e.User.Email != "tim@example.com" || !e.ExpiresAt.Equal(t0.Add(identity.PasswordResetTTL)) {
				t.Fatalf("event %+v", e)
			}
			links, err := secretbox.New(app.Config.AppSecret, identity.LinkSealLabel)
			if err != nil {
				t.Fatal(err)
			}
			token, err := links.Open(e.SealedToken)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, token)
		}
		return out
	}
	for i, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		if err := svc.ForgotPassword(ctx, "tim@example.com", ip); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if err := svc.ForgotPassword(ctx, "nobody@example.com", ip); err != nil {
			t.Fatalf("request %d for an unknown address: %v", i, err)
		}
	}
	// A third request for either address, from yet another IP, is limited alike.
	for _, address := range []string{"tim@example.com", "nobody@example.com"} {
		err := svc.ForgotPassword(ctx, address, "192.0.2.3")
		var ae *apperr.Error
		if apperr.CodeOf(err) != apperr.RateLimited || !errors.As(err, &ae) || ae.RetryAfter <= 0 {
			t.Fatalf("third request for %s: %v", address, err)
		}
	}
	sent := tokens()
	if len(sent) != 2 {
		t.Fatalf("%d reset emails, want 2", len(sent))
	}
	clk.Set(t0.Add(identity.PasswordResetTTL))
	if err := svc.ResetPassword(ctx, sent[0], "new-password-at-expiry"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("reset at expiry: %v", err)
	}
	clk.Set(t0.Add(identity.PasswordResetTTL - time.Second))
	if err := svc.ResetPassword(ctx, sent[1], "new-password-in-time"); err != nil {
		t.Fatalf("reset a second before expiry: %v", err)
	}
	// Using one link spends the other too.
	if err := svc.ResetPassword(ctx, sent[0], "new-password-again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("the other link after a reset: %v", err)
	}
	if _, err := svc.Login(ctx, "tim@example.com", "new-password-in-time", "192.0.2.9"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
}

// TestForgotPasswordLimitedPerIP: one client IP cannot fan requests out over addresses.
func TestForgotPasswordLimitedPerIP(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"LOGIN_RATE_LIMIT": "3"})
	for range 3 {
		forgot(app, uuid.NewString()+"@example.com").Expect(http.StatusOK)
	}
	r := forgot(app, uuid.NewString()+"@example.com")
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	expectRetryAfter(t, r)
}

// TestChangePassword: the current password is required (a wrong one answers 422 on
// currentPassword and changes nothing); a change revokes every refresh-token family in
// every organisation and answers a new session.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	u := newTwoOrgUser(t, app, "pat.change@example.com")
	pat := clientFor(app, u.home)
	change := func(current, next string) *testsupport.Response {
		return pat.Post(changePath, map[string]string{"currentPassword": current, "newPassword": next})
	}

	app.Anonymous().Post(changePath, map[string]string{"currentPassword": testsupport.Password, "newPassword": "a-new-password-1"}).
		ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	change("wrong-password-1", "a-new-password-1").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "currentPassword")
	change("", "a-new-password-1").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "currentPassword")
	change(testsupport.Password, "short").ExpectFailure(http.StatusUnprocessableEntity, apperr.Invalid, "newPassword")
	// Nothing changed.
	refresh(app, u.joined.RefreshToken).Expect(http.StatusOK).Data(&u.joined)
	login(app, u.email, testsupport.Password).Expect(http.StatusOK)

	var s identity.Session
	change(testsupport.Password, "a-new-password-1").Expect(http.StatusOK).Data(&s)
	checkSession(t, s)
	if s.Org.ID != u.home.Org.ID || s.User.ID != u.home.User.ID || s.Role != access.Admin {
		t.Fatalf("session after the change: %+v", s)
	}
	refresh(app, u.home.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, u.joined.RefreshToken).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	refresh(app, s.RefreshToken).Expect(http.StatusOK)
	login(app, u.email, testsupport.Password).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	login(app, u.email, "a-new-password-1").Expect(http.StatusOK)
}

// TestRefreshAbsoluteLifetime: a login's refresh-token family ends RefreshMaxAge after
// the login, however often it was refreshed.
func TestRefreshAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	ctx := context.Background()
	t0 := time.Now().Add(-100 * 24 * time.Hour).Truncate(time.Second)
	clk := testsupport.NewClock(t0)
	const day = 24 * time.Hour
	svc, _ := clockedService(t, app, clk, identity.Settings{RefreshTTL: 30 * day, RefreshMaxAge: 90 * day, InvitationTTL: day, LoginPerMinute: 100})
	s, err := svc.Register(ctx, identity.RegisterInput{OrgName: "Long Haul", Name: "Lou", Email: "lou@example.com", Password: testsupport.Password})
	if err != nil {
		t.Fatal(err)
	}
	// Refreshed every 20 days, the family stays alive until day 90 ...
	for _, at := range []time.Duration{20 * day, 40 * day, 60 * day, 80 * day, 90*day - time.Second} {
		clk.Set(t0.Add(at))
		if s, err = svc.Refresh(ctx, s.RefreshToken); err != nil {
			t.Fatalf("refresh on day %.0f: %v", at.Hours()/24, err)
		}
	}
	// ... and not a second longer, though its newest token is a second old.
	clk.Set(t0.Add(90 * day))
	if _, err := svc.Refresh(ctx, s.RefreshToken); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("refresh at 90 days: %v", err)
	}
	// A new login starts a new family.
	s2, err := svc.Login(ctx, "lou@example.com", testsupport.Password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(100 * day))
	if _, err := svc.Refresh(ctx, s2.RefreshToken); err != nil {
		t.Fatalf("refreshing a 10-day-old login: %v", err)
	}
}
