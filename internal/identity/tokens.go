package identity

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
)

const (
	tokenIssuer   = "maintainuk"
	tokenAudience = "maintainuk-api"
	accessType    = "access"
)

// AccessClaims are the claims of an access token. The role is informative: each request
// re-reads the membership, so a role change or removal applies at the next request.
type AccessClaims struct {
	jwt.RegisteredClaims
	OrgID string      `json:"org"`
	Role  access.Role `json:"role"`
	Type  string      `json:"typ"`
}

// Signer issues and verifies HS256 access tokens with a key derived from APP_SECRET.
type Signer struct {
	key []byte
	ttl time.Duration
	now func() time.Time
	// parser and keyFunc are built once: every authenticated request verifies a token,
	// and building them per call cost 5 of Verify's 70 allocations.
	parser  *jwt.Parser
	keyFunc jwt.Keyfunc
}

// NewSigner derives the signing key from the application secret with HKDF, so the raw
// secret can serve other purposes (CSRF, webhooks) without key reuse.
func NewSigner(appSecret string, ttl time.Duration, now func() time.Time) (*Signer, error) {
	key, err := hkdf.Key(sha256.New, []byte(appSecret), nil, "maintainuk access token v1", 32)
	if err != nil {
		return nil, fmt.Errorf("identity: derive key: %w", err)
	}
	s := &Signer{key: key, ttl: ttl, now: now}
	verificationKey := any(key)
	s.keyFunc = func(*jwt.Token) (any, error) { return verificationKey, nil }
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(tokenAudience),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return s.now() }),
	)
	return s, nil
}

// TTL is the lifetime of an access token.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Issue returns a signed access token for a membership.
func (s *Signer) Issue(userID, orgID uuid.UUID, role access.Role) (string, error) {
	now := s.now()
	claims := AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   userID.String(),
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
			ID:        uuid.NewString(),
		},
		OrgID: orgID.String(),
		Role:  role,
		Type:  accessType,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.key)
}

// Verify checks signature (HS256 only: `alg` is pinned, so `none` and algorithm swaps
// fail), expiry, audience, issuer and token type, and returns the user and org ids. It is
// safe for concurrent use: a jwt.Parser holds only its options.
func (s *Signer) Verify(token string) (userID, orgID uuid.UUID, err error) {
	var claims AccessClaims
	_, err = s.parser.ParseWithClaims(token, &claims, s.keyFunc)
	if err != nil {
		return uuid.Nil, uuid.Nil, fmt.Errorf("identity: access token: %w", err)
	}
	if claims.Type != accessType {
		return uuid.Nil, uuid.Nil, errors.New("identity: not an access token")
	}
	if userID, err = uuid.Parse(claims.Subject); err != nil {
		return uuid.Nil, uuid.Nil, errors.New("identity: bad subject")
	}
	if orgID, err = uuid.Parse(claims.OrgID); err != nil {
		return uuid.Nil, uuid.Nil, errors.New("identity: bad org")
	}
	return userID, orgID, nil
}

// Opaque tokens (refresh tokens, invitations) are "<prefix>_" + base64url(org id ‖ 32
// random bytes). The org id lets the server open a transaction scoped to that organisation
// before looking the token up, so even this lookup runs under row-level security. Only the
// SHA-256 of the whole token is stored; a forged org id simply finds nothing.
const (
	refreshPrefix    = "mrt"
	invitationPrefix = "minv"
	secretLen        = 32
)

func newOpaqueToken(prefix string, orgID uuid.UUID) (token string, hash []byte, err error) {
	buf := make([]byte, 16+secretLen)
	copy(buf, orgID[:])
	if _, err := rand.Read(buf[16:]); err != nil {
		return "", nil, fmt.Errorf("identity: random: %w", err)
	}
	token = prefix + "_" + base64.RawURLEncoding.EncodeToString(buf)
	return token, hashToken(token), nil
}

// parseOpaqueToken returns the org id a token claims and the token's hash.
func parseOpaqueToken(prefix, token string) (orgID uuid.UUID, hash []byte, ok bool) {
	rest, found := strings.CutPrefix(token, prefix+"_")
	if !found {
		return uuid.Nil, nil, false
	}
	buf, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(buf) != 16+secretLen {
		return uuid.Nil, nil, false
	}
	copy(orgID[:], buf[:16])
	return orgID, hashToken(token), true
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
