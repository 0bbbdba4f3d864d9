package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
	"testing"

	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
)

// sign is Twilio's signature written out from its documentation, independently of the
// SDK: HMAC-SHA1 keyed with the auth token over the URL followed by each form key and
// its value, keys sorted, base64-encoded.
func sign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	data := fullURL
	for _, k := range keys {
		data += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestValidSignature(t *testing.T) {
	const (
		token  = "0123456789abcdef0123456789abcdef"
		signed = "https://app.example.co.uk/webhooks/twilio/status?org=42"
	)
	form := url.Values{
		"MessageSid":    {"SM0123456789abcdef0123456789abcdef"},
		"MessageStatus": {"delivered"},
		"To":            {"whatsapp:+447700900123"},
		"Body":          {"Hello & goodbye +44"},
	}
	good := sign(token, signed, form)
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range form {
			f[key] = append([]string(nil), vs...)
		}
		f.Set(k, v)
		return f
	}

	// Twilio's own example, with the signature the SDK's tests publish for it.
	docURL := "https://mycompany.com/myapp.php?foo=1&bar=2"
	docForm := url.Values{
		"Digits": {"1234"}, "CallSid": {"CA1234567890ABCDE"}, "To": {"+18005551212"},
		"Caller": {"+14158675309"}, "From": {"+14158675309"},
		"ReasonConferenceEnded": {"test"}, "Reason": {"Participant"},
	}
	const docSignature = "vOEb5UThFn24KEfnOFLQY2AE5FY="

	if got := sign("12345", docURL, docForm); got != docSignature {
		t.Fatalf("sign gives %s for Twilio's example, Twilio publishes %s", got, docSignature)
	}

	tests := []struct {
		name      string
		token     string
		url       string
		form      url.Values
		signature string
		want      bool
	}{
		{"valid", token, signed, form, good, true},
		{"Twilio's example", "12345", docURL, docForm, docSignature, true},
		{"only the first value of a key is signed", token, signed, func() url.Values { f := with("Body", "Hello & goodbye +44"); f.Add("Body", "extra"); return f }(), good, true},
		{"wrong token", "fedcba9876543210fedcba9876543210", signed, form, good, false},
		{"empty token", "", signed, form, good, false},
		{"tampered parameter", token, signed, with("MessageStatus", "failed"), good, false},
		{"extra parameter", token, signed, with("ErrorCode", "30003"), good, false},
		{"missing parameter", token, signed, func() url.Values { f := with("Body", ""); f.Del("Body"); return f }(), good, false},
		{"http instead of https", token, "http://app.example.co.uk/webhooks/twilio/status?org=42", form, good, false},
		{"different host", token, "https://evil.example.com/webhooks/twilio/status?org=42", form, good, false},
		{"different path", token, "https://app.example.co.uk/webhooks/twilio/inbound?org=42", form, good, false},
		{"missing query", token, "https://app.example.co.uk/webhooks/twilio/status", form, good, false},
		{"empty signature", token, signed, form, "", false},
		{"garbage signature", token, signed, form, "not base64 at all", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := twilio.ValidSignature(tt.token, tt.url, tt.form, tt.signature); got != tt.want {
				t.Errorf("ValidSignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPublicURL(t *testing.T) {
	tests := []struct {
		name, base, path, query, want string
	}{
		{"plain", "https://app.example.co.uk", "/webhooks/twilio/status", "", "https://app.example.co.uk/webhooks/twilio/status"},
		{"trailing slash", "https://app.example.co.uk/", "/webhooks/twilio/status", "", "https://app.example.co.uk/webhooks/twilio/status"},
		{"query", "https://app.example.co.uk", "/webhooks/twilio/status", "org=42&x=%2B1", "https://app.example.co.uk/webhooks/twilio/status?org=42&x=%2B1"},
		{"base with a path", "https://example.co.uk/maintain/", "/webhooks/twilio/inbound", "", "https://example.co.uk/maintain/webhooks/twilio/inbound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := twilio.PublicURL(tt.base, tt.path, tt.query); got != tt.want {
				t.Errorf("PublicURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPublicURLBehindProxy shows the point of PublicURL: the URL Twilio signed is
// rebuilt from configuration, so the signature holds whatever Host the proxy forwarded.
func TestPublicURLBehindProxy(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	form := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"sent"}}
	sig := sign(token, "https://app.example.co.uk/webhooks/twilio/status", form)
	// What the application sees behind a TLS-terminating proxy.
	seen := "http://10.0.0.5:8080/webhooks/twilio/status"
	if twilio.ValidSignature(token, seen, form, sig) {
		t.Error("the proxied URL validated; the test no longer shows anything")
	}
	if !twilio.ValidSignature(token, twilio.PublicURL("https://app.example.co.uk/", "/webhooks/twilio/status", ""), form, sig) {
		t.Error("the public URL did not validate")
	}
}
