package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/jobs"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/messaging/textrules"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// MaxBody is the longest text staff may write (Twilio's own limit is 1,600 characters);
// what goes out is further cut to Config.MaxSegments.
const MaxBody = 1600

var contentSIDPattern = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)

// SendInput is a text staff write on a ticket.
type SendInput struct {
	Channel string
	// To is the number; empty sends to the ticket's resident (their preferred number on
	// the channel, else the one they reported with).
	To   string
	Body string
	// ContentSID and ContentVariables send an approved WhatsApp template.
	ContentSID       string
	ContentVariables map[string]string
}

// Check applies the rules on the input alone.
func (in SendInput) Check() error {
	var f apperr.Fields
	channel := strings.ToUpper(strings.TrimSpace(in.Channel))
	f.OneOf("channel", channel, Channels)
	if in.To != "" {
		if _, err := validate.Phone(in.To); err != nil {
			f.Add("to", "must be a phone number, e.g. 07400 123456 or +447400123456")
		}
	}
	body := strings.TrimSpace(in.Body)
	switch {
	case in.ContentSID != "":
		if channel == string(carrier.SMS) {
			f.Add("contentSid", "templates are for WhatsApp; an SMS is free text")
		} else if !contentSIDPattern.MatchString(in.ContentSID) {
			f.Add("contentSid", "must be an approved template's ContentSid (HX followed by 32 hex digits)")
		}
		if body != "" {
			f.Add("body", "leave out with a template: the template is the text")
		}
	default:
		if _, err := validate.LongText(in.Body, 1, MaxBody); err != nil {
			f.Add("body", err.Error())
		}
	}
	if len(in.ContentVariables) > 0 && in.ContentSID == "" {
		f.Add("contentVariables", "only with a template (contentSid)")
	}
	if len(in.ContentVariables) > 20 {
		f.Add("contentVariables", "at most 20 variables")
	}
	for k, v := range in.ContentVariables {
		if k == "" || len(k) > 20 || utf8.RuneCountInString(v) > 500 {
			f.Add("contentVariables", "keys of 1 to 20 characters, values of at most 500")
			break
		}
	}
	return f.Err()
}

// Send writes a text on a ticket (staff). It is queued unless a rule refuses it now: a
// number without consent is kept as BLOCKED with the reason (nothing is sent), and free
// WhatsApp text outside the 24-hour window is refused (409) so staff can choose a template.
func (s *Service) Send(ctx context.Context, actor access.Actor, ticketID uuid.UUID, in SendInput) (Text, error) {
	if err := actor.RequireStaff(); err != nil {
		return Text{}, err
	}
	if err := in.Check(); err != nil {
		return Text{}, err
	}
	channel := carrier.Channel(strings.ToUpper(strings.TrimSpace(in.Channel)))
	var out messagingdb.Message
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		t, err := s.q.TicketForText(ctx, tx, messagingdb.TicketForTextParams{OrgID: actor.OrgID, ID: ticketID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("ticket")
		}
		if err != nil {
			return err
		}
		if err := plans.CheckStanding(ctx, tx, actor.OrgID); err != nil {
			return err
		}
		cp, err := s.recipientPoint(ctx, tx, actor.OrgID, channel, in.To, t)
		if err != nil {
			return err
		}
		if channel == carrier.WhatsApp && in.ContentSID == "" && !inWindow(cp, s.now()) {
			return apperr.New(apperr.Conflict, "%s", windowReason(cp))
		}
		out, err = s.queue(ctx, tx, outgoing{
			orgID: actor.OrgID, channel: channel, contact: cp, ticketID: &t.ID, body: strings.TrimSpace(in.Body),
			contentSID: in.ContentSID, variables: in.ContentVariables, emergency: t.Priority == "EMERGENCY",
			createdBy: &actor.UserID, event: "ticket.message", dedupeKey: "text:" + uuid.NewString(),
		})
		return err
	})
	if err != nil {
		return Text{}, err
	}
	if out.Status == "BLOCKED" {
		s.observe(out.Channel, out.Status)
	}
	return textFromRow(out), nil
}

// recipientPoint is the contact point a staff text goes to: the number given, or the
// ticket's resident's on the channel (see residentPoints), or the number they reported
// with.
func (s *Service) recipientPoint(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, channel carrier.Channel, to string, t messagingdb.TicketForTextRow) (messagingdb.ContactPoint, error) {
	if to == "" {
		points, err := s.residentPoints(ctx, tx, orgID, t)
		if err != nil {
			return messagingdb.ContactPoint{}, err
		}
		for _, p := range points {
			if p.Channel == string(channel) {
				return p, nil
			}
		}
		to = t.ReportedByPhone
	}
	if to == "" {
		var f apperr.Fields
		f.Add("to", "the ticket's resident has no number on record for this channel; give one")
		return messagingdb.ContactPoint{}, f.Err()
	}
	phone, err := validate.Phone(to)
	if err != nil {
		var f apperr.Fields
		f.Add("to", "must be a phone number")
		return messagingdb.ContactPoint{}, f.Err()
	}
	var owner *uuid.UUID
	if t.ReportedByUserID != nil && phone == t.ReportedByPhone {
		owner = t.ReportedByUserID
	}
	return s.q.UpsertContactPoint(ctx, tx, messagingdb.UpsertContactPointParams{OrgID: orgID, Channel: string(channel), Address: phone, UserID: owner})
}

// inWindow reports whether WhatsApp free text may go to cp now.
func inWindow(cp messagingdb.ContactPoint, now time.Time) bool {
	return cp.LastInboundAt != nil && now.Sub(*cp.LastInboundAt) < Window
}

func windowReason(cp messagingdb.ContactPoint) string {
	last := "they have not written to us on WhatsApp"
	if cp.LastInboundAt != nil {
		last = "their last WhatsApp message was at " + cp.LastInboundAt.UTC().Format(time.RFC3339)
	}
	return "WhatsApp allows free text only within 24 hours of the resident's last message, and " + last +
		": send an approved template (contentSid) instead"
}

// outgoing is a text about to be queued.
type outgoing struct {
	orgID      uuid.UUID
	channel    carrier.Channel
	contact    messagingdb.ContactPoint
	ticketID   *uuid.UUID
	body       string
	contentSID string
	variables  map[string]string
	emergency  bool
	createdBy  *uuid.UUID
	event      string
	dedupeKey  string
	// blocked, when set, keeps the text as BLOCKED with this reason (nothing is sent).
	blocked string
}

// queue writes a text and, unless it is refused at once for want of consent, its send job
// (held until the quiet hours end for anything but an emergency), in tx. A dedupe key
// already used returns the message written with it.
func (s *Service) queue(ctx context.Context, tx pgx.Tx, o outgoing) (messagingdb.Message, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	body, segments, encoding := o.body, 1, ""
	if o.channel == carrier.SMS {
		link := ""
		if o.ticketID != nil {
			link = " Full message: " + strings.TrimRight(s.cfg.BaseURL, "/") + "/tickets/" + o.ticketID.String()
		}
		body, _ = textrules.Trim(body, s.cfg.MaxSegments, link)
		seg := textrules.Count(body)
		segments, encoding = seg.Count, string(seg.Encoding)
	}
	prices, from := s.cfg.SMSPrices, s.cfg.SMSFrom
	if o.channel == carrier.WhatsApp {
		prices, from = s.cfg.WhatsAppPrices, s.cfg.WhatsAppFrom
	}
	row := messagingdb.InsertTextParams{
		ID: uuid.New(), OrgID: o.orgID, Channel: string(o.channel), Event: o.event, DedupeKey: o.dedupeKey,
		Recipient: o.contact.Address, Sender: from, BodyText: body, Status: "PENDING", Provider: s.sender.Name(),
		Direction: "OUTBOUND", TicketID: o.ticketID, ContactPointID: &o.contact.ID, Segments: int32(segments), Encoding: encoding,
		CostPence: int64(segments) * prices.Pence(o.contact.Address), ContentSid: o.contentSID,
		ContentVariables: encodeVariables(o.variables), Emergency: o.emergency, CreatedBy: o.createdBy, StatusAt: &now,
	}
	if o.blocked == "" && !o.contact.Granted {
		o.blocked = noConsentReason(o.contact)
	}
	if o.blocked != "" {
		row.Status, row.FailureReason, row.CostPence = "BLOCKED", o.blocked, 0
	} else if !o.emergency {
		settings, err := orgsettings.Load(ctx, tx, o.orgID)
		if err != nil {
			return messagingdb.Message{}, err
		}
		if until, held := quietHours(settings).HoldUntil(now); held {
			row.HoldUntil = &until
		}
	}
	msg, err := s.q.InsertText(ctx, tx, row)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.q.GetTextByKey(ctx, tx, messagingdb.GetTextByKeyParams{OrgID: o.orgID, DedupeKey: o.dedupeKey})
	}
	if err != nil {
		return msg, fmt.Errorf("messaging: insert text: %w", err)
	}
	if msg.Status != "PENDING" {
		return msg, nil
	}
	opts := &river.InsertOpts{Queue: jobs.QueueSMS}
	if o.channel == carrier.WhatsApp {
		opts.Queue = jobs.QueueWhatsApp
	}
	if msg.HoldUntil != nil {
		opts.ScheduledAt = *msg.HoldUntil
	}
	if _, err := s.jobs.InsertTx(ctx, tx, SendArgs{OrgID: o.orgID, MessageID: msg.ID}, opts); err != nil {
		return msg, fmt.Errorf("messaging: queue text: %w", err)
	}
	return msg, nil
}

func noConsentReason(cp messagingdb.ContactPoint) string {
	return fmt.Sprintf("no consent: %s has not agreed to receive %s messages (or withdrew it)", cp.Address, channelName(cp.Channel))
}

func channelName(c string) string {
	if c == string(carrier.WhatsApp) {
		return "WhatsApp"
	}
	return "SMS"
}

// quietHours is the organisation's quiet window as textrules reads it; settings are
// checked when saved, so a value that does not parse means none.
func quietHours(s orgsettings.Settings) textrules.QuietHours {
	start, err1 := textrules.ParseClock(s.QuietHours.Start)
	end, err2 := textrules.ParseClock(s.QuietHours.End)
	if err1 != nil || err2 != nil {
		return textrules.QuietHours{}
	}
	return textrules.QuietHours{Start: start, End: end}
}

func encodeVariables(v map[string]string) []byte {
	if len(v) == 0 {
		return nil
	}
	raw, _ := json.Marshal(v)
	return raw
}

func decodeVariables(raw []byte) map[string]string {
	out := map[string]string{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// TicketTexts lists a ticket's texts, newest first (staff).
func (s *Service) TicketTexts(ctx context.Context, actor access.Actor, ticketID uuid.UUID, req page.Request) (page.Result[Text], error) {
	if err := actor.RequireStaff(); err != nil {
		return page.Result[Text]{}, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return page.Result[Text]{}, err
	}
	var rows []messagingdb.Message
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.TicketForText(ctx, tx, messagingdb.TicketForTextParams{OrgID: actor.OrgID, ID: ticketID}); errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("ticket")
		} else if err != nil {
			return err
		}
		rows, err = s.q.ListTicketTexts(ctx, tx, messagingdb.ListTicketTextsParams{OrgID: actor.OrgID, TicketID: &ticketID,
			AfterCreated: &before.CreatedAt, AfterID: &before.ID, Lim: int32(limit + 1)})
		return err
	})
	if err != nil {
		return page.Result[Text]{}, err
	}
	out := make([]Text, len(rows))
	for i, r := range rows {
		out[i] = textFromRow(r)
	}
	return page.Build(out, limit, func(t Text) page.Key { return page.Key{CreatedAt: t.CreatedAt, ID: t.ID} }), nil
}
