package messaging_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio/twiliofake"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

const (
	accountSID = "AC00000000000000000000000000000001"
	authToken  = "0123456789abcdef0123456789abcdef"
	// baseURL is what the deployment believes its public address is: Twilio signs
	// against it, not against the test server's own address (as behind a proxy).
	baseURL = "https://maintain.example.co.uk"
)

// texting is an app whose texts go to a local fake of Twilio's API.
type texting struct {
	*testsupport.App
	fake *twiliofake.Server
}

func newTexting(t *testing.T, env map[string]string) *texting {
	t.Helper()
	fake := twiliofake.New(t, accountSID, authToken)
	vars := map[string]string{
		"SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": accountSID, "TWILIO_AUTH_TOKEN": authToken,
		"TWILIO_BASE_URL": fake.URL(), "BASE_URL": baseURL, "TWILIO_SMS_FROM": "+447700900999", "TWILIO_WHATSAPP_FROM": "+447700900888",
	}
	for k, v := range env {
		vars[k] = v
	}
	return &texting{App: testsupport.NewApp(t, vars), fake: fake}
}

// work runs the app's workers until the test ends.
func work(t *testing.T, app *testsupport.App) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Work(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// noQuietHours lets texts go at once whatever the time of the test run.
func noQuietHours(t *testing.T, e *testsupport.Estate) {
	t.Helper()
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"quietHours": map[string]string{"start": "00:00", "end": "00:00"}}).Expect(http.StatusOK)
}

func grant(t *testing.T, c *testsupport.Client, body map[string]any) messagingConsent {
	t.Helper()
	var out messagingConsent
	c.With(t).Post("/api/v1/consent/grant", body).Expect(http.StatusOK).Data(&out)
	return out
}

type messagingConsent struct {
	ContactPoint messaging.ContactPoint  `json:"contactPoint"`
	Record       messaging.ConsentRecord `json:"record"`
}

func send(t *testing.T, c *testsupport.Client, ticketID uuid.UUID, body map[string]any) messaging.Text {
	t.Helper()
	var out messaging.Text
	c.With(t).Post(testsupport.Path("/api/v1/tickets/%s/messages", ticketID), body).Expect(http.StatusCreated).Data(&out)
	return out
}

func texts(t *testing.T, c *testsupport.Client, ticketID uuid.UUID) []messaging.Text {
	t.Helper()
	return testsupport.All[messaging.Text](t, c, testsupport.Path("/api/v1/tickets/%s/messages", ticketID))
}

// waitFor polls a ticket's texts until ok holds for the one with id.
func waitFor(t *testing.T, c *testsupport.Client, ticketID, id uuid.UUID, ok func(messaging.Text) bool) messaging.Text {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, m := range texts(t, c, ticketID) {
			if m.ID == id && ok(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("text %s never reached the expected state: %+v", id, texts(t, c, ticketID))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sign is Twilio's signature, computed here from its documented definition (not with the
// SDK the service uses): base64 of HMAC-SHA1, keyed with the auth token, over the full
// URL followed by each form key and value in key order.
func sign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// webhook posts a form to one of Twilio's webhook paths (with its query), signed as
// Twilio would sign it for BASE_URL, or with the signature given.
func webhook(t *testing.T, app *testsupport.App, pathAndQuery string, form url.Values, signature *string) (int, string) {
	t.Helper()
	sig := sign(authToken, baseURL+pathAndQuery, form)
	if signature != nil {
		sig = *signature
	}
	req, err := http.NewRequest(http.MethodPost, app.Server.URL+pathAndQuery, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// inbound sends a text from a number to the service, as Twilio's inbound webhook.
func inbound(t *testing.T, app *testsupport.App, query, from, body string) string {
	t.Helper()
	form := url.Values{"MessageSid": {"SM" + strings.ReplaceAll(uuid.NewString(), "-", "")}, "AccountSid": {accountSID},
		"From": {from}, "To": {"+447700900999"}, "Body": {body}, "NumMedia": {"0"}}
	if strings.HasPrefix(from, "whatsapp:") {
		form.Set("To", "whatsapp:+447700900888")
	}
	status, reply := webhook(t, app, messaging.InboundPath+query, form, nil)
	if status != http.StatusOK {
		t.Fatalf("inbound answered %d: %s", status, reply)
	}
	return reply
}

func ptr[T any](v T) *T { return &v }
