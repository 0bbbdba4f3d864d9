package stripe

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzVerifyWebhook: whatever the payload, Stripe-Signature header and secret, the check
// never panics and accepts only a header holding the payload's v1 signature under the
// secret, at a time within the tolerance; an event signed correctly (sign, in
// webhook_test.go, Stripe's documented scheme) within the tolerance is accepted. make
// test runs it briefly.
func FuzzVerifyWebhook(f *testing.F) {
	payload := `{"id":"evt_1","object":"event","type":"invoice.paid","created":1764720000,"data":{"object":{"id":"in_1"}}}`
	f.Add([]byte(payload), "t=1764734400,v1=00ff", "whsec_test_secret", int64(0))
	f.Add([]byte(`not json`), "", "", int64(-400))
	f.Add([]byte(payload), "t=yesterday,v1=,v1", "whsec_x", int64(301))
	f.Add([]byte(`{"id":"evt_\u0000"}`), "v1=abc,t=1", "s", int64(-1))
	now := time.Date(2026, 12, 3, 4, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, header, secret string, skew int64) {
		at := now.Add(time.Duration(skew%1000) * time.Second)
		good := sign(body, secret, at)
		if _, err := VerifyWebhook(body, header, secret, 5*time.Minute, now); err == nil {
			if header == "" || !containsSig(header, good) {
				t.Fatalf("accepted header %q for %q", header, body)
			}
		}
		_, err := VerifyWebhook(body, fmt.Sprintf("t=%d,v1=%s", at.Unix(), good), secret, 5*time.Minute, now)
		if inTolerance := skew%1000 >= -300 && skew%1000 <= 300; err == nil && !inTolerance {
			t.Fatalf("accepted a signature %ds from now", skew%1000)
		} else if err != nil && inTolerance && string(body) == payload && secret != "" {
			t.Fatalf("refused a correct signature: %v", err)
		}
	})
}

func containsSig(header, sig string) bool { return strings.Contains(header, "v1="+sig) }
