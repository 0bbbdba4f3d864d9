package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

// FuzzSign: for any key, message id, timestamp and body, the webhook-signature header
// verifies under the Standard Webhooks scheme written out here from the specification
// (HMAC-SHA256 over "<id>.<timestamp>.<body>", base64, "v1," prefix), and no longer
// verifies when one byte of the body changes; a malformed secret is an error, never a
// panic. make test runs it briefly.
func FuzzSign(f *testing.F) {
	f.Add([]byte("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "msg_p5jXN8AQM9LWM0D4loKWxJek", int64(1614265330), []byte(`{"test": 2432232314}`), "whsec_not base64!")
	f.Add([]byte{0}, "", int64(-1), []byte{}, "")
	f.Add([]byte("k"), "msg.with.dots", int64(0), []byte("a.b.c\x00\u202e"), "whsec_")
	f.Fuzz(func(t *testing.T, key []byte, msgID string, ts int64, body []byte, rawSecret string) {
		if _, err := sign(rawSecret, msgID, ts, body); err != nil && err.Error() == "" {
			t.Fatal("empty error")
		}
		if len(key) == 0 {
			return
		}
		secret := secretPrefix + base64.StdEncoding.EncodeToString(key)
		got, err := sign(secret, msgID, ts, body)
		if err != nil {
			t.Fatalf("sign with a good secret: %v", err)
		}
		verify := func(body []byte) bool {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(msgID + "." + strconv.FormatInt(ts, 10) + "." + string(body)))
			version, value, ok := strings.Cut(got, ",")
			return ok && version == "v1" && hmac.Equal([]byte(value), []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))))
		}
		if !verify(body) {
			t.Fatalf("signature %q does not verify", got)
		}
		changed := append([]byte{}, body...)
		if len(changed) == 0 {
			changed = append(changed, 'x')
		} else {
			changed[len(changed)/2] ^= 1
		}
		if verify(changed) {
			t.Fatal("signature verifies a changed body")
		}
	})
}
