package messaging

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
)

// Webhook paths (outside /api/v1 and outside user auth; Twilio signs each request).
const (
	StatusPath  = "/webhooks/twilio/status"
	InboundPath = "/webhooks/twilio/inbound"
)

// Verify reports whether a webhook request carries Twilio's valid signature: computed
// with the auth token over the public URL (BASE_URL, the path and the query Twilio was
// given) and the form, so a proxy that changes the host or scheme in front of the
// service does not break it. Without an auth token nothing verifies.
func (s *Service) Verify(path, rawQuery string, form url.Values, signature string) bool {
	if s.cfg.AuthToken == "" || signature == "" {
		return false
	}
	return twilio.ValidSignature(s.cfg.AuthToken, twilio.PublicURL(s.cfg.BaseURL, path, rawQuery), form, signature)
}

// statusRank orders statuses so a late callback ("sent" after "delivered") never moves
// a text backwards.
var statusRank = map[string]int{
	"PENDING": 0, "SENDING": 1, "QUEUED": 2, "SENT": 3, "DELIVERED": 4, "UNDELIVERED": 4, "FAILED": 4, "READ": 5,
}

// CallbackRef is the message a status callback's URL names (set when the text was sent);
// zero for a callback configured elsewhere, which is found by its sid alone.
type CallbackRef struct {
	OrgID, MessageID uuid.UUID
}

// Status applies a delivery-status callback (queued, sent, delivered, undelivered,
// failed, read) to the text it names: by the sid, or, when Twilio reports before its
// answer to the send has been recorded, by the ids in the callback's URL (signed with the
// rest). A callback for a text nobody here sent is ignored.
func (s *Service) Status(ctx context.Context, ref CallbackRef, form url.Values) error {
	sid := first(form, "MessageSid", "SmsSid")
	status := providerStatus(strings.ToLower(first(form, "MessageStatus", "SmsStatus")), "")
	if sid == "" || status == "" {
		return nil
	}
	orgID, messageID := ref.OrgID, ref.MessageID
	err := s.db.Pool.QueryRow(ctx, "SELECT org_id, message_id FROM texting_message_by_sid($1)", sid).Scan(&orgID, &messageID)
	if errors.Is(err, pgx.ErrNoRows) && (orgID == uuid.Nil || messageID == uuid.Nil) {
		return nil
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	code := form.Get("ErrorCode")
	if _, err := strconv.Atoi(code); err != nil {
		code = ""
	}
	var channel string // set when the status was applied, to count it once committed
	err = s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		msg, err := s.q.LockText(ctx, tx, messagingdb.LockTextParams{OrgID: orgID, ID: messageID})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if msg.Direction != "OUTBOUND" || msg.Status == "PENDING" || (msg.ProviderMessageID != "" && msg.ProviderMessageID != sid) ||
			statusRank[status] <= statusRank[msg.Status] {
			return nil // not handed to the carrier, another message's sid, or a late callback
		}
		channel = msg.Channel
		if status == "FAILED" {
			if err := s.refund(ctx, tx, orgID, msg); err != nil {
				return err
			}
		}
		reason := ""
		if code != "" {
			n, _ := strconv.Atoi(code)
			reason = failureReason(&carrier.Error{Code: n, Message: strings.ToLower(status)})
		}
		if _, err := s.q.ApplyProviderStatus(ctx, tx, messagingdb.ApplyProviderStatusParams{OrgID: orgID, ID: msg.ID, Status: status,
			ErrorCode: code, FailureReason: reason, At: s.stamp()}); err != nil {
			return err
		}
		if code == strconv.Itoa(carrier.CodeUnsubscribed) && msg.ContactPointID != nil {
			_, _, err := s.record(ctx, tx, orgID, *msg.ContactPointID, consentRecordInput{granted: false, consentType: Transactional,
				source: SourceProvider, detail: code})
			return err
		}
		return nil
	})
	if err == nil && channel != "" {
		s.observe(channel, status)
	}
	return err
}

// first is the first non-empty of a form's keys (Twilio sends both Message* and the older
// Sms* names).
func first(form url.Values, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(form.Get(k)); v != "" {
			return v
		}
	}
	return ""
}
