package twilio_test

import (
	"net/url"
	"testing"

	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
)

// FuzzValidSignature: whatever the token, form and signature header, the check never
// panics; a signature made by Twilio's documented scheme (sign, in signature_test.go)
// is accepted, and it is refused with another token, another value or another
// signature. make test runs it briefly.
func FuzzValidSignature(f *testing.F) {
	f.Add("12345", "MessageStatus", "delivered", "", "/webhooks/twilio/status")
	f.Add("t", "Body", "'; DROP TABLE messages; --\x00\u202e", "bm9wZQ==", "/webhooks/twilio/inbound?x=1")
	f.Add("", "", "", "garbage", "")
	f.Fuzz(func(t *testing.T, token, key, value, header, path string) {
		form := url.Values{key: {value}}
		fullURL := twilio.PublicURL("https://hooks.example.co.uk", "/"+url.PathEscape(path), "")
		ok := twilio.ValidSignature(token, fullURL, form, header) // any input: no panic
		if token == "" {
			if ok {
				t.Fatal("accepted without an auth token")
			}
			return
		}
		good := sign(token, fullURL, form)
		if ok && header != good {
			t.Fatalf("accepted %q, want only %q", header, good)
		}
		if !twilio.ValidSignature(token, fullURL, form, good) {
			t.Fatalf("refused a correct signature for %q", fullURL)
		}
		if twilio.ValidSignature(token+"x", fullURL, form, good) {
			t.Fatal("accepted with another token")
		}
		if twilio.ValidSignature(token, fullURL, url.Values{key: {value + "x"}}, good) {
			t.Fatal("accepted with another value")
		}
	})
}
