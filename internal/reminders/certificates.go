package reminders

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/certificates"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/reminders/remindersdb"
)

// RemindCertificates sends, in every organisation, certificate.expiring to the
// organisation's ADMINs and COORDINATORs when a property's latest certificate of a kind
// (gas safety, EICR, EPC) is 60, 30 and 7 days from expiry and on its expiry date (London
// dates), each once per certificate and threshold. A missed run still sends at the next
// one, the notice of the threshold now reached (with the days actually left). It returns
// how many notices it sent.
func (r *Reminders) RemindCertificates(ctx context.Context) (int, error) {
	return r.everyOrg(ctx, "certificates", r.remindCertificates)
}

// RemindCertificatesOrg is RemindCertificates for one organisation.
func (r *Reminders) RemindCertificatesOrg(ctx context.Context, orgID uuid.UUID) (int, error) {
	return r.orgOnly(ctx, orgID, r.remindCertificates)
}

func (r *Reminders) remindCertificates(ctx context.Context, tx pgx.Tx, pub Publisher, orgID uuid.UUID, now time.Time) (int, error) {
	rows, err := r.q.ListCertificatesDue(ctx, tx, remindersdb.ListCertificatesDueParams{OrgID: orgID, Today: londonDate(now), MaxRows: BatchSize})
	if err != nil {
		return 0, fmt.Errorf("list certificates expiring: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	staff, err := r.staff(ctx, tx, orgID)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range rows {
		rule, _ := certificates.RuleOf(c.Kind)
		place := c.PropertyName
		if place == "" {
			place = c.AddressLine1
		}
		ev := &events.CertificateExpiring{
			CertificateID: c.ID, PropertyID: c.PropertyID, Property: place + ", " + c.Postcode, Kind: c.Kind, KindName: rule.Name,
			ExpiresOn: c.ExpiresOn.Format(time.DateOnly), DaysLeft: int(c.DaysLeft), Staff: staff,
		}
		ok, err := r.notify(ctx, tx, pub, orgID, c.ID, c.NoticeKey, now, ev)
		if err != nil {
			return 0, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}
