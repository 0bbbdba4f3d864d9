package email

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPConfig reaches an SMTP relay.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "none", "starttls" (required) or "tls" (implicit, usually port 465).
	TLS string
}

// SMTPSender sends through any SMTP relay with go-mail.
type SMTPSender struct{ cfg SMTPConfig }

// NewSMTPSender returns a sender for the relay.
func NewSMTPSender(cfg SMTPConfig) *SMTPSender { return &SMTPSender{cfg: cfg} }

// Name is "smtp".
func (s *SMTPSender) Name() string { return "smtp" }

// Send delivers one message. A 5xx refusal (unknown mailbox, policy) is permanent; other
// failures are retried.
func (s *SMTPSender) Send(ctx context.Context, m Message) (string, error) {
	msg := mail.NewMsg()
	if err := msg.FromFormat(m.FromName, m.From); err != nil {
		return "", Permanent("bad sender address: %v", err)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return "", Permanent("invalid recipient address %q", m.To)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@maintainuk")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	opts := []mail.Option{mail.WithTimeout(30 * time.Second)}
	switch s.cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	opts = append(opts, mail.WithPort(s.cfg.Port))
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	client, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return "", fmt.Errorf("email: smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var sendErr *mail.SendError
		if errors.As(err, &sendErr) && !sendErr.IsTemp() && permanentReasons[sendErr.Reason] {
			return "", Permanent("smtp refused the message: %v", err)
		}
		return "", fmt.Errorf("email: smtp: %w", err)
	}
	return m.ID + "@maintainuk", nil
}

// permanentReasons are the SMTP stages whose 5xx refusal concerns this message (not the
// connection): retrying would get the same answer.
var permanentReasons = map[mail.SendErrReason]bool{
	mail.ErrGetRcpts: true, mail.ErrSMTPMailFrom: true, mail.ErrSMTPRcptTo: true, mail.ErrSMTPData: true,
}
