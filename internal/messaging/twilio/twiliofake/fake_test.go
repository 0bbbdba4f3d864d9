package twiliofake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/messaging/twilio/twiliofake"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
	tenant     = "+447700900123"
	ourNumber  = "+447700900001"
	messages   = "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
)

// post sends form to the fake as Twilio's clients do and decodes the JSON answer.
func post(t *testing.T, f *twiliofake.Server, method, path, user, pass string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func TestRefusals(t *testing.T) {
	sms := url.Values{"To": {tenant}, "From": {ourNumber}, "Body": {"Hi"}}
	whatsApp := url.Values{"To": {"whatsapp:" + tenant}, "From": {"whatsapp:" + ourNumber}, "Body": {"Hi"}}
	tests := []struct {
		name       string
		method     string
		path       string
		noAuth     bool
		user, pass string
		form       url.Values
		setup      func(*twiliofake.Server)
		status     int
		code       int
		message    string
		recorded   bool
	}{
		{name: "no credentials", noAuth: true, form: sms, status: 401, code: 20003, message: "Authentication Error - invalid username"},
		{name: "wrong token", user: accountSID, pass: "nope", form: sms, status: 401, code: 20003, message: "Authentication Error - invalid username"},
		{name: "another account's path", path: "/2010-04-01/Accounts/ACother/Messages.json", form: sms, status: 404, code: 20404,
			message: "The requested resource /2010-04-01/Accounts/ACother/Messages.json was not found"},
		{name: "other resource", path: "/2010-04-01/Accounts/" + accountSID + "/Calls.json", form: sms, status: 404, code: 20404,
			message: "The requested resource /2010-04-01/Accounts/" + accountSID + "/Calls.json was not found"},
		{name: "GET", method: http.MethodGet, form: sms, status: 405, code: 20004, message: "Method not allowed"},
		{name: "no To", form: url.Values{"From": {ourNumber}, "Body": {"Hi"}}, status: 400, code: 21604,
			message: "A 'To' phone number is required.", recorded: true},
		{name: "no From", form: url.Values{"To": {tenant}, "Body": {"Hi"}}, status: 400, code: 21603,
			message: "A 'From' phone number is required.", recorded: true},
		{name: "no Body", form: url.Values{"To": {tenant}, "From": {ourNumber}}, status: 400, code: 21602,
			message: "Message body is required.", recorded: true},
		{name: "invalid number", form: url.Values{"To": {twiliofake.InvalidNumber}, "From": {ourNumber}, "Body": {"Hi"}}, status: 400, code: 21211,
			message: "The 'To' number +15005550001 is not a valid phone number.", recorded: true},
		{name: "invalid number on WhatsApp", form: url.Values{"To": {"whatsapp:" + twiliofake.InvalidNumber}, "From": {"whatsapp:" + ourNumber}, "Body": {"Hi"}},
			status: 400, code: 21211, message: "The 'To' number whatsapp:+15005550001 is not a valid phone number.", recorded: true},
		{name: "outside the window", setup: func(f *twiliofake.Server) { f.SetOutsideWindow(tenant) }, form: whatsApp, status: 400, code: 63016,
			message: "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.", recorded: true},
		{name: "queued failure", setup: func(f *twiliofake.Server) { f.FailNext(500, 20500) }, form: sms, status: 500, code: 20500,
			message: "Internal Server Error", recorded: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := twiliofake.New(t, accountSID, authToken)
			if tt.setup != nil {
				tt.setup(f)
			}
			method, path, user, pass := tt.method, tt.path, tt.user, tt.pass
			if method == "" {
				method = http.MethodPost
			}
			if path == "" {
				path = messages
			}
			if user == "" && !tt.noAuth {
				user, pass = accountSID, authToken
			}
			status, body := post(t, f, method, path, user, pass, tt.form)
			want := map[string]any{
				"code": float64(tt.code), "message": tt.message, "status": float64(tt.status),
				"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(tt.code),
			}
			if status != tt.status || len(body) != len(want) {
				t.Fatalf("answer %d %v, want %d %v", status, body, tt.status, want)
			}
			for k, v := range want {
				if body[k] != v {
					t.Errorf("%s = %v, want %v", k, body[k], v)
				}
			}
			if got := len(f.Messages()); got != map[bool]int{false: 0, true: 1}[tt.recorded] {
				t.Errorf("recorded %d requests, want recorded %v", got, tt.recorded)
			}
		})
	}
}

// TestAccepted covers what goes through: templates outside the window, SMS to a number
// outside the WhatsApp window, and a queued failure spent on one request only.
func TestAccepted(t *testing.T) {
	f := twiliofake.New(t, accountSID, authToken)
	f.SetOutsideWindow(tenant)
	f.FailNext(429, 20429)
	sid := regexp.MustCompile(`^SM[0-9a-f]{32}$`)

	sms := url.Values{"To": {tenant}, "From": {ourNumber}, "Body": {"Hi"}, "StatusCallback": {"https://app.example.co.uk/cb"}}
	if status, _ := post(t, f, http.MethodPost, messages, accountSID, authToken, sms); status != 429 {
		t.Fatalf("first request answered %d, want the queued 429", status)
	}
	template := url.Values{"To": {"whatsapp:" + tenant}, "From": {"whatsapp:" + ourNumber},
		"ContentSid": {"HXabc"}, "ContentVariables": {`{"1":"MT-000042"}`}}
	for _, form := range []url.Values{sms, template} {
		status, body := post(t, f, http.MethodPost, messages, accountSID, authToken, form)
		if status != http.StatusCreated {
			t.Fatalf("%v answered %d %v, want 201", form, status, body)
		}
		if s, _ := body["sid"].(string); !sid.MatchString(s) {
			t.Errorf("sid %v, want SM and 32 hex digits", body["sid"])
		}
		if body["status"] != "queued" || body["to"] != form.Get("To") || body["from"] != form.Get("From") ||
			body["body"] != form.Get("Body") || body["account_sid"] != accountSID || body["num_segments"] != "1" {
			t.Errorf("resource %v does not match the request %v", body, form)
		}
		if _, err := time.Parse(time.RFC1123Z, body["date_created"].(string)); err != nil {
			t.Errorf("date_created: %v", err)
		}
	}

	got := f.Messages()
	if len(got) != 3 {
		t.Fatalf("recorded %d requests, want 3", len(got))
	}
	want := twiliofake.Request{Path: messages, To: "whatsapp:" + tenant, From: "whatsapp:" + ourNumber,
		ContentSid: "HXabc", ContentVariables: `{"1":"MT-000042"}`, Status: 201, SID: got[2].SID}
	if got[2] != want {
		t.Errorf("template recorded as %+v, want %+v", got[2], want)
	}
	if got[0].Status != 429 || got[0].SID != "" || got[0].StatusCallback != "https://app.example.co.uk/cb" || got[1].Status != 201 {
		t.Errorf("recorded %+v, want the 429 without a SID, then the SMS accepted", got[:2])
	}
}
