package twilio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio/twiliofake"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
	ourNumber  = "+447700900001"
	tenant     = "+447700900123"
)

func TestSendFormFields(t *testing.T) {
	tests := []struct {
		name string
		msg  carrier.Message
		want twiliofake.Request
	}{
		{
			name: "SMS",
			msg:  carrier.Message{ID: "m1", Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Your repair MT-000042 is booked."},
			want: twiliofake.Request{To: tenant, From: ourNumber, Body: "Your repair MT-000042 is booked."},
		},
		{
			name: "WhatsApp free text",
			msg:  carrier.Message{ID: "m2", Channel: carrier.WhatsApp, To: tenant, From: ourNumber, Body: "Hello"},
			want: twiliofake.Request{To: "whatsapp:" + tenant, From: "whatsapp:" + ourNumber, Body: "Hello"},
		},
		{
			name: "WhatsApp template",
			msg: carrier.Message{ID: "m3", Channel: carrier.WhatsApp, To: tenant, From: ourNumber,
				ContentSID: "HX0123456789abcdef0123456789abcdef", ContentVariables: map[string]string{"1": "MT-000042", "2": "Tuesday"}},
			want: twiliofake.Request{To: "whatsapp:" + tenant, From: "whatsapp:" + ourNumber,
				ContentSid: "HX0123456789abcdef0123456789abcdef", ContentVariables: `{"1":"MT-000042","2":"Tuesday"}`},
		},
		{
			name: "template without variables",
			msg:  carrier.Message{ID: "m4", Channel: carrier.WhatsApp, To: tenant, From: ourNumber, ContentSID: "HXabc"},
			want: twiliofake.Request{To: "whatsapp:" + tenant, From: "whatsapp:" + ourNumber, ContentSid: "HXabc"},
		},
		{
			name: "status callback",
			msg: carrier.Message{ID: "m5", Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi",
				StatusCallback: "https://app.example.co.uk/webhooks/twilio/status"},
			want: twiliofake.Request{To: tenant, From: ourNumber, Body: "Hi", StatusCallback: "https://app.example.co.uk/webhooks/twilio/status"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := twiliofake.New(t, accountSID, authToken)
			s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, BaseURL: fake.URL() + "/"})
			res, err := s.Send(context.Background(), tt.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := fake.Messages()
			if len(got) != 1 {
				t.Fatalf("fake received %d requests, want 1", len(got))
			}
			tt.want.Path = "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
			tt.want.Status, tt.want.SID = http.StatusCreated, got[0].SID
			if got[0] != tt.want {
				t.Errorf("fake received\n%+v\nwant\n%+v", got[0], tt.want)
			}
			if res.SID != got[0].SID || !strings.HasPrefix(res.SID, "SM") || len(res.SID) != 34 {
				t.Errorf("SID %q, fake made %q", res.SID, got[0].SID)
			}
			if res.Status != "queued" {
				t.Errorf("Status %q, want queued", res.Status)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	sms := carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"}
	tests := []struct {
		name  string
		token string
		setup func(*twiliofake.Server)
		msg   carrier.Message
		want  carrier.Error
	}{
		{
			name:  "wrong credentials",
			token: "ffffffffffffffffffffffffffffffff",
			msg:   sms,
			want:  carrier.Error{Code: 20003, HTTPStatus: 401, Message: "Authentication Error - invalid username"},
		},
		{
			name: "invalid number",
			msg:  carrier.Message{Channel: carrier.SMS, To: twiliofake.InvalidNumber, From: ourNumber, Body: "Hi"},
			want: carrier.Error{Code: carrier.CodeInvalidNumber, HTTPStatus: 400, Message: "The 'To' number +15005550001 is not a valid phone number."},
		},
		{
			name:  "free text outside the WhatsApp window",
			setup: func(f *twiliofake.Server) { f.SetOutsideWindow(tenant) },
			msg:   carrier.Message{Channel: carrier.WhatsApp, To: tenant, From: ourNumber, Body: "Hi"},
			want: carrier.Error{Code: carrier.CodeOutsideWindow, HTTPStatus: 400,
				Message: "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template."},
		},
		{
			name:  "unsubscribed",
			setup: func(f *twiliofake.Server) { f.FailNext(400, carrier.CodeUnsubscribed) },
			msg:   sms,
			want:  carrier.Error{Code: carrier.CodeUnsubscribed, HTTPStatus: 400, Message: "Bad Request"},
		},
		{
			name:  "server error",
			setup: func(f *twiliofake.Server) { f.FailNext(500, 20500) },
			msg:   sms,
			want:  carrier.Error{Code: 20500, HTTPStatus: 500, Message: "Internal Server Error", Temporary: true},
		},
		{
			name:  "too many requests",
			setup: func(f *twiliofake.Server) { f.FailNext(429, 20429) },
			msg:   sms,
			want:  carrier.Error{Code: 20429, HTTPStatus: 429, Message: "Too Many Requests", Temporary: true},
		},
		{
			name: "unknown channel",
			msg:  carrier.Message{Channel: "PIGEON", To: tenant, From: ourNumber, Body: "Hi"},
			want: carrier.Error{Message: "unknown channel PIGEON"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := twiliofake.New(t, accountSID, authToken)
			if tt.setup != nil {
				tt.setup(fake)
			}
			token := authToken
			if tt.token != "" {
				token = tt.token
			}
			s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: token, BaseURL: fake.URL()})
			_, err := s.Send(context.Background(), tt.msg)
			var ce *carrier.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Send error %v (%T), want *carrier.Error", err, err)
			}
			if *ce != tt.want {
				t.Errorf("Send error\n%+v\nwant\n%+v", *ce, tt.want)
			}
		})
	}
}

// TestSendRetryAfterFailure shows a temporary failure does not stick: the next attempt goes.
func TestSendRetryAfterFailure(t *testing.T) {
	fake := twiliofake.New(t, accountSID, authToken)
	fake.FailNext(503, 20503)
	s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, BaseURL: fake.URL()})
	msg := carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"}
	if _, err := s.Send(context.Background(), msg); err == nil {
		t.Fatal("first Send succeeded, want the queued failure")
	}
	res, err := s.Send(context.Background(), msg)
	if err != nil {
		t.Fatalf("second Send: %v", err)
	}
	got := fake.Messages()
	if len(got) != 2 || got[0].Status != 503 || got[1].Status != 201 || got[1].SID != res.SID {
		t.Errorf("fake received %+v, want a 503 then the 201 of %s", got, res.SID)
	}
}

// TestSendWithoutAnswer covers failures where no answer comes: all are temporary and
// carry neither code nor HTTP status.
func TestSendWithoutAnswer(t *testing.T) {
	// hang never answers, as a stuck Twilio would. It reads the form first because the
	// server notices a client hanging up only once the body is read; the timer lets the
	// server close even so.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(hang.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name    string
		baseURL string
		client  *http.Client
		ctx     func(t *testing.T) context.Context
		want    string
	}{
		{
			name:    "unreachable host",
			baseURL: closed.URL,
			ctx:     func(*testing.T) context.Context { return context.Background() },
			want:    "connection refused",
		},
		{
			name:    "caller's deadline",
			baseURL: hang.URL,
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			want: context.DeadlineExceeded.Error(),
		},
		{
			name:    "caller's cancellation",
			baseURL: hang.URL,
			ctx:     func(*testing.T) context.Context { return cancelled },
			want:    context.Canceled.Error(),
		},
		{
			name:    "HTTP client's timeout",
			baseURL: hang.URL,
			client:  &http.Client{Timeout: 100 * time.Millisecond},
			ctx:     func(*testing.T) context.Context { return context.Background() },
			want:    context.DeadlineExceeded.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, BaseURL: tt.baseURL, HTTPClient: tt.client})
			start := time.Now()
			_, err := s.Send(tt.ctx(t), carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"})
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Send took %v, want it to give up promptly", took)
			}
			var ce *carrier.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Send error %v (%T), want *carrier.Error", err, err)
			}
			if !ce.Temporary || ce.Code != 0 || ce.HTTPStatus != 0 || !strings.Contains(ce.Message, tt.want) {
				t.Errorf("Send error %+v, want temporary, no code or status, message with %q", *ce, tt.want)
			}
		})
	}
}

// TestSendProxyErrorPage covers an answer that is not Twilio's JSON, such as a proxy's.
func TestSendProxyErrorPage(t *testing.T) {
	tests := []struct {
		status    int
		temporary bool
	}{
		{http.StatusBadGateway, true},
		{http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "<html>nope</html>", tt.status)
			}))
			t.Cleanup(proxy.Close)
			s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, BaseURL: proxy.URL})
			_, err := s.Send(context.Background(), carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"})
			var ce *carrier.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Send error %v (%T), want *carrier.Error", err, err)
			}
			if ce.HTTPStatus != tt.status || ce.Temporary != tt.temporary || ce.Code != 0 {
				t.Errorf("Send error %+v, want status %d temporary %v", *ce, tt.status, tt.temporary)
			}
		})
	}
}

func TestSenderName(t *testing.T) {
	var s carrier.Sender = twilio.New(twilio.Config{})
	if s.Name() != "twilio" {
		t.Errorf("Name %q, want twilio", s.Name())
	}
}

// roundTripFunc lets a test stand in for the network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestSendRealHost shows that without a BaseURL requests go to Twilio's API host through
// the configured client's transport, whatever TWILIO_EDGE and TWILIO_REGION say.
func TestSendRealHost(t *testing.T) {
	t.Setenv("TWILIO_EDGE", "sydney")
	t.Setenv("TWILIO_REGION", "au1")
	var got *http.Request
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{
			StatusCode: http.StatusCreated,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(strings.NewReader(`{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}`)),
		}, nil
	})}
	s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, HTTPClient: client})
	res, err := s.Send(context.Background(), carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if want := "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages.json"; got == nil || got.URL.String() != want {
		t.Fatalf("request went to %v, want %s", got, want)
	}
	if user, pass, ok := got.BasicAuth(); !ok || user != accountSID || pass != authToken {
		t.Errorf("basic auth %q:%q, want the account's", user, pass)
	}
	if res != (carrier.Result{SID: "SM0123456789abcdef0123456789abcdef", Status: "queued"}) {
		t.Errorf("Result %+v", res)
	}
}

// TestSendConcurrently shows one Sender serves many goroutines (run with -race).
func TestSendConcurrently(t *testing.T) {
	fake := twiliofake.New(t, accountSID, authToken)
	fake.FailNext(500, 20500)
	s := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, BaseURL: fake.URL()})
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.Send(context.Background(), carrier.Message{Channel: carrier.SMS, To: tenant, From: ourNumber, Body: "Hi"})
			errs <- err
		}()
	}
	failed := 0
	for range n {
		if err := <-errs; err != nil {
			failed++
		}
	}
	if failed != 1 || len(fake.Messages()) != n {
		t.Errorf("%d of %d sends failed and the fake saw %d, want the one queued failure among %d", failed, n, len(fake.Messages()), n)
	}
}
