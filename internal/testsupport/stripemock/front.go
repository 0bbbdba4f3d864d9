package stripemock

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Front is stripe-mock behind a proxy that knows what stripe-mock cannot: stripe-mock is
// stateless (it answers fixtures), so the subscriptions a test sets here are answered as
// set, and the meter events sent are kept for the test to read. Everything else, and every
// request's validation, is stripe-mock's.
type Front struct {
	URL string

	mu          sync.Mutex
	subs        map[string]Subscription
	meterEvents []url.Values
}

// Subscription is a subscription as a test sets it.
type Subscription struct {
	ID, Customer, Price, Status string
	CancelAtPeriodEnd           bool
	PeriodEnd                   time.Time
}

// StartFront starts stripe-mock and the proxy in front of it, and returns the proxy.
func StartFront(t testing.TB) *Front {
	t.Helper()
	target, err := url.Parse(Start(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &Front{subs: map[string]Subscription{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/v1/subscriptions/"); ok {
			f.mu.Lock()
			_, set := f.subs[id]
			f.mu.Unlock()
			if set && f.subscription(w, r, proxy, id) {
				return
			}
		}
		if r.URL.Path == "/v1/billing/meter_events" && r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			form.Set("Idempotency-Key", r.Header.Get("Idempotency-Key"))
			f.mu.Lock()
			f.meterEvents = append(f.meterEvents, form)
			f.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// subscription answers a read or an update of a subscription the test set: an update is
// validated by stripe-mock first, then applied (the new price, cancel_at_period_end).
func (f *Front) subscription(w http.ResponseWriter, r *http.Request, proxy http.Handler, id string) bool {
	var form url.Values
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(body))
		check := httptest.NewRecorder()
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(check, r)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if check.Code != http.StatusOK {
			return false // let stripe-mock answer its refusal
		}
	default:
		return false
	}
	f.mu.Lock()
	s := f.subs[id]
	if p := form.Get("items[0][price]"); p != "" {
		s.Price = p
	}
	if c := form.Get("cancel_at_period_end"); c != "" {
		s.CancelAtPeriodEnd = c == "true"
	}
	f.subs[id] = s
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.object())
	return true
}

// SetSubscription makes Stripe answer the subscription as s from now on.
func (f *Front) SetSubscription(s Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[s.ID] = s
}

// MeterEvents are the meter events sent so far (their form fields, and Idempotency-Key).
func (f *Front) MeterEvents() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.meterEvents...)
}

// object is the subscription as the API (2025-03-31 and later) answers it: the price and
// period on its one item.
func (s Subscription) object() map[string]any {
	return map[string]any{
		"id": s.ID, "object": "subscription", "status": s.Status, "customer": s.Customer,
		"cancel_at_period_end": s.CancelAtPeriodEnd,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "si_" + s.ID, "object": "subscription_item", "current_period_end": s.PeriodEnd.Unix(),
			"price": map[string]any{"id": s.Price, "object": "price"},
		}}},
	}
}

// Event is a webhook event's payload: id, type, created and the object it carries (JSON).
func Event(id, eventType string, created time.Time, object string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"object":"event","api_version":"2025-11-17.clover","type":%q,"created":%d,"livemode":false,"data":{"object":%s}}`,
		id, eventType, created.Unix(), object)
}

// Sign is the Stripe-Signature header Stripe would send with payload at the time given:
// t=timestamp,v1=hex HMAC-SHA256 of "timestamp.payload" with the endpoint's secret.
func Sign(payload []byte, secret string, at time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", at.Unix(), payload)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
}
