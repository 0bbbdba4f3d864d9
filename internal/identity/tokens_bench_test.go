package identity

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
)

// BenchmarkSignerVerify measures what every authenticated request pays before its
// database round trip: Verify on a valid access token as Issue makes it (HS256 signature,
// expiry, audience, issuer, type, and both ids parsed). make bench-micro runs it.
func BenchmarkSignerVerify(b *testing.B) {
	s, err := NewSigner(testSecret, 15*time.Minute, fixedClock(t0))
	if err != nil {
		b.Fatal(err)
	}
	userID, orgID := uuid.New(), uuid.New()
	token, err := s.Issue(userID, orgID, access.Coordinator)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		gotUser, gotOrg, err := s.Verify(token)
		if err != nil || gotUser != userID || gotOrg != orgID {
			b.Fatalf("Verify = %v, %v, %v", gotUser, gotOrg, err)
		}
	}
}

// BenchmarkSignerIssue measures Issue, paid at every login and refresh.
func BenchmarkSignerIssue(b *testing.B) {
	s, err := NewSigner(testSecret, 15*time.Minute, fixedClock(t0))
	if err != nil {
		b.Fatal(err)
	}
	userID, orgID := uuid.New(), uuid.New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Issue(userID, orgID, access.Coordinator); err != nil {
			b.Fatal(err)
		}
	}
}
