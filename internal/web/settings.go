package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/ai"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	pages "github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
	"github.com/maintainuk/maintainuk/internal/webhooks"
)

// settingsRoutes registers the organisation's settings, AI settings and webhooks (ADMIN).
func (u *UI) settingsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings", u.signedIn(u.settingsPage, access.Admin))
	mux.HandleFunc("POST /settings", u.signedIn(u.saveSettings, access.Admin))
	mux.HandleFunc("POST /settings/ai", u.signedIn(u.saveAISettings, access.Admin))
	mux.HandleFunc("POST /settings/webhooks", u.signedIn(u.addWebhook, access.Admin))
	mux.HandleFunc("POST /settings/webhooks/{id}/enabled", u.signedIn(u.setWebhookEnabled, access.Admin))
	mux.HandleFunc("POST /settings/webhooks/{id}/delete", u.signedIn(u.deleteWebhook, access.Admin))
	mux.HandleFunc("POST /settings/webhooks/{id}/test", u.signedIn(u.testWebhook, access.Admin))
}

// slaPriorities are the SLA windows in the order the page lists them.
var slaPriorities = []string{"EMERGENCY", "URGENT", "ROUTINE"}

type slaForm struct {
	Priority, Amount, Unit string
}

type orgForm struct {
	SLA                                                          []slaForm
	Threshold, Duties, Region, QuietStart, QuietEnd, ContactLine string
	Landlord                                                     string
}

type aiForm struct {
	Provider, Model, Confidence, Allowance string
	AutoApply                              bool
	// Provider0 and Model0 are the stored provider and model the form started from.
	Provider0, Model0 string
}

type webhookForm struct {
	URL, Description string
	Events           []string
	Personal         bool
}

func (f webhookForm) Has(event string) bool {
	for _, e := range f.Events {
		if e == event {
			return true
		}
	}
	return false
}

type settingsData struct {
	Org       orgForm
	AI        aiForm
	Available bool
	Providers []string
	Regions   []ukcalendar.Region
	Webhooks  []webhooks.WebhookEndpoint
	HasHooks  bool
	Events    []string
	Hook      webhookForm
	// Secret is a new endpoint's signing secret, shown once.
	Secret, SecretURL string
	Problem           string
}

func orgFormOf(s orgsettings.Settings) orgForm {
	f := orgForm{Threshold: poundsOf(s.ApprovalThresholdPence), Duties: string(s.SeparationOfDuties), Region: string(s.HolidayRegion),
		QuietStart: s.QuietHours.Start, QuietEnd: s.QuietHours.End, ContactLine: s.ContactLine, Landlord: string(s.Landlord)}
	for _, prio := range slaPriorities {
		w := s.SLA[prio]
		sf := slaForm{Priority: prio, Unit: "hours", Amount: strconv.Itoa(w.Hours)}
		if w.WorkingDays > 0 {
			sf.Unit, sf.Amount = "workingDays", strconv.Itoa(w.WorkingDays)
		}
		f.SLA = append(f.SLA, sf)
	}
	return f
}

func aiFormOf(s ai.AssistSettings) aiForm {
	return aiForm{Provider: s.Provider, Model: s.Model, AutoApply: s.AutoApply, Provider0: s.Provider, Model0: s.Model,
		Confidence: strconv.FormatFloat(s.AutoApplyConfidence, 'f', -1, 64), Allowance: strconv.FormatInt(s.MonthlyTokenAllowance, 10)}
}

// poundsOf shows pence as a pounds amount to edit: 75000 → "750.00".
func poundsOf(pence int64) string {
	return strconv.FormatInt(pence/100, 10) + "." + twoDigits(pence%100)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

var poundsRE = regexp.MustCompile(`^([0-9]{1,9})(?:\.([0-9]{1,2}))?$`)

// penceOf reads an amount in pounds ("750", "£750.00", "1,250.5") as pence.
func penceOf(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "£"), ",", "")
	m := poundsRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	pounds, _ := strconv.ParseInt(m[1], 10, 64)
	frac := m[2]
	if len(frac) == 1 {
		frac += "0"
	}
	var p int64
	if frac != "" {
		p, _ = strconv.ParseInt(frac, 10, 64)
	}
	return pounds*100 + p, true
}

func (u *UI) settingsPage(w http.ResponseWriter, r *http.Request) {
	u.showSettings(w, r, http.StatusOK, settingsData{}, nil)
}

// showSettings shows the settings; the forms in d that are filled (sent back with errs)
// are shown as sent, the others as stored.
func (u *UI) showSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData, errs map[string]string) {
	v := visitOf(r.Context())
	st, err := u.deps.Settings.Get(r.Context(), v.Actor)
	if err != nil {
		u.failed(w, r, "settings", err)
		return
	}
	as, err := u.deps.AI.GetSettings(r.Context(), v.Actor)
	if err != nil {
		u.failed(w, r, "settings", err)
		return
	}
	if d.Org.SLA == nil {
		d.Org = orgFormOf(st)
	}
	if d.AI.Provider == "" {
		d.AI = aiFormOf(as)
	}
	d.Available, d.Providers = as.ProviderAvailable, ai.Providers
	d.Regions = []ukcalendar.Region{ukcalendar.EnglandWales, ukcalendar.Scotland, ukcalendar.NorthernIreland}
	if u.deps.Webhooks != nil {
		hooks, err := u.deps.Webhooks.List(r.Context(), v.Actor, pages.Request{Limit: 50})
		if err != nil {
			u.failed(w, r, "settings", err)
			return
		}
		d.Webhooks, d.HasHooks, d.Events = hooks.Items, true, webhooks.EventTypes()
	}
	p := page{Title: "Settings", Nav: "settings", Data: d, Errors: errs}
	switch r.URL.Query().Get("done") {
	case "saved":
		p.Flash = "The settings are saved."
	case "ai":
		p.Flash = "The AI settings are saved."
	case "enabled":
		p.Flash = "The webhook endpoint is enabled."
	case "disabled":
		p.Flash = "The webhook endpoint is disabled: it is sent nothing until enabled."
	case "deleted":
		p.Flash = "The webhook endpoint and its delivery log are deleted."
	case "tested":
		p.Flash = "A test message is queued for the webhook endpoint."
	}
	u.render(w, r, status, "settings", p)
}

func (u *UI) saveSettings(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	f := orgForm{Threshold: r.PostFormValue("approvalThreshold"), Duties: r.PostFormValue("separationOfDuties"),
		Region: r.PostFormValue("holidayRegion"), QuietStart: r.PostFormValue("quietHours-start"), QuietEnd: r.PostFormValue("quietHours-end"),
		ContactLine: r.PostFormValue("contactLine"), Landlord: r.PostFormValue("landlord")}
	errs := map[string]string{}
	landlord := clocks.Landlord(f.Landlord)
	patch := orgsettings.Patch{SLA: map[string]orgsettings.Window{}, ContactLine: &f.ContactLine, Landlord: &landlord,
		QuietHours: &orgsettings.QuietHours{Start: f.QuietStart, End: f.QuietEnd}}
	for _, prio := range slaPriorities {
		sf := slaForm{Priority: prio, Amount: strings.TrimSpace(r.PostFormValue("sla-" + prio)), Unit: r.PostFormValue("sla-" + prio + "-unit")}
		f.SLA = append(f.SLA, sf)
		n, err := strconv.Atoi(sf.Amount)
		if err != nil || n <= 0 {
			errs["sla-"+prio] = "Enter a whole number above zero."
			continue
		}
		if sf.Unit == "workingDays" {
			patch.SLA[prio] = orgsettings.Window{WorkingDays: n}
		} else {
			patch.SLA[prio] = orgsettings.Window{Hours: n}
		}
	}
	if pence, ok := penceOf(f.Threshold); ok {
		patch.ApprovalThresholdPence = &pence
	} else {
		errs["approvalThreshold"] = "Enter an amount in pounds, such as 750.00."
	}
	duties := orgsettings.Duties(f.Duties)
	patch.SeparationOfDuties = &duties
	region := ukcalendar.Region(f.Region)
	patch.HolidayRegion = &region
	if len(errs) == 0 {
		_, err := u.deps.Settings.Update(r.Context(), v.Actor, patch)
		if err == nil {
			u.redirect(w, r, "/settings?done=saved")
			return
		}
		fe := formErrors(err)
		if fe == nil {
			u.failed(w, r, "settings", err)
			return
		}
		for k, m := range fe {
			if k == "approvalThresholdPence" {
				k, m = "approvalThreshold", "Enter an amount from £0.00 to £100,000,000.00."
			}
			errs[k] = m
		}
	}
	u.showSettings(w, r, http.StatusUnprocessableEntity, settingsData{Org: f}, errs)
}

func (u *UI) saveAISettings(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	f := aiForm{Provider: r.PostFormValue("provider"), Model: r.PostFormValue("model"), AutoApply: r.PostFormValue("autoApply") == "on",
		Confidence: strings.TrimSpace(r.PostFormValue("autoApplyConfidence")), Allowance: strings.TrimSpace(r.PostFormValue("monthlyTokenAllowance")),
		Provider0: r.PostFormValue("provider0"), Model0: r.PostFormValue("model0")}
	errs := map[string]string{}
	patch := ai.AssistSettingsPatch{Provider: &f.Provider, Model: &f.Model, AutoApply: &f.AutoApply}
	// A model names one provider's: choosing another provider with the model left as it
	// was starts the new one from its default, as the service does.
	if f.Provider != r.PostFormValue("provider0") && f.Model == r.PostFormValue("model0") {
		patch.Model = nil
	}
	if c, err := strconv.ParseFloat(f.Confidence, 64); err == nil {
		patch.AutoApplyConfidence = &c
	} else {
		errs["autoApplyConfidence"] = "Enter a number from 0 to 1, such as 0.85."
	}
	if n, err := strconv.ParseInt(strings.ReplaceAll(f.Allowance, ",", ""), 10, 64); err == nil {
		patch.MonthlyTokenAllowance = &n
	} else {
		errs["monthlyTokenAllowance"] = "Enter a whole number of tokens, 0 or more."
	}
	if len(errs) == 0 {
		_, err := u.deps.AI.UpdateSettings(r.Context(), v.Actor, patch)
		if err == nil {
			u.redirect(w, r, "/settings?done=ai#ai-h")
			return
		}
		fe := formErrors(err)
		if fe == nil {
			u.failed(w, r, "AI settings", err)
			return
		}
		errs = fe
	}
	if f.Provider == "" {
		f.Provider = "builtin"
	}
	u.showSettings(w, r, http.StatusUnprocessableEntity, settingsData{AI: f}, errs)
}

func (u *UI) addWebhook(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r.Context())
	if u.deps.Webhooks == nil {
		u.notFound(w, r)
		return
	}
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: r.PostFormValue("description"),
		Events: r.PostForm["eventTypes"], Personal: r.PostFormValue("includePersonalData") == "on"}
	if len(f.Events) == 0 {
		u.showSettings(w, r, http.StatusUnprocessableEntity, settingsData{Hook: f}, map[string]string{"eventTypes": "Choose at least one event."})
		return
	}
	e, err := u.deps.Webhooks.Create(r.Context(), v.Actor, webhooks.Input{URL: f.URL, EventTypes: f.Events, Description: f.Description,
		IncludePersonalData: f.Personal})
	if errs := formErrors(err); errs != nil {
		u.showSettings(w, r, http.StatusUnprocessableEntity, settingsData{Hook: f}, errs)
		return
	}
	if problem := problemOf(err); problem != "" {
		u.showSettings(w, r, statusOfErr(err), settingsData{Hook: f}, map[string]string{"url": problem})
		return
	}
	if err != nil {
		u.failed(w, r, "add webhook", err)
		return
	}
	// The secret is shown this once, so this answer is the page rather than a redirect.
	u.showSettings(w, r, http.StatusCreated, settingsData{Secret: e.Secret, SecretURL: e.URL}, nil)
}

func (u *UI) setWebhookEnabled(w http.ResponseWriter, r *http.Request) {
	u.webhookAction(w, r, func(v *visit, r *http.Request, id uuid.UUID) (string, error) {
		enabled := r.PostFormValue("enabled") == "true"
		_, err := u.deps.Webhooks.Update(r.Context(), v.Actor, id, webhooks.Patch{Enabled: &enabled})
		if enabled {
			return "enabled", err
		}
		return "disabled", err
	})
}

func (u *UI) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	u.webhookAction(w, r, func(v *visit, r *http.Request, id uuid.UUID) (string, error) {
		return "deleted", u.deps.Webhooks.Delete(r.Context(), v.Actor, id)
	})
}

func (u *UI) testWebhook(w http.ResponseWriter, r *http.Request) {
	u.webhookAction(w, r, func(v *visit, r *http.Request, id uuid.UUID) (string, error) {
		_, err := u.deps.Webhooks.SendTest(r.Context(), v.Actor, id)
		return "tested", err
	})
}

// webhookAction runs a change to one endpoint and returns to the settings, or shows why
// it was refused.
func (u *UI) webhookAction(w http.ResponseWriter, r *http.Request, do func(*visit, *http.Request, uuid.UUID) (string, error)) {
	if u.deps.Webhooks == nil {
		u.notFound(w, r)
		return
	}
	id, err := pathID(r, "id", "webhook endpoint")
	if err != nil {
		u.failed(w, r, "webhook", err)
		return
	}
	done, err := do(visitOf(r.Context()), r, id)
	if problem := problemOf(err); problem != "" {
		u.showSettings(w, r, statusOfErr(err), settingsData{Problem: problem}, nil)
		return
	}
	if err != nil {
		u.failed(w, r, "webhook", err)
		return
	}
	u.redirect(w, r, "/settings?done="+done+"#webhooks-h")
}
