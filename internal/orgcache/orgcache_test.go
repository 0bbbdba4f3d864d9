package orgcache

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// counter is a read that answers how many times it ran.
type counter struct{ n int }

func (c *counter) read() (int, error) { c.n++; return c.n, nil }

func TestCache(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	tests := []struct {
		name string
		run  func(t *testing.T, c *Cache[int], r *counter)
	}{
		{"a second load within the TTL is a hit", func(t *testing.T, c *Cache[int], r *counter) {
			load(t, c, a, r.read, 1)
			load(t, c, a, r.read, 1)
			if h, m := c.Stats(); h != 1 || m != 1 {
				t.Fatalf("hits %d misses %d", h, m)
			}
		}},
		{"each organisation has its own entry", func(t *testing.T, c *Cache[int], r *counter) {
			load(t, c, a, r.read, 1)
			load(t, c, b, r.read, 2)
			load(t, c, a, r.read, 1)
		}},
		{"forget makes the next load read", func(t *testing.T, c *Cache[int], r *counter) {
			load(t, c, a, r.read, 1)
			c.Forget(a)
			load(t, c, a, r.read, 2)
		}},
		{"a read that a forget overtook is not kept", func(t *testing.T, c *Cache[int], r *counter) {
			load(t, c, a, func() (int, error) { c.Forget(a); return r.read() }, 1)
			load(t, c, a, r.read, 2)
		}},
		{"a failed read is not kept", func(t *testing.T, c *Cache[int], r *counter) {
			if _, err := c.Load(a, func() (int, error) { return 0, errors.New("down") }); err == nil {
				t.Fatal("the read's error was lost")
			}
			load(t, c, a, r.read, 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, New[int](time.Hour, nil), &counter{}) })
	}
}

// An entry older than the TTL is read again.
func TestCacheExpires(t *testing.T) {
	c, r, a := New[int](time.Millisecond, nil), &counter{}, uuid.New()
	load(t, c, a, r.read, 1)
	time.Sleep(2 * time.Millisecond)
	load(t, c, a, r.read, 2)
}

// What a caller does with a value it was given never reaches the cached entry.
func TestCacheClones(t *testing.T) {
	c := New[map[string]int](time.Hour, func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	})
	a := uuid.New()
	got, _ := c.Load(a, func() (map[string]int, error) { return map[string]int{"x": 1}, nil })
	got["x"] = 99
	again, _ := c.Load(a, func() (map[string]int, error) { t.Fatal("read again"); return nil, nil })
	if again["x"] != 1 {
		t.Fatalf("the cached entry was changed through a caller's copy: %v", again)
	}
}

func load(t *testing.T, c *Cache[int], org uuid.UUID, read func() (int, error), want int) {
	t.Helper()
	got, err := c.Load(org, read)
	if err != nil || got != want {
		t.Fatalf("load: %d, %v; want %d", got, err, want)
	}
}
