package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func from(ip string) []string { return []string{"X-Forwarded-For", ip} }

// Login limits count failures per (account, client) and per client, never successes, so
// an attacker cannot lock the owner out and an office logging in all at once is not
// refused (docs/security.md). Each subtest uses its own accounts and addresses.
func TestAuthLoginFailureLimits(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{
		"LOGIN_RATE_LIMIT": "3", "LOGIN_FAILURES_PER_CLIENT": "5", "TRUSTED_PROXIES": "127.0.0.1",
	})
	for _, name := range []string{"ada", "bob", "cat", "dan", "eve", "fay", "gus"} {
		register(app, "Org of "+name, name, name+"@example.com", testsupport.Password, from("10.9.9.9")...).Expect(http.StatusCreated)
	}

	t.Run("successes are never counted", func(t *testing.T) {
		for i := range 12 {
			if r := login(app, "ada@example.com", testsupport.Password, from("198.51.100.10")...); r.Status != http.StatusOK {
				t.Fatalf("successful login %d from one office answered %d: %s", i+1, r.Status, r.Body)
			}
		}
	})

	t.Run("an attacker's failures do not lock the owner out", func(t *testing.T) {
		for i := range 3 {
			testsupport.ExpectFailure(t, login(app, "bob@example.com", fmt.Sprintf("guess-number-%d", i), from("203.0.113.66")...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		// The attacker's client is refused, even with the right password …
		r := login(app, "bob@example.com", testsupport.Password, from("203.0.113.66")...)
		testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
		expectRetryAfter(t, r)
		// … and the owner, from anywhere else, is not.
		wantStatus(t, login(app, "bob@example.com", testsupport.Password, from("198.51.100.20")...), http.StatusOK)
	})

	t.Run("a correct password clears that client's failures", func(t *testing.T) {
		for range 2 {
			testsupport.ExpectFailure(t, login(app, "cat@example.com", "typo-password", from("198.51.100.30")...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		wantStatus(t, login(app, "cat@example.com", testsupport.Password, from("198.51.100.30")...), http.StatusOK)
		for range 2 {
			testsupport.ExpectFailure(t, login(app, "cat@example.com", "typo-password", from("198.51.100.30")...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		wantStatus(t, login(app, "cat@example.com", testsupport.Password, from("198.51.100.30")...), http.StatusOK)
	})

	t.Run("a client failing across many accounts is refused", func(t *testing.T) {
		for i := range 5 {
			testsupport.ExpectFailure(t, login(app, fmt.Sprintf("nobody%d@example.com", i), "wrong-password", from("192.0.2.1")...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		r := login(app, "dan@example.com", testsupport.Password, from("192.0.2.1")...)
		testsupport.ExpectFailure(t, r, http.StatusTooManyRequests, apperr.RateLimited)
		expectRetryAfter(t, r)
		wantStatus(t, login(app, "dan@example.com", testsupport.Password, from("192.0.2.2")...), http.StatusOK)
	})

	t.Run("IPv6 clients are grouped by /64", func(t *testing.T) {
		for i := range 3 {
			testsupport.ExpectFailure(t, login(app, "eve@example.com", "wrong-password", from(fmt.Sprintf("2001:db8:1:2::%x", i+1))...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		testsupport.ExpectFailure(t, login(app, "eve@example.com", testsupport.Password, from("2001:db8:1:2:ffff::1")...), http.StatusTooManyRequests, apperr.RateLimited)
		wantStatus(t, login(app, "eve@example.com", testsupport.Password, from("2001:db8:1:3::1")...), http.StatusOK)
	})

	t.Run("the account is spelt many ways but counted once", func(t *testing.T) {
		for _, spelling := range []string{"fay@example.com", "FAY@example.com", " fay@EXAMPLE.com "} {
			testsupport.ExpectFailure(t, login(app, spelling, "wrong-password", from("198.51.100.60")...), http.StatusUnauthorized, apperr.Unauthenticated)
		}
		testsupport.ExpectFailure(t, login(app, "fay@example.com", testsupport.Password, from("198.51.100.60")...), http.StatusTooManyRequests, apperr.RateLimited)
	})
}

// From a peer not in TRUSTED_PROXIES a forged X-Forwarded-For does not make a new client.
func TestAuthLoginLimitIgnoresUntrustedForwardedFor(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{"LOGIN_RATE_LIMIT": "2"})
	register(app, "Acme", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated)
	for range 2 {
		login(app, "ada@example.com", "wrong-password").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	}
	login(app, "ada@example.com", testsupport.Password, "X-Forwarded-For", "203.0.113.9").ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
}

// Registration is refused for a client whose registrations keep failing (probing which
// addresses have accounts), before any hashing; successful ones are not counted.
func TestAuthRegisterFailureLimit(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, map[string]string{
		"LOGIN_RATE_LIMIT": "3", "LOGIN_FAILURES_PER_CLIENT": "4", "TRUSTED_PROXIES": "127.0.0.1",
	})
	for i := range 8 {
		register(app, fmt.Sprintf("Org %d", i), "Person", fmt.Sprintf("person%d@example.com", i), testsupport.Password, from("198.51.100.1")...).
			Expect(http.StatusCreated)
	}
	for i := range 4 { // 409: probing for existing accounts
		register(app, "Probe", "Probe", fmt.Sprintf("person%d@example.com", i), testsupport.Password, from("203.0.113.5")...).
			ExpectFailure(http.StatusConflict, apperr.Conflict)
	}
	r := register(app, "Real Org", "Real", "real@example.com", testsupport.Password, from("203.0.113.5")...)
	r.ExpectFailure(http.StatusTooManyRequests, apperr.RateLimited)
	expectRetryAfter(t, r)
	// Nothing was created for the refused request; from elsewhere the same one succeeds.
	login(app, "real@example.com", testsupport.Password, from("198.51.100.2")...).ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
	register(app, "Real Org", "Real", "real@example.com", testsupport.Password, from("198.51.100.2")...).Expect(http.StatusCreated)
}

// A flood of registrations and logins cannot grow memory without bound: password hashing
// (19 MiB each) is limited to PASSWORD_HASH_MEMORY_MIB at once, and requests beyond what
// can wait their turn answer 503 with Retry-After (docs/security.md). Not parallel: it
// reads the process's heap, which other tests would disturb.
func TestAuthHashingMemoryIsBounded(t *testing.T) {
	const budgetMiB = 38 // two hashes at once
	app := testsupport.NewApp(t, map[string]string{
		"PASSWORD_HASH_MEMORY_MIB": fmt.Sprint(budgetMiB), "PASSWORD_HASH_WAIT": "300ms",
	})
	register(app, "Acme", "Ada", "ada@example.com", testsupport.Password).Expect(http.StatusCreated)

	runtime.GC()
	baseline, baseLive := heapBytes(), liveHeapBytes()
	var peak, peakLive atomic.Uint64
	ctx, stop := context.WithCancel(context.Background())
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for ctx.Err() == nil {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			if h := liveHeapBytes(); h > peakLive.Load() {
				peakLive.Store(h)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()

	const n = 200
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var r *testsupport.Response
			if i%2 == 0 {
				r = register(app, fmt.Sprintf("Flood %d", i), "Flood", fmt.Sprintf("flood%d@example.com", i), testsupport.Password)
			} else {
				r = login(app, "ada@example.com", testsupport.Password)
			}
			statuses[i] = r.Status
			if r.Status == http.StatusServiceUnavailable || r.Status == http.StatusTooManyRequests {
				expectRetryAfter(t, r)
			}
		})
	}
	wg.Wait()
	stop()
	<-sampled

	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	for s := range counts {
		if s != http.StatusCreated && s != http.StatusOK && s != http.StatusServiceUnavailable {
			t.Errorf("answers by status %v: %d is not success or 503", counts, s)
		}
	}
	if counts[http.StatusCreated]+counts[http.StatusOK] == 0 {
		t.Errorf("answers by status %v: nothing got through", counts)
	}
	// Live memory (as the garbage collector last marked it) holds at most the budget's
	// worth of hashes beside the 200 requests themselves (about 25 MiB of goroutines,
	// buffers and database rows); without the gate it grows by well over 1 GiB.
	growth := int64(peakLive.Load()) - int64(baseLive)
	limit := int64(budgetMiB+48) << 20
	t.Logf("answers %v; live heap baseline %d MiB, peak growth %d MiB (limit %d MiB); all heap objects peak growth %d MiB",
		counts, baseLive>>20, growth>>20, limit>>20, (int64(peak.Load())-int64(baseline))>>20)
	if growth > limit {
		t.Errorf("live heap grew by %d MiB under the flood, more than %d MiB", growth>>20, limit>>20)
	}
}

// heapBytes is the memory occupied by heap objects, live or not yet swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func liveHeapBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
