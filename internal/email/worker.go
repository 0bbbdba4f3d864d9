package email

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/email/emaildb"
	"github.com/maintainuk/maintainuk/internal/events"
	"github.com/maintainuk/maintainuk/internal/outbox"
	"github.com/maintainuk/maintainuk/internal/secretbox"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Config is where emails come from and how they leave.
type Config struct {
	FromName string
	From     string
	BaseURL  string
	// Links opens the sealed token of member.invited and password.reset_requested.
	Links *secretbox.Box
}

// withheld replaces a one-time link in the stored copy of an email.
const withheld = "(link withheld: it was sent once and is not kept)"

// Worker sends the emails of outbox.EmailArgs jobs. Each (event, recipient) is one row in
// messages, written before sending: a retried job skips what was sent or refused, so the
// same email is not sent twice (a crash between the provider's acceptance and the row's
// update can still repeat one; the provider's idempotency key, the row id, covers Resend).
type Worker struct {
	river.WorkerDefaults[outbox.EmailArgs]
	DB        *database.DB
	Sender    Sender
	Templates *Templates
	Config    Config
	Logger    *slog.Logger
}

// Work sends one event's emails.
func (w *Worker) Work(ctx context.Context, job *river.Job[outbox.EmailArgs]) error {
	env, ev, err := outbox.LoadEvent(ctx, w.DB, job.Args.Event)
	if err != nil {
		return err
	}
	recipients := Recipients(ev)
	if len(recipients) == 0 {
		return nil
	}
	var orgName string
	if err := w.DB.InOrg(ctx, env.OrgID, uuid.Nil, func(tx pgx.Tx) error {
		orgName, err = emaildb.New().OrgName(ctx, tx, env.OrgID)
		return err
	}); err != nil {
		return err
	}
	lastAttempt := job.Attempt >= job.MaxAttempts
	var transient []error
	for _, r := range recipients {
		if err := w.sendOne(ctx, env, ev, orgName, r, lastAttempt); err != nil {
			transient = append(transient, err)
		}
	}
	return errors.Join(transient...)
}

// sendOne sends to one recipient unless already sent or refused. It returns an error only
// for a failure worth retrying.
func (w *Worker) sendOne(ctx context.Context, env events.Envelope, ev events.Event, org string, r events.Recipient, lastAttempt bool) error {
	q := emaildb.New()
	key := fmt.Sprintf("%s:%s", env.ID, r.Email)
	// The stored copy of an invitation or reset leaves out its one-time link; the sent one has it.
	stored, rendered, err := w.render(env, ev, org, r)
	if err != nil {
		return river.JobCancel(err) // a template that fails now fails on every retry
	}
	var msg emaildb.Message
	err = w.DB.InOrg(ctx, env.OrgID, uuid.Nil, func(tx pgx.Tx) error {
		msg, err = q.ClaimMessage(ctx, tx, emaildb.ClaimMessageParams{
			OrgID: env.OrgID, Event: env.Key(), DedupeKey: key, Recipient: r.Email,
			Subject: stored.Subject, BodyText: stored.Text, BodyHtml: stored.HTML, Provider: w.Sender.Name(),
		})
		if errors.Is(err, pgx.ErrNoRows) {
			msg, err = q.GetMessageByKey(ctx, tx, emaildb.GetMessageByKeyParams{OrgID: env.OrgID, DedupeKey: key})
		}
		return err
	})
	if err != nil {
		return err
	}
	if msg.Status != "PENDING" {
		return nil // sent or refused on an earlier attempt
	}
	update := func(fn func(tx pgx.Tx) error) error { return w.DB.InOrg(ctx, env.OrgID, uuid.Nil, fn) }
	if _, err := validate.Email(r.Email); err != nil {
		return update(func(tx pgx.Tx) error {
			return q.MarkFailed(ctx, tx, emaildb.MarkFailedParams{OrgID: env.OrgID, ID: msg.ID, Provider: w.Sender.Name(), FailureReason: "invalid address: " + err.Error()})
		})
	}
	providerID, sendErr := w.Sender.Send(ctx, Message{
		ID: msg.ID.String(), FromName: w.Config.FromName, From: w.Config.From, ToName: r.Name, To: r.Email,
		Subject: rendered.Subject, Text: rendered.Text, HTML: rendered.HTML,
	})
	switch {
	case sendErr == nil:
		return update(func(tx pgx.Tx) error {
			return q.MarkSent(ctx, tx, emaildb.MarkSentParams{OrgID: env.OrgID, ID: msg.ID, Provider: w.Sender.Name(), ProviderMessageID: providerID})
		})
	case IsPermanent(sendErr) || lastAttempt:
		// The reason (which may name the address) stays on the message row, not in the log.
		w.Logger.Warn("email failed", "org_id", env.OrgID, "message_id", msg.ID, "event", env.Key(), "permanent", IsPermanent(sendErr))
		return update(func(tx pgx.Tx) error {
			return q.MarkFailed(ctx, tx, emaildb.MarkFailedParams{OrgID: env.OrgID, ID: msg.ID, Provider: w.Sender.Name(), FailureReason: sendErr.Error()})
		})
	default:
		if err := update(func(tx pgx.Tx) error {
			return q.RecordAttempt(ctx, tx, emaildb.RecordAttemptParams{OrgID: env.OrgID, ID: msg.ID, FailureReason: sendErr.Error()})
		}); err != nil {
			return err
		}
		return sendErr
	}
}

// render produces the copy to store and the copy to send: the same, except that the
// one-time link of member.invited and password.reset_requested is opened from its seal for
// sending only. With the development provider nothing leaves the machine and the stored
// copy is what /dev/mailbox shows, so there it keeps the link (production refuses that
// provider).
func (w *Worker) render(env events.Envelope, ev events.Event, org string, r events.Recipient) (stored, sent Rendered, err error) {
	data := Data{Org: org, BaseURL: w.Config.BaseURL, Recipient: r, E: ev}
	var sealed, path string
	var withLink func(url string) events.Event
	switch e := ev.(type) {
	case *events.MemberInvited:
		sealed, path = e.SealedToken, "/accept-invitation"
		withLink = func(url string) events.Event { c := *e; c.AcceptURL = url; return &c }
	case *events.PasswordResetRequested:
		sealed, path = e.SealedToken, "/reset-password"
		withLink = func(url string) events.Event { c := *e; c.ResetURL = url; return &c }
	default:
		sent, err = w.Templates.Render(env.Name, data)
		return sent, sent, err
	}
	if w.Config.Links == nil {
		return stored, sent, fmt.Errorf("email: no key to open one-time links")
	}
	token, err := w.Config.Links.Open(sealed)
	if err != nil {
		return stored, sent, fmt.Errorf("email: %s link: %w", env.Name, err)
	}
	data.E = withLink(w.Config.BaseURL + path + "?token=" + url.QueryEscape(token))
	if sent, err = w.Templates.Render(env.Name, data); err != nil {
		return stored, sent, err
	}
	if _, dev := w.Sender.(DevSender); dev {
		return sent, sent, nil
	}
	data.E = withLink(withheld)
	stored, err = w.Templates.Render(env.Name, data)
	return stored, sent, err
}
