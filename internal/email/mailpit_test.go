package email_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// mailpit is testsupport's Mailpit with what these tests read from its API.
type mailpit struct{ *testsupport.Mailpit }

func startMailpit(t *testing.T, args ...string) mailpit {
	return mailpit{testsupport.StartMailpit(t, args...)}
}

type mailpitSummary struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	From    struct {
		Name, Address string
	} `json:"From"`
	To []struct {
		Name, Address string
	} `json:"To"`
}

func (m mailpit) messages(t *testing.T) []mailpitSummary {
	t.Helper()
	var out struct {
		Messages []mailpitSummary `json:"messages"`
	}
	m.get(t, "/messages", &out)
	return out.Messages
}

type mailpitMessage struct {
	Subject   string `json:"Subject"`
	Text      string `json:"Text"`
	HTML      string `json:"HTML"`
	MessageID string `json:"MessageID"`
}

func (m mailpit) message(t *testing.T, id string) mailpitMessage {
	t.Helper()
	var out mailpitMessage
	m.get(t, "/message/"+id, &out)
	return out
}

func (m mailpit) get(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}
