package testsupport

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
)

// MemberID is the membership id of userID in admin's organisation, looked up through
// GET /members page by page; the test fails when the user is not a member.
func MemberID(t testing.TB, admin *Client, userID uuid.UUID) uuid.UUID {
	t.Helper()
	c := admin.With(t)
	cursor := ""
	for range 100 {
		path := "/api/v1/members?limit=200"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Data []struct {
				ID     uuid.UUID `json:"id"`
				UserID uuid.UUID `json:"userId"`
			} `json:"data"`
			Meta struct {
				NextCursor string `json:"nextCursor"`
			} `json:"meta"`
		}
		r := c.Get(path).Expect(http.StatusOK)
		if err := json.Unmarshal(r.Body, &page); err != nil {
			t.Fatalf("members: %v; body: %s", err, r.Body)
		}
		for _, m := range page.Data {
			if m.UserID == userID {
				return m.ID
			}
		}
		if cursor = page.Meta.NextCursor; cursor == "" {
			break
		}
	}
	t.Fatalf("user %s is not a member", userID)
	return uuid.Nil
}
