package ai_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// The free plan's AI tokens stop at what it includes (1,000), whatever the organisation's
// own cap; a paid plan allows overage (billed) up to that cap.
func TestExternal_planAllowance(t *testing.T) {
	fake := newFakeOpenAI(t, fakeAnswer{status: http.StatusOK, content: validClassification})
	app := testsupport.NewApp(t, openAIEnv(fake))
	e := app.NewEstate(t, "Plan tokens", testsupport.EstateOptions{})
	ctx := context.Background()
	now := time.Now().UTC()
	if err := app.DB.InTx(ctx, database.Scope{OrgID: e.OrgID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO usage_meters (org_id, metric, period_start, quantity) VALUES ($1, 'ai_tokens', $2, 1000)",
			e.OrgID, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var u ai.Usage
	e.Admin.With(t).Get("/api/v1/ai/usage").Expect(http.StatusOK).Data(&u)
	if u.TokenAllowance != 1000 {
		t.Fatalf("free plan's token limit %d, want 1000", u.TokenAllowance)
	}
	tk := newTicket(t, e, "Leak", "Leak under the sink", nil)
	if sg := classify(t, e.Coordinator, tk.ID); sg.Provider != "builtin" || !strings.Contains(sg.FallbackReason, "allowance") || len(fake.seen()) != 0 {
		t.Fatalf("free plan at its 1,000 tokens: %+v after %d calls", sg, len(fake.seen()))
	}

	e.Admin.With(t).Post("/api/v1/billing/upgrade", map[string]string{"plan": "STARTER"}).Expect(http.StatusOK)
	e.Admin.With(t).Get("/api/v1/ai/usage").Expect(http.StatusOK).Data(&u)
	if u.TokenAllowance != 2_000_000 {
		t.Fatalf("starter's token limit %d, want the organisation's cap", u.TokenAllowance)
	}
	if sg := classify(t, e.Coordinator, tk.ID); sg.Provider != "openai" {
		t.Fatalf("starter beyond its 10,000 would bill overage, at 1,000 it is within: %+v", sg)
	}
}
