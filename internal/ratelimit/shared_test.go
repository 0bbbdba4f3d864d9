package ratelimit_test

import (
	"sync"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/ratelimit"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestShared: two counters of one scope on one database (two replicas) count one limit
// together, concurrently and exactly; another scope or key counts apart; a window ends
// on the clock, and the sweeper deletes only ended windows.
func TestShared(t *testing.T) {
	t.Parallel()
	db := testsupport.NewDB(t)
	clock := testsupport.NewClock(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	one := ratelimit.NewShared(db, "api", 10, time.Minute, clock.Now)
	two := ratelimit.NewShared(db, "api", 10, time.Minute, clock.Now)
	org := ratelimit.NewShared(db, "org", 10, time.Minute, clock.Now)

	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := range 16 {
		c := one
		if i%2 == 1 {
			c = two
		}
		wg.Go(func() {
			d, err := c.Take(t.Context(), "member:a")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if d.Allowed {
				allowed++
			}
		})
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("%d of 16 concurrent requests on two replicas allowed, want 10", allowed)
	}
	d, err := two.Take(t.Context(), "member:a")
	if err != nil || d.Allowed || d.Remaining != 0 || d.Limit != 10 || d.Reset != time.Minute {
		t.Fatalf("over the limit: %+v, %v", d, err)
	}
	for _, c := range []struct {
		name string
		c    *ratelimit.Shared
		key  string
	}{{"another key", one, "member:b"}, {"another scope", org, "member:a"}} {
		if d, err := c.c.Take(t.Context(), c.key); err != nil || !d.Allowed || d.Remaining != 9 {
			t.Errorf("%s: %+v, %v; want its own count", c.name, d, err)
		}
	}

	clock.Advance(30 * time.Second)
	if d, _ := one.Take(t.Context(), "member:a"); d.Allowed || d.Reset != 30*time.Second {
		t.Fatalf("half way through the window: %+v", d)
	}
	clock.Advance(30 * time.Second)
	if d, _ := one.Take(t.Context(), "member:a"); !d.Allowed || d.Remaining != 9 || d.Reset != time.Minute {
		t.Fatalf("a new window: %+v", d)
	}

	// member:a's window is current; member:b's and the org scope's have ended.
	n, err := ratelimit.Sweeper{DB: db, Now: clock.Now}.Sweep(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v; want the 2 ended windows", n, err)
	}
	if d, _ := two.Take(t.Context(), "member:a"); d.Remaining != 8 {
		t.Fatalf("the current window was swept: %+v", d)
	}
}
