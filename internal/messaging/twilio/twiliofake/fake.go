// Package twiliofake is a local stand-in for Twilio's Messages API, for tests: it
// checks credentials as Twilio does, records what it was sent, and answers with
// Twilio's JSON, including the errors the messaging service acts on.
package twiliofake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// InvalidNumber is Twilio's magic test number that is refused as not a valid phone
// number (error 21211).
const InvalidNumber = "+15005550001"

// Request is one request the fake received on the Messages resource.
type Request struct {
	Path                string
	To                  string
	From                string
	Body                string
	ContentSid          string
	ContentVariables    string
	StatusCallback      string
	MessagingServiceSid string
	// Status is the HTTP status the fake answered with; SID is the message's when it
	// was accepted (201).
	Status int
	SID    string
}

type failure struct{ status, code int }

// Server is the fake.
type Server struct {
	srv        *httptest.Server
	accountSID string
	authToken  string

	mu       sync.Mutex
	requests []Request
	outside  map[string]bool
	failures []failure
}

var messagesPath = regexp.MustCompile(`^/2010-04-01/Accounts/([^/]+)/Messages\.json$`)

// New starts a fake that accepts accountSID:authToken; it is closed when t ends.
func New(t testing.TB, accountSID, authToken string) *Server {
	s := &Server{accountSID: accountSID, authToken: authToken, outside: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the fake's base URL, to use as the Sender's BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Messages is every request that reached the Messages resource with the right
// credentials, in order, whatever the answer.
func (s *Server) Messages() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// SetOutsideWindow puts number (E.164, no "whatsapp:" prefix) outside the WhatsApp
// 24-hour window: free-form WhatsApp to it fails with 63016, templates still go. Twilio
// itself reports 63016 in a later status callback; the fake refuses at once so tests
// need no callback.
func (s *Server) SetOutsideWindow(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outside[number] = true
}

// FailNext makes the next authenticated request fail with this HTTP status and Twilio
// error code; calls queue up, one failure per request, for retry tests.
func (s *Server) FailNext(status, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{status, code})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	match := messagesPath.FindStringSubmatch(r.URL.Path)
	if match == nil {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != s.accountSID || pass != s.authToken {
		writeError(w, http.StatusUnauthorized, 20003, "Authentication Error - invalid username")
		return
	}
	if match[1] != s.accountSID {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Unreadable form: "+err.Error())
		return
	}
	req := Request{
		Path:                r.URL.Path,
		To:                  r.PostForm.Get("To"),
		From:                r.PostForm.Get("From"),
		Body:                r.PostForm.Get("Body"),
		ContentSid:          r.PostForm.Get("ContentSid"),
		ContentVariables:    r.PostForm.Get("ContentVariables"),
		StatusCallback:      r.PostForm.Get("StatusCallback"),
		MessagingServiceSid: r.PostForm.Get("MessagingServiceSid"),
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	status, code, message := s.refusal(req)
	req.Status = status
	if code != 0 {
		s.requests = append(s.requests, req)
		writeError(w, status, code, message)
		return
	}
	req.Status, req.SID = http.StatusCreated, newSID()
	s.requests = append(s.requests, req)
	writeJSON(w, http.StatusCreated, s.resource(req))
}

// refusal is Twilio's error for req, code 0 when it is accepted. The caller holds mu.
func (s *Server) refusal(req Request) (status, code int, message string) {
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		return f.status, f.code, http.StatusText(f.status)
	}
	number, whatsApp := strings.CutPrefix(req.To, "whatsapp:")
	switch {
	case req.To == "":
		return http.StatusBadRequest, 21604, "A 'To' phone number is required."
	case req.From == "" && req.MessagingServiceSid == "":
		return http.StatusBadRequest, 21603, "A 'From' phone number is required."
	case req.Body == "" && req.ContentSid == "":
		return http.StatusBadRequest, 21602, "Message body is required."
	case number == InvalidNumber:
		return http.StatusBadRequest, 21211, "The 'To' number " + req.To + " is not a valid phone number."
	case whatsApp && req.ContentSid == "" && s.outside[number]:
		return http.StatusBadRequest, 63016, "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template."
	}
	return 0, 0, ""
}

// resource is Twilio's JSON for an accepted message, as the SDK decodes it.
func (s *Server) resource(req Request) map[string]any {
	now := time.Now().UTC().Format(time.RFC1123Z)
	uri := fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s", s.accountSID, req.SID)
	var service any
	if req.MessagingServiceSid != "" {
		service = req.MessagingServiceSid
	}
	return map[string]any{
		"account_sid":           s.accountSID,
		"api_version":           "2010-04-01",
		"body":                  req.Body,
		"date_created":          now,
		"date_sent":             nil,
		"date_updated":          now,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  req.From,
		"messaging_service_sid": service,
		"num_media":             "0",
		"num_segments":          "1", // the fake does not split long texts
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   req.SID,
		"status":                "queued",
		"subresource_uris":      map[string]string{"media": uri + "/Media.json"},
		"to":                    req.To,
		"uri":                   uri + ".json",
	}
}

// writeError answers with Twilio's error JSON.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_ = json.NewEncoder(w).Encode(v)
}

// newSID is a message SID as Twilio makes them: "SM" and 32 hex digits.
func newSID() string {
	b := make([]byte, 16)
	// crypto/rand.Read never fails.
	_, _ = rand.Read(b)
	return "SM" + hex.EncodeToString(b)
}
