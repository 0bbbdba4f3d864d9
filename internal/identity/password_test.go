package identity

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	for _, password := range []string{"correct-horse-battery", "pässwörd-ünïcödé-🔑", ""} {
		hash, err := HashPassword(password)
		if err != nil {
			t.Fatalf("HashPassword(%q): %v", password, err)
		}
		prefix := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$", argon2.Version, argonMemoryKiB, argonTime, argonThreads)
		if !strings.HasPrefix(hash, prefix) {
			t.Fatalf("hash %q does not start with %q", hash, prefix)
		}
		if strings.Contains(hash, password) && password != "" {
			t.Fatalf("hash %q contains the password", hash)
		}
		ok, err := VerifyPassword(hash, password)
		if err != nil || !ok {
			t.Fatalf("VerifyPassword(own hash, %q) = %v, %v; want true, nil", password, ok, err)
		}
		for _, wrong := range []string{password + "x", strings.ToUpper(password) + "X", " " + password} {
			ok, err := VerifyPassword(hash, wrong)
			if err != nil || ok {
				t.Fatalf("VerifyPassword(hash of %q, %q) = %v, %v; want false, nil", password, wrong, ok, err)
			}
		}
	}
}

func TestPasswordHashesAreSalted(t *testing.T) {
	t.Parallel()
	a, err := HashPassword("correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword("correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
	saltOf := func(h string) string { return strings.Split(h, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Fatalf("two hashes share a salt: %s, %s", a, b)
	}
	salt, err := base64.RawStdEncoding.DecodeString(saltOf(a))
	if err != nil || len(salt) != argonSaltLen {
		t.Fatalf("salt %q decodes to %d bytes (%v), want %d", saltOf(a), len(salt), err, argonSaltLen)
	}
	for _, h := range []string{a, b} {
		if ok, err := VerifyPassword(h, "correct-horse-battery"); err != nil || !ok {
			t.Fatalf("VerifyPassword(%s) = %v, %v", h, ok, err)
		}
	}
}

// A hash made with other (older or newer) parameters still verifies: hashes carry them.
func TestPasswordVerifyUsesEncodedParameters(t *testing.T) {
	t.Parallel()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old-password-1"), salt, 1, 8*1024, 2, 24)
	b64 := base64.RawStdEncoding
	hash := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
	if ok, err := VerifyPassword(hash, "old-password-1"); err != nil || !ok {
		t.Fatalf("VerifyPassword(t=1,m=8192,p=2 hash) = %v, %v; want true", ok, err)
	}
	if ok, err := VerifyPassword(hash, "old-password-2"); err != nil || ok {
		t.Fatalf("VerifyPassword(wrong password) = %v, %v; want false", ok, err)
	}
}

// Malformed stored hashes are errors: never a panic, and never a match.
func TestPasswordVerifyMalformed(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("correct-horse-battery")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plain text", "correct-horse-battery"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i variant", with(1, "argon2i")},
		{"argon2d variant", with(1, "argon2d")},
		{"upper-case variant", with(1, "ARGON2ID")},
		{"old version", with(2, "v=16")},
		{"version not a number", with(2, "v=x")},
		{"missing version", with(2, "")},
		{"parameters not numbers", with(3, "m=a,t=b,p=c")},
		{"missing parameters", with(3, "")},
		{"parallelism overflows", with(3, "m=19456,t=2,p=256")},
		{"negative memory", with(3, "m=-1,t=2,p=1")},
		{"zero passes", with(3, "m=19456,t=0,p=1")},
		{"zero parallelism", with(3, "m=19456,t=2,p=0")},
		{"salt not base64", with(4, "!!!!")},
		{"salt padded", with(4, parts[4]+"==")},
		{"empty salt", with(4, "")},
		{"key not base64", with(5, "****")},
		{"empty key", with(5, "")},
		{"truncated key", with(5, parts[5][:4])},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$extra"},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("VerifyPassword(%q) panicked: %v", tt.hash, p)
				}
			}()
			ok, err := VerifyPassword(tt.hash, "correct-horse-battery")
			if ok || err == nil {
				t.Fatalf("VerifyPassword(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
		})
	}
}
