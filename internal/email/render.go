package email

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/money"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Rendered is a message's subject and bodies.
type Rendered struct {
	Subject, Text, HTML string
}

// Templates renders each event's email. Each event has one file defining "subject",
// "text" and "html"; the text parts go through text/template and the HTML through
// html/template, so only the HTML is escaped.
type Templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

var funcs = map[string]any{
	"money":      money.Format,
	"lower":      func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", " ")) },
	"londonDate": func(t time.Time) string { return t.In(ukcalendar.London).Format("Monday 2 January 2006") },
	"londonTime": func(t time.Time) string { return t.In(ukcalendar.London).Format("15:04 on Monday 2 January 2006") },
	// metricName names a usage meter for people.
	"metricName": func(m string) string {
		return map[string]string{"sms": "SMS segments", "whatsapp": "WhatsApp messages", "ai_tokens": "AI tokens", "storage_gb": "gigabytes of storage"}[m]
	},
}

// LoadTemplates parses every template; a missing or broken one fails at start-up.
func LoadTemplates() (*Templates, error) {
	t := &Templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, name := range emailedEvents {
		file := "templates/" + name + ".tmpl"
		tt, err := texttemplate.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl", file)
		if err != nil {
			return nil, fmt.Errorf("email: template %s: %w", name, err)
		}
		ht, err := htmltemplate.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl", file)
		if err != nil {
			return nil, fmt.Errorf("email: template %s: %w", name, err)
		}
		t.text[name], t.html[name] = tt, ht
	}
	return t, nil
}

// Data is what a template sees.
type Data struct {
	Org       string
	BaseURL   string
	Recipient events.Recipient
	E         events.Event
}

// Render produces the email for one recipient of an event.
func (t *Templates) Render(name string, d Data) (Rendered, error) {
	tt, ok := t.text[name]
	if !ok {
		return Rendered{}, fmt.Errorf("email: no template for %s", name)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Rendered{}, fmt.Errorf("email: render %s subject: %w", name, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", d); err != nil {
		return Rendered{}, fmt.Errorf("email: render %s text: %w", name, err)
	}
	if err := t.html[name].ExecuteTemplate(&html, "html", d); err != nil {
		return Rendered{}, fmt.Errorf("email: render %s html: %w", name, err)
	}
	return Rendered{Subject: strings.TrimSpace(subject.String()), Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// emailedEvents are the events that email someone (docs/events.md).
var emailedEvents = []string{
	"ticket.created", "work_order.assigned", "quote.submitted", "quote.approved", "invoice.submitted",
	"invoice.approved", "invoice.paid", "sla.warning", "sla.breached", "clock.warning", "clock.breached", "quote.chaser",
	"contractor.insurance_expiring", "certificate.expiring", "member.invited", "password.reset_requested", "usage.threshold_reached",
	"billing.payment_failed", "ticket.resident_messaged",
}

// Recipients says who an event emails.
func Recipients(ev events.Event) []events.Recipient {
	switch e := ev.(type) {
	case *events.TicketCreated:
		// Addressed without the name the reporter typed: the acknowledgement carries no
		// reporter text, not even in its To header.
		return one(events.Recipient{Email: e.Reporter.Email})
	case *events.WorkOrderAssigned:
		return one(e.Contractor)
	case *events.QuoteSubmitted:
		return e.Staff
	case *events.QuoteApproved:
		return one(e.Contractor)
	case *events.InvoiceSubmitted:
		return e.Staff
	case *events.InvoiceApproved:
		return one(e.Contractor)
	case *events.InvoicePaid:
		return one(e.Contractor)
	case *events.SLAWarning:
		return e.To
	case *events.SLABreached:
		return e.To
	case *events.ClockWarning:
		return e.To
	case *events.ClockBreached:
		return e.To
	case *events.QuoteChaser:
		return one(e.Contractor)
	case *events.InsuranceExpiring:
		return append(one(e.Contractor), e.Staff...)
	case *events.CertificateExpiring:
		return e.Staff
	case *events.MemberInvited:
		return one(e.Invitee)
	case *events.PasswordResetRequested:
		return one(e.User)
	case *events.UsageThresholdReached:
		return e.Admins
	case *events.PaymentFailed:
		return e.Admins
	case *events.ResidentMessaged:
		return one(e.Resident)
	}
	return nil
}

func one(r events.Recipient) []events.Recipient {
	if r.Email == "" {
		return nil
	}
	return []events.Recipient{r}
}
