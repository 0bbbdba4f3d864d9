// Package twilio sends SMS and WhatsApp messages through Twilio's Messages API with the
// official SDK (github.com/twilio/twilio-go), offers a development provider that sends
// nothing, and checks the signatures Twilio puts on its webhooks.
package twilio

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
)

// defaultTimeout bounds a call when no HTTP client is configured; it is the SDK's own
// default, so an unset client behaves as the SDK would.
const defaultTimeout = 10 * time.Second

// Config is how to reach Twilio.
type Config struct {
	AccountSID string
	AuthToken  string
	// BaseURL replaces Twilio's API host (https://api.twilio.com) when set, for a local
	// fake in tests; its own path, if any, is kept before Twilio's.
	BaseURL string
	// HTTPClient carries the requests; nil means one like the SDK's (no redirects
	// followed, 10 s timeout). Its Timeout bounds each Send.
	HTTPClient *http.Client
}

// Sender is the Twilio carrier.Sender. It is safe for concurrent use: each Send builds
// its own SDK client.
type Sender struct {
	cfg     Config
	base    *http.Client
	timeout time.Duration
}

var _ carrier.Sender = (*Sender)(nil)

// New returns a Sender for cfg.
func New(cfg Config) *Sender {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	base := cfg.HTTPClient
	timeout := defaultTimeout
	if base == nil {
		base = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	} else {
		timeout = base.Timeout
	}
	return &Sender{cfg: cfg, base: base, timeout: timeout}
}

// Name is the provider's name as stored on each message.
func (s *Sender) Name() string { return "twilio" }

// Send creates the message with Twilio. Errors are *carrier.Error.
func (s *Sender) Send(ctx context.Context, m carrier.Message) (carrier.Result, error) {
	params, err := createParams(m)
	if err != nil {
		return carrier.Result{}, err
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	api, call := s.api(ctx)
	msg, err := api.CreateMessage(params)
	if err != nil {
		return carrier.Result{}, toCarrierError(err, call.status)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		// Twilio answered without a message: nothing says it was sent, nor that it was not.
		return carrier.Result{}, &carrier.Error{HTTPStatus: call.status, Message: "Twilio's answer names no message"}
	}
	res := carrier.Result{SID: *msg.Sid}
	if msg.Status != nil {
		res.Status = *msg.Status
	}
	return res, nil
}

// createParams is m as Twilio's Messages API wants it.
func createParams(m carrier.Message) (*twapi.CreateMessageParams, error) {
	to, from := m.To, m.From
	switch m.Channel {
	case carrier.SMS:
	case carrier.WhatsApp:
		to, from = "whatsapp:"+to, "whatsapp:"+from
	default:
		return nil, &carrier.Error{Message: "unknown channel " + string(m.Channel)}
	}
	p := (&twapi.CreateMessageParams{}).SetTo(to).SetFrom(from)
	if m.ContentSID != "" {
		p.SetContentSid(m.ContentSID)
		if len(m.ContentVariables) > 0 {
			// A map of strings always encodes.
			vars, _ := json.Marshal(m.ContentVariables)
			p.SetContentVariables(string(vars))
		}
	} else {
		p.SetBody(m.Body)
	}
	if m.StatusCallback != "" {
		p.SetStatusCallback(m.StatusCallback)
	}
	return p, nil
}

// api is the SDK's Messages API for one call. The SDK neither takes a context nor lets
// its base URL be changed, but it accepts any BaseClient: a fresh client per call
// carries ctx into every request through its transport, and hostClient sends to BaseURL.
func (s *Sender) api(ctx context.Context) (*twapi.ApiService, *callTransport) {
	next := s.base.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	call := &callTransport{ctx: ctx, next: next}
	c := &twclient.Client{
		Credentials: twclient.NewCredentials(s.cfg.AccountSID, s.cfg.AuthToken),
		// The deadline is on ctx already, so the client needs no Timeout of its own.
		HTTPClient: &http.Client{Transport: call, CheckRedirect: s.base.CheckRedirect, Jar: s.base.Jar},
	}
	c.SetAccountSid(s.cfg.AccountSID)
	var bc twclient.BaseClient = c
	if s.cfg.BaseURL != "" {
		bc = hostClient{Client: c, base: s.cfg.BaseURL}
	}
	// A handler built here, not with NewRequestHandler, so TWILIO_EDGE and TWILIO_REGION
	// in the environment cannot move requests elsewhere than the Config says.
	return twapi.NewApiService(&twclient.RequestHandler{Client: bc}), call
}
