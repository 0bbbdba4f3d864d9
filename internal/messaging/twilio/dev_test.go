package twilio_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/maintainuk/maintainuk/internal/messaging/carrier"
	"github.com/maintainuk/maintainuk/internal/messaging/twilio"
)

func TestDevSender(t *testing.T) {
	var s carrier.Sender = twilio.DevSender{}
	if s.Name() != "dev" {
		t.Errorf("Name %q, want dev", s.Name())
	}
	sid := regexp.MustCompile(`^SMdev[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for _, ch := range []carrier.Channel{carrier.SMS, carrier.WhatsApp, carrier.SMS} {
		res, err := s.Send(context.Background(), carrier.Message{Channel: ch, To: "+447700900123", From: "+447700900001", Body: "Hi"})
		if err != nil {
			t.Fatalf("Send %s: %v", ch, err)
		}
		if !sid.MatchString(res.SID) || res.Status != "sent" {
			t.Errorf("Send %s = %+v, want SMdev and 32 hex digits, sent", ch, res)
		}
		if seen[res.SID] {
			t.Errorf("SID %s given twice", res.SID)
		}
		seen[res.SID] = true
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Send(ctx, carrier.Message{Channel: carrier.SMS, To: "+447700900123", From: "+447700900001", Body: "Hi"})
	var ce *carrier.Error
	if !errors.As(err, &ce) || !ce.Temporary {
		t.Errorf("Send with a cancelled context: %v, want a temporary *carrier.Error", err)
	}
}
