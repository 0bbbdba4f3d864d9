package messaging

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/events"
)

// Every event that events.Texted publishes to texts has a text here, naming its
// organisation and what it is about, and none that it does not publish has one.
func TestDescribeCoversTexted(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	all := []events.Event{
		&events.TicketCreated{}, &events.TicketStatusChanged{To: "RESOLVED"}, &events.TicketStatusChanged{To: "CLOSED"},
		&events.WorkOrderStatusChanged{To: "SCHEDULED", ScheduledFor: &at}, &events.WorkOrderStatusChanged{To: "STARTED"},
		&events.WorkOrderAssigned{TicketTitle: "Leak"}, &events.QuoteSubmitted{}, &events.QuoteApproved{TotalPence: 12500},
		&events.QuoteDecided{}, &events.QuoteChaser{}, &events.InvoiceSubmitted{}, &events.InvoiceApproved{Reference: "INV-1", TotalPence: 100},
		&events.InvoiceRejected{}, &events.InvoicePaid{Reference: "INV-1", PaymentReference: "BACS 1"}, &events.SLAWarning{}, &events.SLABreached{},
		&events.InsuranceExpiring{Company: "Acme", ExpiresOn: "2027-02-01", ContractorID: uuid.New()}, &events.MemberInvited{}, &events.PasswordResetRequested{},
	}
	for _, ev := range all {
		n, ok := describe(ev)
		if ok != events.Texted(ev) {
			t.Errorf("%s (%+v): described %v, texted %v", ev.Name(), ev, ok, events.Texted(ev))
			continue
		}
		if !ok {
			continue
		}
		text := n.text("Acme Lettings", "MT-000042")
		if !strings.HasPrefix(text, "Acme Lettings: ") || n.key == "" {
			t.Errorf("%s: %q (key %q)", ev.Name(), text, n.key)
		}
		if n.variables("Acme Lettings", "MT-000042")["1"] != "Acme Lettings" {
			t.Errorf("%s: variables %v", ev.Name(), n.variables("Acme Lettings", "MT-000042"))
		}
	}
	if n, _ := describe(&events.WorkOrderStatusChanged{To: "SCHEDULED", ScheduledFor: &at}); !strings.Contains(n.text("A", "MT-1"), "Monday 4 January at 09:00") {
		t.Errorf("visit time in UK time: %q", n.text("A", "MT-1"))
	}
}
