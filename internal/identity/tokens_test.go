package identity

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
)

const testSecret = "test-secret-that-is-at-least-32-characters-long"

// t0 is whole seconds: JWT times are, so boundaries are exact.
var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

func newTestSigner(t *testing.T, secret string, now func() time.Time) *Signer {
	t.Helper()
	s, err := NewSigner(secret, 15*time.Minute, now)
	if err != nil {
		t.Fatalf("NewSigner: %v", err)
	}
	return s
}

// validClaims are the claims Issue puts in a token at t0, as a map a case can change.
func validClaims(userID, orgID uuid.UUID) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": tokenIssuer, "sub": userID.String(), "aud": []string{tokenAudience},
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(15 * time.Minute).Unix(), "jti": uuid.NewString(),
		"org": orgID.String(), "role": string(access.Admin), "typ": accessType,
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return tok
}

// unsigned builds an `alg: none` token by hand (the library refuses to without a magic key).
func unsigned(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	enc := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + "."
}

// flip changes the character at i to another valid base64url character.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestSignerIssueVerify(t *testing.T) {
	t.Parallel()
	s := newTestSigner(t, testSecret, fixedClock(t0))
	userID, orgID := uuid.New(), uuid.New()
	tok, err := s.Issue(userID, orgID, access.Coordinator)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	gotUser, gotOrg, err := s.Verify(tok)
	if err != nil {
		t.Fatalf("Verify(own token): %v", err)
	}
	if gotUser != userID || gotOrg != orgID {
		t.Fatalf("Verify = %s, %s; want %s, %s", gotUser, gotOrg, userID, orgID)
	}
	if s.TTL() != 15*time.Minute {
		t.Fatalf("TTL = %s", s.TTL())
	}

	// The claims are the documented ones, with HS256 in the header.
	parser := jwt.NewParser()
	var claims AccessClaims
	parsed, _, err := parser.ParseUnverified(tok, &claims)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Method.Alg() != "HS256" || claims.Issuer != tokenIssuer || claims.Subject != userID.String() ||
		claims.OrgID != orgID.String() || claims.Role != access.Coordinator || claims.Type != accessType ||
		len(claims.Audience) != 1 || claims.Audience[0] != tokenAudience || claims.ID == "" ||
		!claims.ExpiresAt.Time.Equal(t0.Add(15*time.Minute)) || !claims.IssuedAt.Time.Equal(t0) {
		t.Fatalf("unexpected token %s / claims %+v", parsed.Method.Alg(), claims)
	}

	// Two tokens for the same membership differ (jti), so one can be told from another.
	again, err := s.Issue(userID, orgID, access.Coordinator)
	if err != nil || again == tok {
		t.Fatalf("second Issue = %q, %v; want a different token", again, err)
	}
}

func TestSignerExpiryBoundary(t *testing.T) {
	t.Parallel()
	issuer := newTestSigner(t, testSecret, fixedClock(t0))
	tok, err := issuer.Issue(uuid.New(), uuid.New(), access.Admin)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"at issue", t0, true},
		{"a second before expiry", t0.Add(15*time.Minute - time.Second), true},
		{"at expiry", t0.Add(15 * time.Minute), false},
		{"long after", t0.Add(24 * time.Hour), false},
		{"before issue (clock skew)", t0.Add(-time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			verifier := newTestSigner(t, testSecret, fixedClock(tt.at))
			_, _, err := verifier.Verify(tok)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify at %s: err = %v, want ok=%v", tt.at, err, tt.ok)
			}
		})
	}
}

func TestSignerVerifyRejects(t *testing.T) {
	t.Parallel()
	s := newTestSigner(t, testSecret, fixedClock(t0))
	other := newTestSigner(t, "another-secret-that-is-at-least-32-characters", fixedClock(t0))
	userID, orgID := uuid.New(), uuid.New()
	good, err := s.Issue(userID, orgID, access.Admin)
	if err != nil {
		t.Fatal(err)
	}
	header, payload, sig := func() (string, string, string) {
		p := strings.Split(good, ".")
		return p[0], p[1], p[2]
	}()
	with := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims(userID, orgID)
		mod(c)
		return c
	}
	forgedPayload := func() string {
		c := validClaims(userID, uuid.New()) // same user, someone else's org
		raw, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(raw)
	}()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		// Controls: the hand-built tokens below differ from these in one way only.
		{"issued token", good, true},
		{"hand-built valid token", sign(t, jwt.SigningMethodHS256, s.key, validClaims(userID, orgID)), true},
		{"audience list with ours among others", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["aud"] = []string{"elsewhere", tokenAudience} })), true},

		{"empty", "", false},
		{"garbage", "not-a-jwt", false},
		{"two segments", header + "." + payload, false},
		{"tampered signature", header + "." + payload + "." + flip(sig, 0), false},
		{"signature removed", header + "." + payload + ".", false},
		{"tampered payload", header + "." + forgedPayload + "." + sig, false},
		{"signed with another secret", func() string {
			tok, err := other.Issue(userID, orgID, access.Admin)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}(), false},
		{"signed with the raw app secret", sign(t, jwt.SigningMethodHS256, []byte(testSecret), validClaims(userID, orgID)), false},
		{"expired", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["exp"] = t0.Add(-time.Second).Unix() })), false},
		{"no expiry", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "exp") })), false},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["nbf"] = t0.Add(time.Minute).Unix() })), false},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["iat"] = t0.Add(time.Minute).Unix() })), false},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["aud"] = []string{"maintainuk-web"} })), false},
		{"no audience", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "aud") })), false},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["iss"] = "someone-else" })), false},
		{"no issuer", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "iss") })), false},
		{"wrong typ", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["typ"] = "refresh" })), false},
		{"no typ", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "typ") })), false},
		{"subject not a uuid", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["sub"] = "admin" })), false},
		{"no subject", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "sub") })), false},
		{"org not a uuid", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { c["org"] = "acme" })), false},
		{"no org", sign(t, jwt.SigningMethodHS256, s.key, with(func(c jwt.MapClaims) { delete(c, "org") })), false},
		{"alg none", unsigned(t, validClaims(userID, orgID)), false},
		{"alg none with the real signature", func() string {
			p := strings.Split(unsigned(t, validClaims(userID, orgID)), ".")
			return p[0] + "." + p[1] + "." + sig
		}(), false},
		{"HS384 with the right key", sign(t, jwt.SigningMethodHS384, s.key, validClaims(userID, orgID)), false},
		{"HS512 with the right key", sign(t, jwt.SigningMethodHS512, s.key, validClaims(userID, orgID)), false},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, validClaims(userID, orgID)), false},
		{"refresh token", func() string {
			tok, _, err := newOpaqueToken(refreshPrefix, orgID)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gotUser, gotOrg, err := s.Verify(tt.token)
			if tt.ok {
				if err != nil || gotUser != userID || gotOrg != orgID {
					t.Fatalf("Verify = %s, %s, %v; want %s, %s", gotUser, gotOrg, err, userID, orgID)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted %q", tt.token)
			}
			if gotUser != uuid.Nil || gotOrg != uuid.Nil {
				t.Fatalf("Verify returned ids %s, %s with an error", gotUser, gotOrg)
			}
		})
	}
}

// The signing key is derived from the secret, not the secret itself, and depends on it.
func TestSignerKeyDerivation(t *testing.T) {
	t.Parallel()
	a := newTestSigner(t, testSecret, fixedClock(t0))
	b := newTestSigner(t, testSecret, fixedClock(t0))
	c := newTestSigner(t, testSecret+"!", fixedClock(t0))
	if !bytes.Equal(a.key, b.key) {
		t.Fatal("one secret derived two keys")
	}
	if bytes.Equal(a.key, c.key) {
		t.Fatal("two secrets derived one key")
	}
	if len(a.key) != 32 || bytes.Contains([]byte(testSecret), a.key) {
		t.Fatalf("key %x is not a 32-byte derived key", a.key)
	}
}

func TestOpaqueTokenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{refreshPrefix, invitationPrefix} {
		orgID := uuid.New()
		tok, hash, err := newOpaqueToken(prefix, orgID)
		if err != nil {
			t.Fatalf("newOpaqueToken(%s): %v", prefix, err)
		}
		if !strings.HasPrefix(tok, prefix+"_") || len(tok) != len(prefix)+1+64 {
			t.Fatalf("token %q: want %s_ and 64 base64url characters (48 bytes)", tok, prefix)
		}
		if sum := sha256.Sum256([]byte(tok)); !bytes.Equal(hash, sum[:]) {
			t.Fatalf("hash is not SHA-256 of the token")
		}
		gotOrg, gotHash, ok := parseOpaqueToken(prefix, tok)
		if !ok || gotOrg != orgID || !bytes.Equal(gotHash, hash) {
			t.Fatalf("parseOpaqueToken(%s, %q) = %s, %x, %v; want %s, %x, true", prefix, tok, gotOrg, gotHash, ok, orgID, hash)
		}

		// 256 random bits: a second token for the same org shares only the org part.
		tok2, hash2, err := newOpaqueToken(prefix, orgID)
		if err != nil {
			t.Fatal(err)
		}
		if tok2 == tok || bytes.Equal(hash2, hash) {
			t.Fatalf("two tokens are equal: %s", tok)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, prefix+"_"))
		raw2, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok2, prefix+"_"))
		if !bytes.Equal(raw[:16], orgID[:]) || !bytes.Equal(raw2[:16], orgID[:]) || bytes.Equal(raw[16:], raw2[16:]) {
			t.Fatalf("token layout is not org id ‖ random secret")
		}
	}
}

// A forged org id parses (the server then finds nothing in that org) but changes the hash,
// so it can never match the stored token.
func TestOpaqueTokenForgedOrg(t *testing.T) {
	t.Parallel()
	orgID, otherOrg := uuid.New(), uuid.New()
	tok, hash, err := newOpaqueToken(refreshPrefix, orgID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, refreshPrefix+"_"))
	copy(raw, otherOrg[:])
	forged := refreshPrefix + "_" + base64.RawURLEncoding.EncodeToString(raw)
	gotOrg, gotHash, ok := parseOpaqueToken(refreshPrefix, forged)
	if !ok || gotOrg != otherOrg || bytes.Equal(gotHash, hash) {
		t.Fatalf("parse(forged) = %s, %x, %v", gotOrg, gotHash, ok)
	}

	// The base64 decoder skips CR and LF, so a token with a line break still parses, but
	// the hash covers the token as sent: it cannot stand in for the real one.
	if gotOrg, gotHash, ok := parseOpaqueToken(refreshPrefix, tok+"\r\n"); ok && (gotOrg != orgID || bytes.Equal(gotHash, hash)) {
		t.Fatalf("parse(token+CRLF) = %s, %x: matches the real token's hash", gotOrg, gotHash)
	}
}

func TestOpaqueTokenMalformed(t *testing.T) {
	t.Parallel()
	orgID := uuid.New()
	refresh, _, err := newOpaqueToken(refreshPrefix, orgID)
	if err != nil {
		t.Fatal(err)
	}
	invitation, _, err := newOpaqueToken(invitationPrefix, orgID)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(refresh, refreshPrefix+"_")
	enc := func(n int) string { return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, n)) }
	tests := []struct {
		name, prefix, token string
	}{
		{"empty", refreshPrefix, ""},
		{"prefix only", refreshPrefix, "mrt"},
		{"prefix and separator only", refreshPrefix, "mrt_"},
		{"no separator", refreshPrefix, "mrt" + body},
		{"wrong separator", refreshPrefix, "mrt-" + body},
		{"upper-case prefix", refreshPrefix, "MRT_" + body},
		{"leading space", refreshPrefix, " " + refresh},
		{"invitation as refresh", refreshPrefix, invitation},
		{"refresh as invitation", invitationPrefix, refresh},
		{"no prefix", refreshPrefix, body},
		{"one byte short", refreshPrefix, "mrt_" + enc(47)},
		{"one byte long", refreshPrefix, "mrt_" + enc(49)},
		{"org id only", refreshPrefix, "mrt_" + enc(16)},
		{"one character short", refreshPrefix, refresh[:len(refresh)-1]},
		{"padded", refreshPrefix, refresh + "=="},
		{"standard base64 alphabet", refreshPrefix, "mrt_" + strings.Repeat("+/", 32)},
		{"not base64", refreshPrefix, "mrt_" + strings.Repeat("!", 64)},
		{"a JWT", refreshPrefix, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gotOrg, hash, ok := parseOpaqueToken(tt.prefix, tt.token)
			if ok || gotOrg != uuid.Nil || hash != nil {
				t.Fatalf("parseOpaqueToken(%s, %q) = %s, %x, %v; want rejection", tt.prefix, tt.token, gotOrg, hash, ok)
			}
		})
	}
}
