package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/billing"
)

// billingRoutes registers the billing dashboard, consent management (staff) and contact preferences (residents).
func (u *UI) billingRoutes(mux *http.ServeMux) {
	staff := []access.Role{access.Admin, access.Coordinator}
	mux.HandleFunc("GET /billing", u.signedIn(u.billingPage, access.Admin))
	mux.HandleFunc("POST /billing/plan", u.signedIn(u.billingChangePlan, access.Admin))
	mux.HandleFunc("POST /billing/checkout", u.signedIn(u.billingCheckout, access.Admin))
	mux.HandleFunc("POST /billing/cancel", u.signedIn(u.billingCancel, access.Admin))
	mux.HandleFunc("POST /billing/resume", u.signedIn(u.billingResume, access.Admin))
	mux.HandleFunc("POST /billing/portal", u.signedIn(u.billingPortal, access.Admin))
	mux.HandleFunc("GET /billing/statement", u.signedIn(u.billingStatement, access.Admin))

	mux.HandleFunc("GET /consent", u.signedIn(u.consentPage, staff...))
	mux.HandleFunc("POST /consent/grant", u.signedIn(u.consentGrant, staff...))
	mux.HandleFunc("POST /consent/revoke", u.signedIn(u.consentRevoke, staff...))

	mux.HandleFunc("GET /preferences", u.signedIn(u.preferencesPage, access.Tenant))
	mux.HandleFunc("POST /preferences/grant", u.signedIn(u.preferencesGrant, access.Tenant))
	mux.HandleFunc("POST /preferences/revoke", u.signedIn(u.preferencesRevoke, access.Tenant))
}

// stripeHosts are where Stripe's checkout and billing portal live.
const stripeHosts = "https://checkout.stripe.com https://billing.stripe.com"

// metricNames name the metered kinds of usage for people.
var metricNames = map[string]string{
	"sms": "Text messages (SMS segments)", "whatsapp": "WhatsApp messages", "ai_tokens": "AI assistance (tokens)", "storage_gb": "File storage (GB)",
}

// usageBar is one metric's bar: its figures and the width class of its bar (5% steps).
type usageBar struct {
	billing.MetricUsage
	Name string
	Step int64
	Over bool
}

type statementLink struct{ Month, Label string }

type billingData struct {
	Sub        billing.Subscription
	Usage      billing.BillingUsage
	Bars       []usageBar
	Plans      []billing.Plan
	Current    billing.Plan
	Invoices   []billing.BillingInvoice
	Statements []statementLink
	// Checkout: a first paid plan is bought at the provider's checkout.
	Checkout bool
}

// billingNotices are what /billing?done=… and ?checkout=… say.
var billingNotices = map[string]string{
	"plan":      "Your plan has been changed.",
	"cancel":    "Your paid plan will end with the current period.",
	"resume":    "Your paid plan will carry on.",
	"done":      "Thank you: your payment details were received. Your plan changes as soon as the payment is confirmed.",
	"cancelled": "Checkout was cancelled: nothing has changed.",
}

// billingPage shows the plan and subscription, the month's usage against the plan's
// allowances, the plans to move to, invoices and monthly statements (ADMIN).
func (u *UI) billingPage(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), visitOf(r.Context()).Actor
	sub, err := u.deps.Billing.Subscription(ctx, actor)
	if err != nil {
		u.failed(w, r, "billing", err)
		return
	}
	usage, err := u.deps.Billing.Usage(ctx, actor, "")
	if err != nil {
		u.failed(w, r, "billing", err)
		return
	}
	invoices, err := u.deps.Billing.Invoices(ctx, actor, 12)
	if err != nil {
		u.failed(w, r, "billing", err)
		return
	}
	d := billingData{Sub: sub, Usage: usage, Plans: u.deps.Billing.Plans(), Invoices: invoices,
		Checkout: sub.Provider == "stripe" && !sub.HasPaidPlan}
	for _, p := range d.Plans {
		if p.Code == sub.Plan {
			d.Current = p
		}
	}
	for _, m := range usage.Metrics {
		pc := m.UsedPercent
		if m.Included <= 0 && m.Used > 0 {
			pc = 100
		}
		d.Bars = append(d.Bars, usageBar{MetricUsage: m, Name: metricNames[m.Metric], Step: min(pc, 100) / 5 * 5, Over: m.Overage > 0})
	}
	start, err := time.Parse(time.DateOnly, usage.PeriodStart)
	if err == nil {
		for i := range 6 {
			m := start.AddDate(0, -i, 0)
			d.Statements = append(d.Statements, statementLink{Month: m.Format("2006-01"), Label: m.Format("January 2006")})
		}
	}
	p := page{Title: "Billing", Nav: "billing", Data: &d}
	if sub.Provider == "stripe" {
		// The checkout and portal forms are answered with a 303 to Stripe, which a
		// browser follows only where the page's form-action allows.
		w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+stripeHosts, 1))
	}
	q := r.URL.Query()
	if n, ok := billingNotices[q.Get("done")]; ok {
		p.Flash = n
		if q.Get("done") == "cancel" && !sub.CancelAtPeriodEnd {
			p.Flash = "Your paid plan has ended: you are on the Free plan."
		}
	}
	if n, ok := billingNotices[q.Get("checkout")]; ok {
		p.Flash = n
	}
	u.render(w, r, http.StatusOK, "billing", p)
}

// billingChangePlan moves to the chosen plan (with the local provider at once; on Stripe
// a first paid plan goes through checkout instead).
func (u *UI) billingChangePlan(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), visitOf(r.Context()).Actor
	plan := r.PostFormValue("plan")
	sub, err := u.deps.Billing.Subscription(ctx, actor)
	if err != nil {
		u.failed(w, r, "billing", err)
		return
	}
	if sub.Provider == "stripe" && !sub.HasPaidPlan && plan != "FREE" {
		u.billingCheckout(w, r)
		return
	}
	if _, err := u.deps.Billing.ChangePlan(ctx, actor, plan); err != nil {
		u.failed(w, r, "billing plan", err)
		return
	}
	u.redirect(w, r, "/billing?done=plan")
}

// billingCheckout opens the provider's checkout for a first paid plan and sends the
// browser there; it comes back to /billing?checkout=done.
func (u *UI) billingCheckout(w http.ResponseWriter, r *http.Request) {
	c, err := u.deps.Billing.Checkout(r.Context(), visitOf(r.Context()).Actor, r.PostFormValue("plan"))
	if err != nil {
		u.failed(w, r, "billing checkout", err)
		return
	}
	u.redirect(w, r, c.URL)
}

func (u *UI) billingCancel(w http.ResponseWriter, r *http.Request) {
	if _, err := u.deps.Billing.Cancel(r.Context(), visitOf(r.Context()).Actor); err != nil {
		u.failed(w, r, "billing cancel", err)
		return
	}
	u.redirect(w, r, "/billing?done=cancel")
}

func (u *UI) billingResume(w http.ResponseWriter, r *http.Request) {
	if _, err := u.deps.Billing.Resume(r.Context(), visitOf(r.Context()).Actor); err != nil {
		u.failed(w, r, "billing resume", err)
		return
	}
	u.redirect(w, r, "/billing?done=resume")
}

// billingPortal sends the browser to the provider's billing portal (payment method,
// receipts).
func (u *UI) billingPortal(w http.ResponseWriter, r *http.Request) {
	p, err := u.deps.Billing.Portal(r.Context(), visitOf(r.Context()).Actor)
	if err != nil {
		u.failed(w, r, "billing portal", err)
		return
	}
	u.redirect(w, r, p.URL)
}

// billingStatement is a month's usage statement as a PDF.
func (u *UI) billingStatement(w http.ResponseWriter, r *http.Request) {
	name, content, err := u.deps.Billing.Statement(r.Context(), visitOf(r.Context()).Actor, r.URL.Query().Get("month"))
	if err != nil {
		u.failed(w, r, "billing statement", err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content) // #nosec G705 -- a PDF the server rendered, sent as application/pdf
}

// PlanName is the name of a plan code.
func (d *billingData) PlanName(code string) string {
	for _, p := range d.Plans {
		if p.Code == code {
			return p.Name
		}
	}
	return words(code)
}

// N shows a count with thousands separators: 10000 → "10,000".
func (d *billingData) N(n int64) string {
	s := money(n * 100)
	return s[len("£") : len(s)-len(".00")]
}
