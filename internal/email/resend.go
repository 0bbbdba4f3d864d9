package email

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"
)

// ResendSender sends through Resend's HTTP API (https://resend.com/docs/api-reference).
type ResendSender struct {
	apiKey  string
	baseURL string
	client  *http.Client
}

// NewResendSender returns a sender; baseURL is https://api.resend.com in production and a
// local fake in tests.
func NewResendSender(apiKey, baseURL string) *ResendSender {
	return &ResendSender{apiKey: apiKey, baseURL: strings.TrimRight(baseURL, "/"), client: &http.Client{Timeout: 30 * time.Second}}
}

// Name is "resend".
func (r *ResendSender) Name() string { return "resend" }

type resendRequest struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	HTML    string   `json:"html,omitempty"`
}

// Send posts the message with the message id as Resend's Idempotency-Key, so a retry
// after a lost answer does not send twice. 4xx answers other than 429 are permanent.
func (r *ResendSender) Send(ctx context.Context, m Message) (string, error) {
	// RFC 5322 formatting quotes or encodes names with commas, angle brackets or accents.
	from := (&mail.Address{Name: m.FromName, Address: m.From}).String()
	to := (&mail.Address{Name: m.ToName, Address: m.To}).String()
	body, err := json.Marshal(resendRequest{From: from, To: []string{to}, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.baseURL+"/emails", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+r.apiKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.ID)
	resp, err := r.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("email: resend: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var out struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(raw, &out); err != nil || out.ID == "" {
			return "", fmt.Errorf("email: resend: unexpected answer %q", raw)
		}
		return out.ID, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", fmt.Errorf("email: resend: %s: %s", resp.Status, raw)
	default:
		return "", Permanent("resend refused the message (%s): %s", resp.Status, raw)
	}
}
