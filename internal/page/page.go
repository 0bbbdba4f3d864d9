// Package page implements keyset pagination: an opaque cursor that encodes the sort key of
// the last row returned, so a page costs one index range scan however deep it is.
package page

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// Default and largest page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Request is what a list endpoint receives.
type Request struct {
	Limit  int
	Cursor string
}

// Key is the usual sort key: rows ordered by (CreatedAt, ID).
type Key struct {
	CreatedAt time.Time `json:"t"`
	ID        uuid.UUID `json:"i"`
}

// Limit validates the page size, defaulting to DefaultLimit.
func Limit(r Request) (int, error) {
	if r.Limit == 0 {
		return DefaultLimit, nil
	}
	if r.Limit < 1 || r.Limit > MaxLimit {
		var f apperr.Fields
		f.Add("limit", "must be from 1 to 200")
		return 0, f.Err()
	}
	return r.Limit, nil
}

// After decodes the cursor into the key to start after; no cursor gives start.
func After[K any](r Request, start K) (K, error) {
	if r.Cursor == "" {
		return start, nil
	}
	var after K
	raw, err := base64.RawURLEncoding.DecodeString(r.Cursor)
	if err == nil {
		err = json.Unmarshal(raw, &after)
	}
	if err != nil {
		var f apperr.Fields
		f.Add("cursor", "is not a cursor this API returned")
		return start, f.Err()
	}
	return after, nil
}

// Result is one page of items and the cursor of the next page ("" on the last page).
type Result[T any] struct {
	Items      []T
	NextCursor string
}

// Build trims rows fetched with limit+1 to limit and sets NextCursor when there were more.
// keyOf gives a row's sort key.
func Build[T, K any](rows []T, limit int, keyOf func(T) K) Result[T] {
	if len(rows) <= limit {
		return Result[T]{Items: rows}
	}
	rows = rows[:limit]
	raw, _ := json.Marshal(keyOf(rows[limit-1]))
	return Result[T]{Items: rows, NextCursor: base64.RawURLEncoding.EncodeToString(raw)}
}

// EndOfTime sorts after every row: where a newest-first list starts.
var EndOfTime = Key{CreatedAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ID: uuid.Max}

// ParseNewest validates the request for a newest-first list sorted by Key, returning the
// limit and the key to continue before.
func (r Request) ParseNewest() (limit int, before Key, err error) {
	if limit, err = Limit(r); err != nil {
		return 0, Key{}, err
	}
	before, err = After(r, EndOfTime)
	return limit, before, err
}
