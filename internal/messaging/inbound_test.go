package messaging_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// Keywords are whole messages, in any case and spacing: STOP and its synonyms withdraw
// consent (recorded as INBOUND_KEYWORD with the word), START, UNSTOP and YES give it
// back, HELP answers with the organisation's contact line.
func TestInbound_keywords(t *testing.T) {
	app := newTexting(t, nil)
	e := app.NewEstate(t, "Keywords", testsupport.EstateOptions{})
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"contactLine": "0113 496 0000, weekdays 9 to 5"}).Expect(http.StatusOK)
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123500"})
	state := func() bool {
		points := testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone=07400123500")
		return points[0].Granted
	}
	for _, tc := range []struct {
		body    string
		granted bool
		reply   string
	}{
		{"  stop ", false, "unsubscribed"},
		{"Start", true, "subscribed again"},
		{"UNSUBSCRIBE", false, "unsubscribed"},
		{"yes", true, "subscribed again"},
		{"Quit.", false, "unsubscribed"},
		{"unstop", true, "subscribed again"},
		{"CANCEL", false, "unsubscribed"},
		{"START", true, "subscribed again"},
		{"OptOut", false, "unsubscribed"},
		{"start", true, "subscribed again"},
		{"End", false, "unsubscribed"},
		{"start", true, "subscribed again"},
		{"STOPALL", false, "unsubscribed"},
		{"HELP", false, "0113 496 0000"},
	} {
		reply := inbound(t, app.App, "", "+447400123500", tc.body)
		if !strings.Contains(reply, tc.reply) || !strings.Contains(reply, "<Response>") {
			t.Errorf("%q: reply %s", tc.body, reply)
		}
		if got := state(); got != tc.granted {
			t.Errorf("%q: granted %v, want %v", tc.body, got, tc.granted)
		}
	}
	h := testsupport.All[messaging.ConsentRecord](t, e.Coordinator, "/api/v1/consent/history?phone=07400123500")
	if h[0].Source != "INBOUND_KEYWORD" || h[0].Detail != "STOPALL" || h[0].Granted {
		t.Fatalf("newest record %+v", h[0])
	}
	// A retried webhook (the same MessageSid) does nothing again: a late retry of an old
	// STOP does not withdraw the consent a START gave since.
	inbound(t, app.App, "", "+447400123500", "START")
	old := url.Values{"MessageSid": {"SM" + strings.Repeat("12", 16)}, "From": {"+447400123500"}, "To": {"+447700900999"}, "Body": {"STOP"}}
	webhook(t, app.App, messaging.InboundPath, old, nil)
	inbound(t, app.App, "", "+447400123500", "START")
	if code, body := webhook(t, app.App, messaging.InboundPath, old, nil); code != http.StatusOK || !state() {
		t.Fatalf("retried STOP: %d %s, granted %v", code, body, state())
	}
	// START gives back only what a STOP took: a number that never agreed stays without.
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Gate", "reportedByPhone": "07400 123501"})
	send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Hello"}) // records the number, BLOCKED
	inbound(t, app.App, "", "+447400123501", "START")
	if points := testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone=07400123501"); points[0].Granted {
		t.Fatal("START granted consent that was never given")
	}

	// "Stop the leak" is a message, not a keyword.
	inbound(t, app.App, "", "+447400123500", "START")
	inbound(t, app.App, "", "+447400123500", "Stop the leak please, it is coming through the ceiling")
	if !state() {
		t.Fatal("a sentence starting with stop withdrew consent")
	}
}

// A resident's text opens a ticket for their home and the reply names it; their next
// text within 48 hours joins it, as does one naming it; an unknown number is pointed to
// the organisation's public report form.
func TestInbound_residentTextsOpenAndJoinTickets(t *testing.T) {
	app := newTexting(t, nil)
	e := app.NewEstate(t, "Inbound", testsupport.EstateOptions{})
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 123600"})

	reply := inbound(t, app.App, "", "+447400123600", "The kitchen tap is dripping constantly\nIt started last night.")
	mine := testsupport.All[tickets.Ticket](t, e.Tenant, "/api/v1/tickets")
	if len(mine) != 1 {
		t.Fatalf("tickets %+v", mine)
	}
	tk := mine[0]
	if tk.UnitID == nil || *tk.UnitID != e.UnitID || tk.Title != "The kitchen tap is dripping constantly" || !strings.Contains(reply, tk.Number) {
		t.Fatalf("ticket %+v, reply %s", tk, reply)
	}
	reply = inbound(t, app.App, "", "+447400123600", "Also the sink is slow to drain")
	if !strings.Contains(reply, "added your message to "+tk.Number) {
		t.Fatalf("second text: %s", reply)
	}
	d := testsupport.GetTicket(t, e.Coordinator, tk.ID)
	if len(d.Comments) != 1 || d.Comments[0].Body != "Also the sink is slow to drain" {
		t.Fatalf("comments %+v", d.Comments)
	}
	reply = inbound(t, app.App, "", "+447400123600", "About "+strings.ToLower(tk.Number)+": still dripping")
	if !strings.Contains(reply, tk.Number) {
		t.Fatalf("reference: %s", reply)
	}
	// Both ways on the ticket, newest first: each inbound text kept as RECEIVED, each reply
	// (sent as TwiML) as SENT, and the replies on the meter.
	got := texts(t, e.Coordinator, tk.ID)
	if len(got) != 6 {
		t.Fatalf("ticket texts %+v", got)
	}
	var segments int64
	for i, m := range got {
		wantIn := i%2 == 1
		if (m.Direction == "INBOUND") != wantIn || wantIn && (m.Status != "RECEIVED" || m.From != "+447400123600") ||
			!wantIn && (m.Status != "SENT" || m.To != "+447400123600" || !strings.Contains(m.Body, tk.Number)) {
			t.Fatalf("text %d: %+v", i, m)
		}
		if !wantIn {
			segments += int64(m.Segments)
		}
	}
	if n := meter(t, app.App, e, plans.SMS); n != segments {
		t.Fatalf("meter %d, replies took %d segments", n, segments)
	}

	// A retried webhook (same MessageSid) does nothing twice.
	form := url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+447400123600"}, "To": {"+447700900999"}, "Body": {"A brand new problem: the door lock"}}
	for range 2 {
		if code, body := webhook(t, app.App, messaging.InboundPath, form, nil); code != http.StatusOK {
			t.Fatalf("answered %d %s", code, body)
		}
	}
	if n := len(testsupport.All[tickets.Ticket](t, e.Tenant, "/api/v1/tickets")); n != 1 {
		t.Fatalf("a retried webhook changed the tickets: %d", n)
	}

	// Unknown number: the organisation's form when the line is its own.
	reply = inbound(t, app.App, "?org="+e.Slug, "+447400123699", "My boiler is broken")
	if !strings.Contains(reply, baseURL+"/report/"+e.Slug) {
		t.Fatalf("unknown number reply: %s", reply)
	}
	// Unsigned: 403 and nothing happens.
	if code, _ := webhook(t, app.App, messaging.InboundPath, url.Values{"MessageSid": {"SMx"}, "From": {"+447400123600"}, "Body": {"STOP"}}, ptr("")); code != http.StatusForbidden {
		t.Fatalf("unsigned inbound answered %d", code)
	}
	if points := testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone=07400123600"); !points[0].Granted {
		t.Fatal("an unsigned STOP withdrew consent")
	}
}

// WhatsApp free text goes only within 24 hours of the resident's last WhatsApp message;
// outside it, an approved template does, and free text is refused with the reason.
func TestWhatsApp_window(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Window", testsupport.EstateOptions{})
	noQuietHours(t, e)
	grant(t, e.Tenant, map[string]any{"type": "WHATSAPP", "value": "07400 123700"})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Window stuck"})

	f := e.Coordinator.With(t).Post(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID), map[string]any{"channel": "WHATSAPP", "body": "Hello"}).Failure()
	if f.Code != "CONFLICT" || !strings.Contains(f.Message, "24 hours") || !strings.Contains(f.Message, "template") {
		t.Fatalf("free text outside the window: %+v", f)
	}
	sid := "HX" + strings.Repeat("ab", 16)
	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "WHATSAPP", "contentSid": sid, "contentVariables": map[string]string{"1": tk.Number}})
	waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "QUEUED" })

	inbound(t, app.App, "", "whatsapp:+447400123700", "Hi, any news?")
	m = send(t, e.Coordinator, tk.ID, map[string]any{"channel": "WHATSAPP", "body": "Yes: Tuesday at 10."})
	waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "QUEUED" })

	reqs := app.fake.Messages()
	if len(reqs) != 2 {
		t.Fatalf("fake saw %+v", reqs)
	}
	if reqs[0].ContentSid != sid || reqs[0].ContentVariables != `{"1":"`+tk.Number+`"}` || reqs[0].Body != "" || reqs[0].To != "whatsapp:+447400123700" || reqs[0].From != "whatsapp:+447700900888" {
		t.Fatalf("template request %+v", reqs[0])
	}
	if reqs[1].Body != "Yes: Tuesday at 10." || reqs[1].ContentSid != "" {
		t.Fatalf("free text request %+v", reqs[1])
	}
	// WhatsApp reports a message read.
	sent := waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.ProviderSID != "" })
	if code, body := webhook(t, app.App, messaging.StatusPath, url.Values{"MessageSid": {sent.ProviderSID}, "MessageStatus": {"read"}}, nil); code != http.StatusOK {
		t.Fatalf("read callback: %d %s", code, body)
	}
	if got := waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return true }); got.Status != "READ" || got.ReadAt == nil || got.DeliveredAt == nil {
		t.Fatalf("read text %+v", got)
	}
	// Twilio's own word wins when it disagrees: 63016 is kept with its code.
	app.fake.SetOutsideWindow("+447400123700")
	m = send(t, e.Coordinator, tk.ID, map[string]any{"channel": "WHATSAPP", "body": "Are you there?"})
	m = waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "FAILED" })
	if m.ErrorCode != "63016" || !strings.Contains(m.StatusReason, "24-hour") {
		t.Fatalf("63016: %+v", m)
	}
}

// A resident known by their SMS number who writes on WhatsApp is the same person: their
// text opens a ticket, and the WhatsApp number is recorded for them without consent (the
// window is open; texts still need a grant).
func TestInbound_otherChannelIsTheSamePerson(t *testing.T) {
	app := newTexting(t, nil)
	e := app.NewEstate(t, "Channels", testsupport.EstateOptions{})
	grant(t, e.Tenant, map[string]any{"type": "SMS", "value": "07400 124300"})
	reply := inbound(t, app.App, "", "whatsapp:+447400124300", "There is water coming through the ceiling")
	mine := testsupport.All[tickets.Ticket](t, e.Tenant, "/api/v1/tickets")
	if len(mine) != 1 || !strings.Contains(reply, mine[0].Number) {
		t.Fatalf("tickets %+v, reply %s", mine, reply)
	}
	points := testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone=07400124300&channel=WHATSAPP")
	if len(points) != 1 {
		t.Fatalf("WhatsApp contact points %+v", points)
	}
	wa := points[0]
	if wa.Channel != "WHATSAPP" || wa.Granted || wa.LastInboundAt == nil || wa.UserID == nil || *wa.UserID != e.Tenant.UserID {
		t.Fatalf("WhatsApp contact point %+v", wa)
	}
}

// One number known to two organisations: on the shared line STOP reaches both, on one
// organisation's own line (?org=) only that one; a text goes to the organisation that
// texted the number last, and neither organisation sees the other's rows.
func TestInbound_numberKnownToTwoOrganisations(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	a := app.NewEstate(t, "First", testsupport.EstateOptions{})
	b := app.NewEstate(t, "Second", testsupport.EstateOptions{})
	noQuietHours(t, b)
	const number = "+447400124600"
	grant(t, a.Tenant, map[string]any{"type": "SMS", "value": number})
	grant(t, b.Tenant, map[string]any{"type": "SMS", "value": number})
	granted := func(e *testsupport.Estate) bool {
		return testsupport.All[messaging.ContactPoint](t, e.Coordinator, "/api/v1/consent?phone="+url.QueryEscape(number))[0].Granted
	}

	inbound(t, app.App, "?org="+a.Slug, number, "STOP")
	if granted(a) || !granted(b) {
		t.Fatalf("STOP on the first's own line: first %v, second %v", granted(a), granted(b))
	}
	inbound(t, app.App, "?org="+a.Slug, number, "START")
	inbound(t, app.App, "", number, "STOP")
	if granted(a) || granted(b) {
		t.Fatal("STOP on the shared line left consent somewhere")
	}
	inbound(t, app.App, "", number, "START")

	// The second organisation texts the resident; their reply belongs to it.
	tk := testsupport.CreateTicket(t, b.Tenant, map[string]any{"unitId": b.UnitID, "title": "Stiff front door"})
	m := send(t, b.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "When can we visit?"})
	waitFor(t, b.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "QUEUED" })
	reply := inbound(t, app.App, "", number, "Thursday afternoon is fine")
	if !strings.Contains(reply, tk.Number) {
		t.Fatalf("reply %s", reply)
	}
	if got := texts(t, b.Coordinator, tk.ID); len(got) != 3 || got[1].Body != "Thursday afternoon is fine" || got[0].Body != reply[strings.Index(reply, "Thanks"):strings.Index(reply, "</Message>")] {
		t.Fatalf("second organisation's texts %+v", got)
	}
	if mine := testsupport.All[tickets.Ticket](t, a.Tenant, "/api/v1/tickets"); len(mine) != 0 {
		t.Fatalf("the first organisation got tickets %+v", mine)
	}
	a.Coordinator.With(t).Get(testsupport.Path("/api/v1/tickets/%s/messages", tk.ID)).Expect(http.StatusNotFound)
}

// Someone who is not a member living in a unit (a reporter who phoned in or used the
// public form) replies to a text about their report: the reply is kept on that ticket for
// staff, and they are told so; texting about nothing recent, they are pointed to the
// organisation.
func TestInbound_reporterWhoIsNotAMemberReplies(t *testing.T) {
	app := newTexting(t, nil)
	work(t, app.App)
	e := app.NewEstate(t, "Reporter", testsupport.EstateOptions{})
	noQuietHours(t, e)
	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Communal door closer", "reportedByPhone": "07400 124900"})
	grant(t, e.Coordinator, map[string]any{"type": "SMS", "value": "07400 124900"}) // consent given on the phone
	m := send(t, e.Coordinator, tk.ID, map[string]any{"channel": "SMS", "body": "Can we come on Tuesday?"})
	if m.To != "+447400124900" {
		t.Fatalf("text went to %s", m.To)
	}
	waitFor(t, e.Coordinator, tk.ID, m.ID, func(m messaging.Text) bool { return m.Status == "QUEUED" })

	reply := inbound(t, app.App, "", "+447400124900", "Tuesday is fine, after 10")
	if !strings.Contains(reply, "added your message to "+tk.Number) {
		t.Fatalf("reply %s", reply)
	}
	got := texts(t, e.Coordinator, tk.ID)
	if len(got) != 3 || got[1].Direction != "INBOUND" || got[1].Body != "Tuesday is fine, after 10" || got[0].Direction != "OUTBOUND" {
		t.Fatalf("ticket texts %+v", got)
	}
	// The resident living there sees nothing of it.
	if d := testsupport.GetTicket(t, e.Tenant, tk.ID); len(d.Comments) != 0 {
		t.Fatalf("comments shown to the resident %+v", d.Comments)
	}
}
