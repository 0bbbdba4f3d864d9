package stripe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v84/webhook"
)

// sign is Stripe's scheme written out here rather than taken from the SDK, so that the test
// checks the SDK against the documented scheme: v1 is hex HMAC-SHA256 of "timestamp.payload".
func sign(payload []byte, secret string, at time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", at.Unix(), payload)
	return hex.EncodeToString(mac.Sum(nil))
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	const secret = "whsec_test_secret"
	payload := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","api_version":"2020-08-27","created":1764720000,"data":{"object":{"id":"in_1","object":"invoice"}}}`)
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	header := func(at time.Time, sigs ...string) string {
		h := fmt.Sprintf("t=%d", at.Unix())
		for _, s := range sigs {
			h += ",v1=" + s
		}
		return h
	}
	tampered := []byte(string(payload[:len(payload)-2]) + `,"amount_paid":1}}`)
	cases := []struct {
		name    string
		body    []byte
		header  string
		wantErr error
	}{
		{"valid", payload, header(now, sign(payload, secret, now)), nil},
		{"valid, signed a little before now", payload, header(now.Add(-4*time.Minute), sign(payload, secret, now.Add(-4*time.Minute))), nil},
		{"several signatures, one right (a secret being rolled)", payload,
			header(now, sign(payload, "whsec_old", now), sign(payload, secret, now), "00ff"), nil},
		{"wrong secret", payload, header(now, sign(payload, "whsec_other", now)), webhook.ErrNoValidSignature},
		{"tampered body", tampered, header(now, sign(payload, secret, now)), webhook.ErrNoValidSignature},
		{"signed over another timestamp", payload, header(now, sign(payload, secret, now.Add(-time.Second))), webhook.ErrNoValidSignature},
		{"too old", payload, header(now.Add(-6*time.Minute), sign(payload, secret, now.Add(-6*time.Minute))), ErrOutsideTolerance},
		{"from the future", payload, header(now.Add(6*time.Minute), sign(payload, secret, now.Add(6*time.Minute))), ErrOutsideTolerance},
		{"missing header", payload, "", webhook.ErrNotSigned},
		{"no v1 signature", payload, fmt.Sprintf("t=%d,v0=%s", now.Unix(), sign(payload, secret, now)), webhook.ErrNoValidSignature},
		{"garbled header", payload, "t=yesterday,v1=" + sign(payload, secret, now), webhook.ErrInvalidHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ev, err := VerifyWebhook(c.body, c.header, secret, 5*time.Minute, now)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if c.wantErr == nil && (ev.ID != "evt_1" || ev.Type != "invoice.paid") {
				t.Fatalf("event = %s %s", ev.ID, ev.Type)
			}
		})
	}
}

// A tolerance that is not positive is Stripe's default of five minutes, not "any age".
func TestVerifyWebhook_defaultTolerance(t *testing.T) {
	t.Parallel()
	const secret = "whsec_test_secret"
	payload := []byte(`{"id":"evt_2","object":"event","type":"invoice.paid"}`)
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		age  time.Duration
		want error
	}{{4 * time.Minute, nil}, {6 * time.Minute, ErrOutsideTolerance}} {
		at := now.Add(-c.age)
		h := fmt.Sprintf("t=%d,v1=%s", at.Unix(), sign(payload, secret, at))
		if _, err := VerifyWebhook(payload, h, secret, 0, now); !errors.Is(err, c.want) {
			t.Errorf("signed %v ago: err = %v, want %v", c.age, err, c.want)
		}
	}
}
