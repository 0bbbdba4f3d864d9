package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/messaging/textrules"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Inbound is a text Twilio brought in.
type Inbound struct {
	SID     string
	Channel carrier.Channel
	From    string // E.164
	To      string
	Body    string
}

// ParseInbound reads Twilio's inbound webhook form. WhatsApp numbers come as
// "whatsapp:+44…".
func ParseInbound(form url.Values) (Inbound, error) {
	in := Inbound{SID: first(form, "MessageSid", "SmsMessageSid", "SmsSid"), Channel: carrier.SMS, Body: form.Get("Body")}
	from, to := strings.TrimSpace(form.Get("From")), strings.TrimSpace(form.Get("To"))
	if strings.HasPrefix(from, "whatsapp:") {
		in.Channel = carrier.WhatsApp
		from, to = strings.TrimPrefix(from, "whatsapp:"), strings.TrimPrefix(to, "whatsapp:")
	}
	phone, err := validate.Phone(from)
	if err != nil || in.SID == "" {
		return in, errors.New("messaging: inbound text without a sender or a sid")
	}
	in.From, in.To = phone, to
	if !utf8.ValidString(in.Body) {
		in.Body = strings.ToValidUTF8(in.Body, "\uFFFD")
	}
	return in, nil
}

// route is one organisation's record of the sender's number.
type route struct {
	orgID, contactPointID uuid.UUID
}

// routes lists every organisation that knows the number on the channel; orgSlug (the
// webhook URL's ?org=, for an organisation's own number) keeps only that one.
func (s *Service) routes(ctx context.Context, in Inbound, orgSlug string) ([]route, uuid.UUID, error) {
	var hinted uuid.UUID
	if orgSlug != "" {
		err := s.db.InTx(ctx, database.Scope{OrgSlug: orgSlug}, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT id FROM organisations WHERE slug = $1", orgSlug).Scan(&hinted)
		})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, hinted, err
		}
	}
	keep := func(r route) bool { return orgSlug == "" || r.orgID == hinted }
	out, err := s.lookup(ctx, in.Channel, in.From, keep)
	if err != nil || len(out) > 0 {
		return out, hinted, err
	}
	// A resident known by their SMS number who writes on WhatsApp (or the other way
	// round) is the same person: the new channel's contact point is recorded for them,
	// without consent until they give it.
	other := carrier.WhatsApp
	if in.Channel == carrier.WhatsApp {
		other = carrier.SMS
	}
	known, err := s.lookup(ctx, other, in.From, keep)
	if err != nil {
		return nil, hinted, err
	}
	for _, r := range known {
		err := s.db.InTx(ctx, database.Scope{OrgID: r.orgID}, func(tx pgx.Tx) error {
			cp, err := s.q.GetContactPointByID(ctx, tx, messagingdb.GetContactPointByIDParams{OrgID: r.orgID, ID: r.contactPointID})
			if err != nil {
				return err
			}
			cp, err = s.q.UpsertContactPoint(ctx, tx, messagingdb.UpsertContactPointParams{OrgID: r.orgID, Channel: string(in.Channel), Address: in.From, UserID: cp.UserID})
			out = append(out, route{orgID: r.orgID, contactPointID: cp.ID})
			return err
		})
		if err != nil {
			return nil, hinted, err
		}
	}
	return out, hinted, nil
}

// lookup lists the organisations' contact points for a number on a channel.
func (s *Service) lookup(ctx context.Context, channel carrier.Channel, address string, keep func(route) bool) ([]route, error) {
	rows, err := s.db.Pool.Query(ctx, "SELECT org_id, contact_point_id FROM texting_contacts($1, $2)", string(channel), address)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []route
	for rows.Next() {
		var r route
		if err := rows.Scan(&r.orgID, &r.contactPointID); err != nil {
			return nil, err
		}
		if keep(r) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// HandleInbound acts on a text and returns the reply to send back ("" for none):
//
//   - STOP and its synonyms withdraw consent in every organisation that knows the
//     number (on this line); START, UNSTOP and YES give it again; HELP answers with the
//     organisation's contact line. Carriers expect these answered whoever sent them.
//   - Otherwise, a resident's text comments on their open ticket when it names one
//     ("MT-000042") or they reported or texted about one within 48 hours, and opens a new
//     ticket for their home when not; the reply names the ticket.
//   - An unknown number is pointed to the public report form.
//
// The reply, sent by Twilio as the webhook's answer, is kept as an outbound text in the
// organisation the conversation belongs to, and counted on its meter (never blocked: a
// keyword's confirmation must go).
func (s *Service) HandleInbound(ctx context.Context, in Inbound, orgSlug string) (string, error) {
	var where route
	reply, err := s.handleInbound(ctx, in, orgSlug, &where)
	if err != nil || reply == "" || where.orgID == uuid.Nil {
		return reply, err
	}
	return reply, s.recordReply(ctx, where, in, reply)
}

// handleInbound acts on a text and returns the reply; where is set to the organisation
// and contact point the conversation belongs to, when there is one.
func (s *Service) handleInbound(ctx context.Context, in Inbound, orgSlug string, where *route) (string, error) {
	routes, hinted, err := s.routes(ctx, in, orgSlug)
	if err != nil {
		return "", err
	}
	if len(routes) > 0 {
		if *where, err = s.newestRoute(ctx, routes); err != nil {
			return "", err
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	keyword := textrules.ParseKeyword(in.Body)
	if keyword != textrules.None {
		return s.keyword(ctx, in, keyword, routes, hinted, where.orgID)
	}
	if len(routes) == 0 {
		return s.unknownReply(ctx, hinted)
	}
	r := *where
	// Keep the text and open the WhatsApp window first. A retried webhook (same sid) finds
	// the text kept: done when it reached a ticket, and carried on when the first attempt
	// failed before that (so a report is not lost to an error half-way).
	var cp messagingdb.ContactPoint
	var msg messagingdb.Message
	var fresh, stored bool
	var role string
	err = s.db.InTx(ctx, database.Scope{OrgID: r.orgID}, func(tx pgx.Tx) error {
		var err error
		if cp, err = s.q.GetContactPointByID(ctx, tx, messagingdb.GetContactPointByIDParams{OrgID: r.orgID, ID: r.contactPointID}); err != nil {
			return err
		}
		row := inboundRow(r.orgID, in, cp.ID, now)
		msg, err = s.q.InsertText(ctx, tx, row)
		if errors.Is(err, pgx.ErrNoRows) {
			if msg, err = s.q.GetTextByKey(ctx, tx, messagingdb.GetTextByKeyParams{OrgID: r.orgID, DedupeKey: row.DedupeKey}); err != nil || msg.TicketID != nil {
				return err
			}
		} else if err != nil {
			return err
		} else if err := s.q.TouchInbound(ctx, tx, messagingdb.TouchInboundParams{OrgID: r.orgID, ID: cp.ID, At: &now}); err != nil {
			return err
		} else {
			stored = true
		}
		fresh = true
		if cp.UserID != nil {
			role, err = s.q.MemberRole(ctx, tx, messagingdb.MemberRoleParams{OrgID: r.orgID, UserID: *cp.UserID})
			if errors.Is(err, pgx.ErrNoRows) {
				role, err = "", nil
			}
		}
		return err
	})
	if err != nil || !fresh {
		return "Thanks, we have your message.", err
	}
	if stored {
		s.observe(string(in.Channel), "RECEIVED")
	}
	if role != string(access.Tenant) {
		return s.otherReply(ctx, r.orgID, cp, in.Body, msg.ID)
	}
	actor := access.Actor{OrgID: r.orgID, UserID: *cp.UserID, Role: access.Tenant}
	number, commented, err := s.joinTicket(ctx, actor, cp, in.Body, msg.ID)
	if err != nil {
		return "", err
	}
	if commented {
		return fmt.Sprintf("Thanks, we have added your message to %s.", number), nil
	}
	return s.openTicket(ctx, actor, in.Body, msg.ID)
}

// recordReply keeps the reply to an inbound text as an outbound one, on the ticket the
// inbound text reached, and counts it on the organisation's meter.
func (s *Service) recordReply(ctx context.Context, where route, in Inbound, reply string) error {
	now := s.now().UTC().Truncate(time.Microsecond)
	var msg messagingdb.Message
	var stored bool
	err := s.db.InTx(ctx, database.Scope{OrgID: where.orgID}, func(tx pgx.Tx) error {
		var ticketID *uuid.UUID
		if received, err := s.q.GetTextByKey(ctx, tx, messagingdb.GetTextByKeyParams{OrgID: where.orgID, DedupeKey: "in:" + in.SID}); err == nil {
			ticketID = received.TicketID
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		segments, encoding, prices := int32(1), "", s.cfg.WhatsAppPrices
		if in.Channel == carrier.SMS {
			seg := textrules.Count(reply)
			segments, encoding, prices = int32(seg.Count), string(seg.Encoding), s.cfg.SMSPrices
		}
		period := plans.PeriodStart(now)
		var err error
		msg, err = s.q.InsertText(ctx, tx, messagingdb.InsertTextParams{
			ID: uuid.New(), OrgID: where.orgID, Channel: string(in.Channel), Event: "inbound.reply", DedupeKey: "reply:" + in.SID,
			Recipient: in.From, Sender: in.To, BodyText: reply, Status: "SENT", Provider: "twiml", Direction: "OUTBOUND",
			TicketID: ticketID, ContactPointID: &where.contactPointID, Segments: segments, Encoding: encoding,
			CostPence: int64(segments) * prices.Pence(in.From), StatusAt: &now,
		})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // a retried webhook: kept and counted the first time
		}
		if err != nil {
			return err
		}
		stored = true
		if _, err := s.q.ConsumeAllowance(ctx, tx, messagingdb.ConsumeAllowanceParams{OrgID: where.orgID, Metric: string(metric(msg.Channel)),
			PeriodStart: period, Quantity: int64(segments), AllowOverage: true}); err != nil {
			return err
		}
		return s.q.MarkReplySent(ctx, tx, messagingdb.MarkReplySentParams{OrgID: where.orgID, ID: msg.ID, Metered: segments, MeteredPeriod: &period, At: &now})
	})
	if err == nil && stored {
		s.observe(msg.Channel, "SENT")
	}
	return err
}

// newestRoute picks, among the organisations that know a number, the one that exchanged
// a text with it last: on a shared line, a reply belongs to the conversation it answers.
func (s *Service) newestRoute(ctx context.Context, routes []route) (route, error) {
	best, bestAt := routes[0], time.Time{}
	if len(routes) == 1 {
		return best, nil
	}
	for _, r := range routes {
		var at time.Time
		err := s.db.InTx(ctx, database.Scope{OrgID: r.orgID}, func(tx pgx.Tx) error {
			var err error
			at, err = s.q.LastTextTo(ctx, tx, messagingdb.LastTextToParams{OrgID: r.orgID, ContactPointID: &r.contactPointID})
			return err
		})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return best, err
		}
		if at.After(bestAt) {
			best, bestAt = r, at
		}
	}
	return best, nil
}

func inboundRow(orgID uuid.UUID, in Inbound, contactPointID uuid.UUID, now time.Time) messagingdb.InsertTextParams {
	seg := textrules.Count(in.Body)
	segments, encoding := int32(seg.Count), string(seg.Encoding)
	if in.Channel == carrier.WhatsApp {
		segments, encoding = 1, ""
	}
	return messagingdb.InsertTextParams{
		ID: uuid.New(), OrgID: orgID, Channel: string(in.Channel), Event: "inbound", DedupeKey: "in:" + in.SID,
		Recipient: in.To, Sender: in.From, BodyText: truncate(in.Body, 5000), Status: "RECEIVED", Provider: "twilio",
		ProviderMessageID: "", Direction: "INBOUND", ContactPointID: &contactPointID, Segments: segments, Encoding: encoding,
		StatusAt: &now,
	}
}

var ticketRef = regexp.MustCompile(`(?i)\bMT-?0*([0-9]{1,9})\b`)

// joinTicket comments on the resident's ticket the text names, or their recent open one.
func (s *Service) joinTicket(ctx context.Context, actor access.Actor, cp messagingdb.ContactPoint, body string, messageID uuid.UUID) (string, bool, error) {
	var target *messagingdb.RecentOpenTicketRow
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if m := ticketRef.FindStringSubmatch(body); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			t, err := s.q.OpenTicketByNumber(ctx, tx, messagingdb.OpenTicketByNumberParams{OrgID: actor.OrgID, Number: n})
			if err == nil {
				visible, verr := s.tickets.Visible(ctx, tx, actor, t.ID)
				if verr != nil {
					return verr
				}
				if visible {
					target = &messagingdb.RecentOpenTicketRow{ID: t.ID, Number: t.Number}
					return nil
				}
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		t, err := s.q.RecentOpenTicket(ctx, tx, messagingdb.RecentOpenTicketParams{OrgID: actor.OrgID, UserID: &actor.UserID,
			Address: cp.Address, Since: s.now().Add(-ThreadWindow), ContactPointID: &cp.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		target = &t
		return err
	})
	if err != nil || target == nil {
		return "", false, err
	}
	comment := strings.TrimSpace(body)
	if comment == "" {
		comment = "(an empty text)"
	}
	if _, err := s.tickets.AddComment(ctx, actor, target.ID, tickets.CommentInput{Body: cleanForTicket(comment, 5000)}); err != nil {
		return "", false, err
	}
	return tickets.FormatNumber(target.Number), true, s.linkText(ctx, actor.OrgID, messageID, target.ID)
}

// openTicket reports a repair for the resident's home from their text.
func (s *Service) openTicket(ctx context.Context, actor access.Actor, body string, messageID uuid.UUID) (string, error) {
	var unitID uuid.UUID
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		unitID, err = s.q.ResidentUnit(ctx, tx, messagingdb.ResidentUnitParams{OrgID: actor.OrgID, UserID: actor.UserID})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return s.notResidentReply(ctx, actor.OrgID)
	}
	if err != nil {
		return "", err
	}
	text := cleanForTicket(strings.TrimSpace(body), 2000)
	if text == "" {
		return "Thanks for your text. Tell us what needs repairing and we will log it for you.", nil
	}
	t, err := s.tickets.Create(ctx, actor, tickets.CreateInput{UnitID: unitID, Title: titleFrom(text), Description: text})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Forbidden) {
		return s.notResidentReply(ctx, actor.OrgID)
	}
	if err != nil {
		return "", err
	}
	if err := s.linkText(ctx, actor.OrgID, messageID, t.ID); err != nil {
		return "", err
	}
	return fmt.Sprintf("Thanks, we have logged your repair as %s. We will be in touch; reply to this number with %s in your text to add to it.", t.Number, t.Number), nil
}

func (s *Service) linkText(ctx context.Context, orgID, messageID, ticketID uuid.UUID) error {
	return s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return s.q.SetTextTicket(ctx, tx, messagingdb.SetTextTicketParams{OrgID: orgID, ID: messageID, TicketID: &ticketID})
	})
}

// titleFrom is a ticket title from a text: its first line, cut at a word near 80
// characters.
func titleFrom(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) <= 80 {
		return line
	}
	r := []rune(line)[:80]
	if i := strings.LastIndex(string(r), " "); i > 40 {
		return string(r[:utf8.RuneCountInString(string(r)[:i])]) + "…"
	}
	return string(r) + "…"
}

// cleanForTicket drops the control characters a ticket refuses (texts may carry any) and
// keeps at most n characters.
func cleanForTicket(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n])
	}
	return strings.TrimSpace(s)
}

// keyword applies STOP, START or HELP in every organisation that knows the number. A
// retried webhook (same sid) changes nothing again, and START gives back only what a
// STOP (or the carrier's opt-out) took: it never grants consent that was never given.
func (s *Service) keyword(ctx context.Context, in Inbound, k textrules.Keyword, routes []route, hinted, newest uuid.UUID) (string, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	word := strings.ToUpper(strings.TrimSpace(in.Body))
	for _, r := range routes {
		var fresh bool
		err := s.db.InTx(ctx, database.Scope{OrgID: r.orgID}, func(tx pgx.Tx) error {
			if _, err := s.q.InsertText(ctx, tx, inboundRow(r.orgID, in, r.contactPointID, now)); errors.Is(err, pgx.ErrNoRows) {
				return nil
			} else if err != nil {
				return err
			}
			fresh = true
			if err := s.q.TouchInbound(ctx, tx, messagingdb.TouchInboundParams{OrgID: r.orgID, ID: r.contactPointID, At: &now}); err != nil {
				return err
			}
			switch k {
			case textrules.Help:
				return nil
			case textrules.OptIn:
				last, err := s.q.LatestConsent(ctx, tx, messagingdb.LatestConsentParams{OrgID: r.orgID, ContactPointID: r.contactPointID})
				if errors.Is(err, pgx.ErrNoRows) || err == nil && (last.Granted || last.Source != SourceKeyword && last.Source != SourceProvider) {
					return nil
				}
				if err != nil {
					return err
				}
			}
			_, _, err := s.record(ctx, tx, r.orgID, r.contactPointID, consentRecordInput{granted: k == textrules.OptIn,
				consentType: Transactional, source: SourceKeyword, detail: truncate(word, 200)})
			return err
		})
		if err != nil {
			return "", err
		}
		if fresh {
			s.observe(string(in.Channel), "RECEIVED")
		}
	}
	switch k {
	case textrules.OptOut:
		return "You have been unsubscribed and will get no more texts from this number. Reply START to resubscribe.", nil
	case textrules.OptIn:
		if len(routes) == 0 {
			return "We do not have this number on record. Ask your landlord or managing agent to add it.", nil
		}
		return "You are subscribed again to texts about your repairs. Reply STOP to unsubscribe, HELP for help.", nil
	}
	orgID := hinted
	if newest != uuid.Nil {
		orgID = newest
	}
	if orgID == uuid.Nil {
		return "MaintainUK repair updates. Reply STOP to unsubscribe. Msg&data rates may apply.", nil
	}
	name, line, err := s.contactLine(ctx, orgID)
	if err != nil {
		return "", err
	}
	if line != "" {
		return fmt.Sprintf("%s repair updates. Contact us: %s. Reply STOP to unsubscribe.", name, line), nil
	}
	return fmt.Sprintf("%s repair updates. Reply STOP to unsubscribe.", name), nil
}

func (s *Service) contactLine(ctx context.Context, orgID uuid.UUID) (name, line string, err error) {
	err = s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		org, err := s.q.OrgTexting(ctx, tx, orgID)
		if err != nil {
			return err
		}
		settings, err := orgsettings.Load(ctx, tx, orgID)
		name, line = org.Name, settings.ContactLine
		return err
	})
	return name, line, err
}

// unknownReply points a number nobody here knows to the report form.
func (s *Service) unknownReply(ctx context.Context, hinted uuid.UUID) (string, error) {
	if hinted == uuid.Nil {
		return "We do not recognise this number. To report a repair, use your landlord's or managing agent's online repair form.", nil
	}
	var name, slug string
	err := s.db.InTx(ctx, database.Scope{OrgID: hinted}, func(tx pgx.Tx) error {
		org, err := s.q.OrgTexting(ctx, tx, hinted)
		name, slug = org.Name, org.Slug
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("We do not recognise this number. To report a repair to %s, use %s", name, s.ReportURL(slug)), nil
}

// ReportURL is the public report form of an organisation.
func (s *Service) ReportURL(slug string) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/report/" + slug
}

// otherReply answers a known number that is not a member living in a unit: a reporter from
// the public form, a contractor's user. A text that names a ticket this number reported
// or was texted about, or comes within 48 hours of one, is kept on that ticket (in its
// messages, for staff; nothing is shown to residents, who may be someone else); otherwise
// it is pointed to the organisation.
func (s *Service) otherReply(ctx context.Context, orgID uuid.UUID, cp messagingdb.ContactPoint, body string, messageID uuid.UUID) (string, error) {
	var ticketID uuid.UUID
	var number int64
	err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		if m := ticketRef.FindStringSubmatch(body); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			t, err := s.q.TicketByNumberForNumber(ctx, tx, messagingdb.TicketByNumberForNumberParams{OrgID: orgID, Number: n,
				Address: cp.Address, ContactPointID: &cp.ID})
			if err == nil {
				ticketID, number = t.ID, t.Number
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		t, err := s.q.RecentOpenTicket(ctx, tx, messagingdb.RecentOpenTicketParams{OrgID: orgID, UserID: cp.UserID,
			Address: cp.Address, Since: s.now().Add(-ThreadWindow), ContactPointID: &cp.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		ticketID, number = t.ID, t.Number
		return err
	})
	if err != nil {
		return "", err
	}
	if ticketID == uuid.Nil {
		return s.notResidentReply(ctx, orgID)
	}
	if err := s.linkText(ctx, orgID, messageID, ticketID); err != nil {
		return "", err
	}
	return fmt.Sprintf("Thanks, we have added your message to %s.", tickets.FormatNumber(number)), nil
}

func (s *Service) notResidentReply(ctx context.Context, orgID uuid.UUID) (string, error) {
	name, line, err := s.contactLine(ctx, orgID)
	if err != nil {
		return "", err
	}
	reply := fmt.Sprintf("Thanks for your text. We could not match this number to a home %s manages, so please contact them directly", name)
	if line != "" {
		reply += ": " + line
	}
	return reply + ".", nil
}
