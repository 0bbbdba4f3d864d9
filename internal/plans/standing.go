package plans

import (
	"context"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
)

// ErrPaymentOverdue is what a billable action answers (402) while the organisation's
// subscription is PAST_DUE or UNPAID: everything can still be read, and paying restores it.
var ErrPaymentOverdue = apperr.New(apperr.PaymentRequired,
	"the organisation's subscription payment is overdue: texts, paid AI and uploads by staff are paused until it is paid (an ADMIN can pay in the billing portal); everything can still be read")

// InGoodStanding reports whether the organisation may use billable services: its
// subscription is not PAST_DUE or UNPAID. q is in the organisation's scope; the answer may
// come from the process's cache (CacheTTL).
func InGoodStanding(ctx context.Context, q database.Querier, orgID uuid.UUID) (bool, error) {
	_, status, err := read(ctx, q, orgID)
	if err != nil {
		return false, err
	}
	return status != "PAST_DUE" && status != "UNPAID", nil
}

// CheckStanding is ErrPaymentOverdue unless the organisation is in good standing.
func CheckStanding(ctx context.Context, q database.Querier, orgID uuid.UUID) error {
	ok, err := InGoodStanding(ctx, q, orgID)
	if err == nil && !ok {
		return ErrPaymentOverdue
	}
	return err
}

// Of is the organisation's plan. q is in the organisation's scope; the answer may come from
// the process's cache (CacheTTL).
func Of(ctx context.Context, q database.Querier, orgID uuid.UUID) (Plan, error) {
	code, _, err := read(ctx, q, orgID)
	if err != nil {
		return Plan{}, err
	}
	return ByCode(code)
}

// TokenLimit is how many hosted-model AI tokens the organisation may use in a month: its
// own cap (the AI settings' monthly allowance), and on a plan that blocks overage (Free)
// no more than the plan includes. Beyond it the builtin engine answers.
func TokenLimit(p Plan, orgCap int64) int64 {
	if !p.AllowOverage {
		return min(orgCap, p.Included[AITokens])
	}
	return orgCap
}
