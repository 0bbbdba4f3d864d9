package messaging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Consent sources.
const (
	SourceWeb     = "WEB"
	SourceAPI     = "API"
	SourceKeyword = "INBOUND_KEYWORD"
	// SourceProvider: the carrier told us the number opted out (Twilio 21610).
	SourceProvider = "PROVIDER"
)

// Consent types: texts about repairs are TRANSACTIONAL, the only kind MaintainUK sends and
// the one that gates sending; MARKETING is recorded for organisations that keep it.
const (
	Transactional = "TRANSACTIONAL"
	Marketing     = "MARKETING"
)

// ContactPoint is a number someone can be texted on, with its consent now.
type ContactPoint struct {
	ID            uuid.UUID  `json:"id"`
	Channel       string     `json:"channel" enum:"SMS,WHATSAPP"`
	Phone         string     `json:"phone" doc:"E.164."`
	UserID        *uuid.UUID `json:"userId" doc:"The member the number belongs to, when known."`
	Preferred     bool       `json:"preferred" doc:"The channel they prefer to be texted on."`
	Granted       bool       `json:"granted" doc:"Whether texts about their repairs may be sent now."`
	LastInboundAt *time.Time `json:"lastInboundAt" doc:"When they last wrote to us on this channel (WhatsApp allows free text for 24 hours after)."`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
}

func contactFromRow(c messagingdb.ContactPoint) ContactPoint {
	return ContactPoint{ID: c.ID, Channel: c.Channel, Phone: c.Address, UserID: c.UserID, Preferred: c.Preferred, Granted: c.Granted,
		LastInboundAt: c.LastInboundAt, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

// ConsentRecord is one grant or withdrawal.
type ConsentRecord struct {
	ID             uuid.UUID  `json:"id"`
	ContactPointID uuid.UUID  `json:"contactPointId"`
	Channel        string     `json:"channel" enum:"SMS,WHATSAPP"`
	Phone          string     `json:"phone"`
	Granted        bool       `json:"granted"`
	ConsentType    string     `json:"consentType" enum:"TRANSACTIONAL,MARKETING"`
	Source         string     `json:"source" enum:"WEB,API,INBOUND_KEYWORD,PROVIDER"`
	Detail         string     `json:"detail" doc:"The keyword that caused it, or the provider's error code."`
	IPAddress      string     `json:"ipAddress"`
	UserAgent      string     `json:"userAgent"`
	RecordedBy     *uuid.UUID `json:"recordedBy"`
	RecordedAt     time.Time  `json:"recordedAt"`
}

// ConsentChange is the input of a grant or a withdrawal.
type ConsentChange struct {
	// Channel (the seed's "type") and Phone (its "value").
	Channel     string
	Phone       string
	ConsentType string
	// UserID is whose number it is; staff may name any member, others only themselves
	// (nil: the caller for a non-staff member, nobody for staff).
	UserID *uuid.UUID
	// Preferred makes this the person's preferred channel (grant only).
	Preferred bool
	// Source is WEB or API (default API).
	Source string
}

// Check applies the rules on the input alone.
func (in ConsentChange) Check() error {
	var f apperr.Fields
	f.OneOf("type", strings.ToUpper(strings.TrimSpace(in.Channel)), Channels)
	if _, err := validate.Phone(in.Phone); err != nil {
		f.Add("value", "must be a phone number, e.g. 07400 123456 or +447400123456")
	}
	if in.ConsentType != "" {
		f.OneOf("consentType", strings.ToUpper(in.ConsentType), []string{Transactional, Marketing})
	}
	if in.Source != "" {
		f.OneOf("source", strings.ToUpper(in.Source), []string{SourceWeb, SourceAPI})
	}
	return f.Err()
}

// RequestMeta is where a change of consent came from.
type RequestMeta struct {
	IP        string
	UserAgent string
}

// Grant records consent to be texted on a number and channel.
func (s *Service) Grant(ctx context.Context, actor access.Actor, in ConsentChange, meta RequestMeta) (ContactPoint, ConsentRecord, error) {
	return s.change(ctx, actor, in, meta, true)
}

// Revoke records that a number must not be texted on a channel.
func (s *Service) Revoke(ctx context.Context, actor access.Actor, in ConsentChange, meta RequestMeta) (ContactPoint, ConsentRecord, error) {
	return s.change(ctx, actor, in, meta, false)
}

func (s *Service) change(ctx context.Context, actor access.Actor, in ConsentChange, meta RequestMeta, granted bool) (ContactPoint, ConsentRecord, error) {
	if err := in.Check(); err != nil {
		return ContactPoint{}, ConsentRecord{}, err
	}
	channel := strings.ToUpper(strings.TrimSpace(in.Channel))
	phone, _ := validate.Phone(in.Phone)
	owner := in.UserID
	staff := actor.Role.IsStaff()
	if !staff {
		if owner != nil && *owner != actor.UserID {
			return ContactPoint{}, ConsentRecord{}, apperr.New(apperr.Forbidden, "you can only record consent for your own number")
		}
		owner = &actor.UserID
	}
	source := strings.ToUpper(in.Source)
	if source == "" {
		source = SourceAPI
	}
	consentType := strings.ToUpper(in.ConsentType)
	if consentType == "" {
		consentType = Transactional
	}
	var cp messagingdb.ContactPoint
	var rec messagingdb.ConsentRecord
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if owner != nil && *owner != actor.UserID {
			if _, err := s.q.MemberRole(ctx, tx, messagingdb.MemberRoleParams{OrgID: actor.OrgID, UserID: *owner}); errors.Is(err, pgx.ErrNoRows) {
				var f apperr.Fields
				f.Add("userId", "is not a member of this organisation")
				return f.Err()
			} else if err != nil {
				return err
			}
		}
		if !staff {
			// A number already on record is someone's (a reporter's, or one staff typed):
			// only staff may say it is yours, or texts and replies would follow whoever
			// claimed it first.
			existing, err := s.q.GetContactPoint(ctx, tx, messagingdb.GetContactPointParams{OrgID: actor.OrgID, Channel: channel, Address: phone})
			if err == nil && (existing.UserID == nil || *existing.UserID != actor.UserID) {
				return apperr.New(apperr.Conflict, "this number is already on record for someone else; ask the organisation to record it as yours")
			}
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		var err error
		cp, err = s.q.UpsertContactPoint(ctx, tx, messagingdb.UpsertContactPointParams{OrgID: actor.OrgID, Channel: channel, Address: phone, UserID: owner})
		if err != nil {
			return err
		}
		cp, rec, err = s.record(ctx, tx, actor.OrgID, cp.ID, consentRecordInput{granted: granted, consentType: consentType, source: source,
			ip: meta.IP, userAgent: meta.UserAgent, by: &actor.UserID})
		if err != nil {
			return err
		}
		if granted && in.Preferred {
			if err := s.q.SetPreferred(ctx, tx, messagingdb.SetPreferredParams{OrgID: actor.OrgID, ID: cp.ID, UserID: cp.UserID, Address: cp.Address}); err != nil {
				return err
			}
			cp.Preferred = true
		}
		return nil
	})
	if err != nil {
		return ContactPoint{}, ConsentRecord{}, err
	}
	return contactFromRow(cp), recordFromRow(rec, cp), nil
}

type consentRecordInput struct {
	granted               bool
	consentType, source   string
	detail, ip, userAgent string
	by                    *uuid.UUID
}

// record appends a consent record and, for transactional consent, sets the contact
// point's current state, in tx (the point's row is locked first so two changes at once
// leave the newest record and the state agreeing).
func (s *Service) record(ctx context.Context, tx pgx.Tx, orgID, contactPointID uuid.UUID, in consentRecordInput) (messagingdb.ContactPoint, messagingdb.ConsentRecord, error) {
	cp, err := s.q.LockContactPoint(ctx, tx, messagingdb.LockContactPointParams{OrgID: orgID, ID: contactPointID})
	if err != nil {
		return cp, messagingdb.ConsentRecord{}, err
	}
	rec, err := s.q.InsertConsentRecord(ctx, tx, messagingdb.InsertConsentRecordParams{
		OrgID: orgID, ContactPointID: cp.ID, Granted: in.granted, ConsentType: in.consentType, Source: in.source,
		Detail: truncate(in.detail, 200), IpAddress: truncate(in.ip, 64), UserAgent: truncate(in.userAgent, 500), RecordedBy: in.by,
		RecordedAt: s.now().UTC().Truncate(time.Microsecond),
	})
	if err != nil {
		return cp, rec, fmt.Errorf("messaging: record consent: %w", err)
	}
	if in.consentType == Transactional && cp.Granted != in.granted {
		if cp, err = s.q.SetGranted(ctx, tx, messagingdb.SetGrantedParams{OrgID: orgID, ID: cp.ID, Granted: in.granted}); err != nil {
			return cp, rec, err
		}
	}
	return cp, rec, nil
}

func recordFromRow(r messagingdb.ConsentRecord, cp messagingdb.ContactPoint) ConsentRecord {
	return ConsentRecord{ID: r.ID, ContactPointID: r.ContactPointID, Channel: cp.Channel, Phone: cp.Address, Granted: r.Granted,
		ConsentType: r.ConsentType, Source: r.Source, Detail: r.Detail, IPAddress: r.IpAddress, UserAgent: r.UserAgent,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
}

// ConsentFilter narrows the lists: one phone number, one channel.
type ConsentFilter struct {
	Phone   string
	Channel string
}

func (f ConsentFilter) parse() (phone, channel *string, err error) {
	var fe apperr.Fields
	if f.Phone != "" {
		p, perr := validate.Phone(f.Phone)
		if perr != nil {
			fe.Add("phone", "must be a phone number")
		}
		phone = &p
	}
	if f.Channel != "" {
		c := strings.ToUpper(f.Channel)
		fe.OneOf("channel", c, Channels)
		channel = &c
	}
	return phone, channel, fe.Err()
}

// ownScope is the user whose numbers a non-staff member may see: their own.
func ownScope(actor access.Actor) *uuid.UUID {
	if actor.Role.IsStaff() {
		return nil
	}
	return &actor.UserID
}

// ContactPoints lists numbers and their consent now, newest first: staff see the
// organisation's, everyone else their own.
func (s *Service) ContactPoints(ctx context.Context, actor access.Actor, filter ConsentFilter, req page.Request) (page.Result[ContactPoint], error) {
	limit, before, err := req.ParseNewest()
	if err != nil {
		return page.Result[ContactPoint]{}, err
	}
	phone, channel, err := filter.parse()
	if err != nil {
		return page.Result[ContactPoint]{}, err
	}
	var rows []messagingdb.ContactPoint
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err = s.q.ListContactPoints(ctx, tx, messagingdb.ListContactPointsParams{OrgID: actor.OrgID, UserID: ownScope(actor),
			Address: phone, Channel: channel, AfterCreated: &before.CreatedAt, AfterID: &before.ID, Lim: int32(limit + 1)})
		return err
	})
	if err != nil {
		return page.Result[ContactPoint]{}, err
	}
	out := make([]ContactPoint, len(rows))
	for i, r := range rows {
		out[i] = contactFromRow(r)
	}
	return page.Build(out, limit, func(c ContactPoint) page.Key { return page.Key{CreatedAt: c.CreatedAt, ID: c.ID} }), nil
}

// History lists grants and withdrawals, newest first: staff see the organisation's,
// everyone else their own numbers'.
func (s *Service) History(ctx context.Context, actor access.Actor, filter ConsentFilter, req page.Request) (page.Result[ConsentRecord], error) {
	limit, before, err := req.ParseNewest()
	if err != nil {
		return page.Result[ConsentRecord]{}, err
	}
	phone, channel, err := filter.parse()
	if err != nil {
		return page.Result[ConsentRecord]{}, err
	}
	var rows []messagingdb.ConsentHistoryRow
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err = s.q.ConsentHistory(ctx, tx, messagingdb.ConsentHistoryParams{OrgID: actor.OrgID, UserID: ownScope(actor),
			Address: phone, Channel: channel, AfterAt: &before.CreatedAt, AfterID: &before.ID, Lim: int32(limit + 1)})
		return err
	})
	if err != nil {
		return page.Result[ConsentRecord]{}, err
	}
	out := make([]ConsentRecord, len(rows))
	for i, r := range rows {
		out[i] = ConsentRecord{ID: r.ID, ContactPointID: r.ContactPointID, Channel: r.Channel, Phone: r.Address, Granted: r.Granted,
			ConsentType: r.ConsentType, Source: r.Source, Detail: r.Detail, IPAddress: r.IpAddress, UserAgent: r.UserAgent,
			RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt.UTC()}
	}
	return page.Build(out, limit, func(c ConsentRecord) page.Key { return page.Key{CreatedAt: c.RecordedAt, ID: c.ID} }), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
