package webhooks

import (
	"context"
	"encoding/base64"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// Every class of non-public address the SSRF guard must refuse, and public ones it must
// not.
var (
	blockedCases = map[string]string{
		"127.0.0.1":           "loopback",
		"127.255.0.9":         "loopback",
		"::1":                 "loopback",
		"::ffff:127.0.0.1":    "loopback", // IPv4-mapped
		"10.0.0.1":            "private",
		"10.255.255.255":      "private",
		"172.16.0.1":          "private",
		"172.31.255.254":      "private",
		"192.168.1.1":         "private",
		"::ffff:192.168.0.10": "private",
		"fc00::1":             "private",
		"fd12:3456::1":        "private",
		"169.254.169.254":     "link-local", // cloud metadata
		"169.254.0.1":         "link-local",
		"fe80::1":             "link-local",
		"fe80::1%eth0":        "link-local",
		"0.0.0.0":             "unspecified",
		"::":                  "unspecified",
		"224.0.0.1":           "multicast",
		"239.255.255.250":     "multicast",
		"ff02::1":             "multicast",
		"ff05::2":             "multicast",
		"100.64.0.1":          "carrier-grade NAT",
		"100.127.255.254":     "carrier-grade NAT",
		"0.1.2.3":             "reserved",
		"255.255.255.255":     "reserved",
		"240.0.0.1":           "reserved",
		"198.18.0.1":          "reserved",
		"192.0.0.8":           "reserved",
		"64:ff9b::a00:1":      "NAT64",
		"2002:7f00:1::1":      "6to4",
		"::7f00:1":            "reserved", // IPv4-compatible ::127.0.0.1
		"192.0.2.10":          "documentation",
		"2001:db8::1":         "documentation",
	}
	publicCases = []string{"1.1.1.1", "8.8.8.8", "93.184.215.14", "100.63.255.255", "100.128.0.1", "172.32.0.1",
		"192.169.0.1", "11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4009:81f::200e", "::ffff:8.8.8.8"}
)

func TestWebhookBlockedAddress(t *testing.T) {
	t.Parallel()
	for addr, class := range blockedCases {
		a := netip.MustParseAddr(addr)
		if got := blockedAddress(a); !strings.Contains(got, class) {
			t.Errorf("%s: blockedAddress = %q, want %q", addr, got, class)
		}
	}
	for _, addr := range publicCases {
		if got := blockedAddress(netip.MustParseAddr(addr)); got != "" {
			t.Errorf("%s is public, blockedAddress = %q", addr, got)
		}
	}
}

// The dialer's Control sees "ip:port" after resolution: every blocked class is refused
// there too, so a name that resolves to an internal address later (DNS rebinding) fails.
func TestWebhookRefuseInternalAtConnect(t *testing.T) {
	t.Parallel()
	for addr := range blockedCases {
		hostPort := netip.AddrPortFrom(netip.MustParseAddr(addr), 443).String()
		err := refuseInternal(context.Background(), "tcp", hostPort, nil)
		var blocked *BlockedError
		if !errors.As(err, &blocked) {
			t.Errorf("connect to %s: err %v, want a BlockedError", hostPort, err)
		}
	}
	for _, addr := range publicCases {
		hostPort := netip.AddrPortFrom(netip.MustParseAddr(addr), 443).String()
		if err := refuseInternal(context.Background(), "tcp", hostPort, nil); err != nil {
			t.Errorf("connect to public %s refused: %v", hostPort, err)
		}
	}
	for _, bad := range []string{"localhost:443", "nonsense", ""} {
		if err := refuseInternal(context.Background(), "tcp", bad, nil); err == nil {
			t.Errorf("connect to %q allowed, want refused (not an IP)", bad)
		}
	}
}

// The published Standard Webhooks test vector (its reference libraries' tests).
func TestWebhookSignStandardWebhooksVector(t *testing.T) {
	t.Parallel()
	got, err := sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	if _, err := sign("whsec_not base64!", "msg_1", 1, nil); err == nil {
		t.Fatal("malformed secret signed")
	}
}

func TestWebhookNewSecret(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 20 {
		s := newSecret()
		if !strings.HasPrefix(s, "whsec_") {
			t.Fatalf("secret %q lacks whsec_", s)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || len(key) < 24 || len(key) > 64 {
			t.Fatalf("secret %q: %d bytes, %v", s, len(key), err)
		}
		if seen[s] {
			t.Fatal("secret repeated")
		}
		seen[s] = true
	}
}

func TestWebhookStorable(t *testing.T) {
	t.Parallel()
	cut := []byte("ok é")[:4] // "ok " and half of é
	for in, want := range map[string]string{
		"plain":        "plain",
		"nul\x00byte":  "nulbyte",
		string(cut):    "ok \uFFFD",
		"\xff\xfebin":  "\uFFFDbin",
		"emoji 🙂 fine": "emoji 🙂 fine",
	} {
		if got := storable([]byte(in)); got != want {
			t.Errorf("storable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebhookEventTypes(t *testing.T) {
	t.Parallel()
	types := EventTypes()
	for _, want := range []string{"ticket.created", "quote.submitted", "invoice.paid", "work_order.assigned"} {
		if !slices.Contains(types, want) {
			t.Errorf("EventTypes() %v lacks %s", types, want)
		}
	}
	for _, name := range types {
		if strings.Contains(name, ".v") && strings.HasSuffix(name, "1") {
			t.Errorf("event type %q keeps its version", name)
		}
	}
	if _, problem := checkEventTypes([]string{"ticket.created.v1"}); problem == "" {
		t.Error("versioned name accepted")
	}
	if got, problem := checkEventTypes([]string{" ticket.created", "ticket.created", "quote.submitted"}); problem != "" ||
		!slices.Equal(got, []string{"ticket.created", "quote.submitted"}) {
		t.Errorf("dedupe: %v %q", got, problem)
	}
	if got, _ := checkEventTypes([]string{"ticket.created", "*"}); !slices.Equal(got, []string{"*"}) {
		t.Errorf("* with others = %v, want [*]", got)
	}
	for _, bad := range [][]string{nil, {}, {""}, {"webhook.test"}, {"TICKET.CREATED"}} {
		if _, problem := checkEventTypes(bad); problem == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}
