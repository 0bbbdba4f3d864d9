package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/messagingdb"
	"github.com/maintainuk/maintainuk/internal/plans"
)

// SendArgs asks the worker to send one text. Ids only: the number and the words stay in
// the organisation's messages row, under row-level security, never in the job table.
type SendArgs struct {
	OrgID     uuid.UUID `json:"orgId"`
	MessageID uuid.UUID `json:"messageId"`
}

// Kind is the job kind; the queue (sms or whatsapp) is chosen at insert.
func (SendArgs) Kind() string { return "text.send" }

// SendWorker sends queued texts.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Service *Service
}

// Work sends one text, unless a rule refuses it at the moment of sending.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.Service.deliver(ctx, job.Args.OrgID, job.Args.MessageID, job.Attempt >= job.MaxAttempts)
}

// deliver checks and claims a text (consent, WhatsApp window, allowance: the allowance is
// charged in the same transaction that marks it SENDING), hands it to the carrier, and
// records the answer. A text already SENDING (a retry after a failure the carrier may not
// have seen, or a crash) is checked again, so consent withdrawn in between still stops
// it, and sent again without charging twice.
func (s *Service) deliver(ctx context.Context, orgID, messageID uuid.UUID, lastAttempt bool) error {
	var msg messagingdb.Message
	var refused bool
	err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		var err error
		msg, err = s.q.LockText(ctx, tx, messagingdb.LockTextParams{OrgID: orgID, ID: messageID})
		if err != nil {
			return err
		}
		if msg.Status != "PENDING" && msg.Status != "SENDING" {
			return nil
		}
		reason, code, err := s.refusal(ctx, tx, msg)
		if err != nil {
			return err
		}
		if reason == "" && msg.Status == "PENDING" {
			at := s.stamp()
			ok, err := s.charge(ctx, tx, orgID, msg, *at)
			if err != nil {
				return err
			}
			if !ok {
				reason = overAllowanceReason(msg.Channel)
			} else {
				period := plans.PeriodStart(*at)
				msg.Status, msg.Metered, msg.MeteredPeriod = "SENDING", msg.Segments, &period
				return s.q.ClaimText(ctx, tx, messagingdb.ClaimTextParams{OrgID: orgID, ID: msg.ID, Metered: msg.Segments, MeteredPeriod: &period, At: at})
			}
		}
		if reason == "" {
			return nil // a retry of a text already claimed and charged
		}
		refused = true
		if err := s.refund(ctx, tx, orgID, msg); err != nil {
			return err
		}
		return s.q.MarkTextRefused(ctx, tx, messagingdb.MarkTextRefusedParams{OrgID: orgID, ID: msg.ID, Status: "BLOCKED",
			FailureReason: reason, ErrorCode: code, At: s.stamp()})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("messaging: text %s is gone", messageID))
	}
	if err == nil && refused {
		s.observe(msg.Channel, "BLOCKED")
	}
	if err != nil || refused || msg.Status != "SENDING" {
		return err
	}

	out := carrier.Message{ID: msg.ID.String(), Channel: carrier.Channel(msg.Channel), To: msg.Recipient, From: msg.Sender,
		Body: msg.BodyText, ContentSID: msg.ContentSid, ContentVariables: decodeVariables(msg.ContentVariables)}
	if s.cfg.AuthToken != "" {
		// The callback names the message too: Twilio may report a status before its
		// answer to the send (with the sid) has been recorded here.
		out.StatusCallback = s.cfg.BaseURL + StatusPath + "?" + url.Values{"org": {orgID.String()}, "message": {msg.ID.String()}}.Encode()
	}
	res, sendErr := s.sender.Send(ctx, out)
	var perr *carrier.Error
	switch {
	case sendErr == nil:
		status := providerStatus(res.Status, "QUEUED")
		err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
			return s.q.MarkTextAccepted(ctx, tx, messagingdb.MarkTextAcceptedParams{OrgID: orgID, ID: msg.ID,
				Status: status, Provider: s.sender.Name(), ProviderMessageID: res.SID, At: s.stamp()})
		})
		if err == nil {
			s.observe(msg.Channel, status)
		}
		return err
	case errors.As(sendErr, &perr) && !perr.Temporary, lastAttempt:
		code := ""
		if perr != nil && perr.Code != 0 {
			code = strconv.Itoa(perr.Code)
		}
		s.logger.Warn("text failed", "org_id", orgID, "message_id", msg.ID, "channel", msg.Channel, "error_code", code)
		err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
			if err := s.refund(ctx, tx, orgID, msg); err != nil {
				return err
			}
			if err := s.q.MarkTextRefused(ctx, tx, messagingdb.MarkTextRefusedParams{OrgID: orgID, ID: msg.ID, Status: "FAILED",
				FailureReason: failureReason(sendErr), ErrorCode: code, At: s.stamp()}); err != nil {
				return err
			}
			if perr != nil && perr.Code == carrier.CodeUnsubscribed && msg.ContactPointID != nil {
				// The carrier holds an opt-out we did not hear: record it, so nothing
				// more is attempted until the resident texts START.
				_, _, err := s.record(ctx, tx, orgID, *msg.ContactPointID, consentRecordInput{granted: false, consentType: Transactional,
					source: SourceProvider, detail: strconv.Itoa(carrier.CodeUnsubscribed)})
				return err
			}
			return nil
		})
		if err == nil {
			s.observe(msg.Channel, "FAILED")
		}
		return err
	default:
		if err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
			return s.q.RecordTextAttempt(ctx, tx, messagingdb.RecordTextAttemptParams{OrgID: orgID, ID: msg.ID, FailureReason: failureReason(sendErr)})
		}); err != nil {
			return err
		}
		return sendErr
	}
}

// refusal is why a text may not go now ("" when it may): consent withdrawn since it was
// queued, or a WhatsApp window that closed while it waited.
func (s *Service) refusal(ctx context.Context, tx pgx.Tx, msg messagingdb.Message) (reason, code string, err error) {
	if msg.ContactPointID == nil {
		return "no consent: the number's record was removed", "", nil
	}
	if ok, err := plans.InGoodStanding(ctx, tx, msg.OrgID); err != nil || !ok {
		return "payment overdue: the organisation's subscription must be paid before texts go", "", err
	}
	cp, err := s.q.GetContactPointByID(ctx, tx, messagingdb.GetContactPointByIDParams{OrgID: msg.OrgID, ID: *msg.ContactPointID})
	if err != nil {
		return "", "", err
	}
	if !cp.Granted {
		return noConsentReason(cp), "", nil
	}
	if msg.Channel == string(carrier.WhatsApp) && msg.ContentSid == "" && !inWindow(cp, s.now()) {
		return windowReason(cp), strconv.Itoa(carrier.CodeOutsideWindow), nil
	}
	return "", "", nil
}

// metric is the usage meter a text counts on: SMS by segment, WhatsApp by message.
func metric(channel string) plans.Metric {
	if channel == string(carrier.WhatsApp) {
		return plans.WhatsApp
	}
	return plans.SMS
}

// charge counts a text against the organisation's allowance for the month of at, as one
// statement with the check: false when the plan blocks usage beyond its allowance and
// this text would go beyond it.
func (s *Service) charge(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, msg messagingdb.Message, at time.Time) (bool, error) {
	org, err := s.q.OrgTexting(ctx, tx, orgID)
	if err != nil {
		return false, err
	}
	plan, err := plans.ByCode(org.Plan)
	if err != nil {
		return false, err
	}
	m := metric(msg.Channel)
	_, err = s.q.ConsumeAllowance(ctx, tx, messagingdb.ConsumeAllowanceParams{OrgID: orgID, Metric: string(m),
		PeriodStart: plans.PeriodStart(at), Quantity: int64(msg.Segments), AllowOverage: plan.AllowOverage, Allowance: plan.Included[m]})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// refund gives back what a text that never left was charged, to the month it was charged.
func (s *Service) refund(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, msg messagingdb.Message) error {
	if msg.Metered == 0 || msg.MeteredPeriod == nil {
		return nil
	}
	return s.q.RefundAllowance(ctx, tx, messagingdb.RefundAllowanceParams{OrgID: orgID, Metric: string(metric(msg.Channel)),
		PeriodStart: *msg.MeteredPeriod, Quantity: int64(msg.Metered)})
}

func overAllowanceReason(channel string) string {
	return fmt.Sprintf("over the allowance: this month's %s allowance on the organisation's plan is used up, and the plan does not allow more; upgrade to send", channelName(channel))
}

func failureReason(err error) string {
	var perr *carrier.Error
	if errors.As(err, &perr) {
		switch perr.Code {
		case carrier.CodeInvalidNumber:
			return "the number is not a valid mobile number (" + perr.Message + ")"
		case carrier.CodeUnsubscribed:
			return "the recipient has opted out of texts from this number (replied STOP); they must text START first"
		case carrier.CodeOutsideWindow:
			return "outside WhatsApp's 24-hour window: only an approved template may be sent"
		}
		return truncate(perr.Error(), 500)
	}
	return truncate(err.Error(), 500)
}

// providerStatus maps Twilio's lower-case status to ours, def for one we do not know.
func providerStatus(s, def string) string {
	switch s {
	case "accepted", "scheduled", "queued", "sending":
		return "QUEUED"
	case "sent":
		return "SENT"
	case "delivered":
		return "DELIVERED"
	case "undelivered":
		return "UNDELIVERED"
	case "failed", "canceled":
		return "FAILED"
	case "read":
		return "READ"
	}
	return def
}

// stamp is now as PostgreSQL keeps it.
func (s *Service) stamp() *time.Time {
	t := s.now().UTC().Truncate(time.Microsecond)
	return &t
}
