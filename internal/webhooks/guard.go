package webhooks

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// The SSRF guard: an organisation chooses the URL its events are POSTed to, so without a
// guard it could make the server call the cloud metadata service, the database or anything
// else on the internal network. Registration refuses URLs that are, or resolve to, internal
// addresses; the delivery client's dialer checks the address it actually connects to, so a
// host name that resolved to a public address at registration and to an internal one later
// (DNS rebinding) is refused too. Development mode (Config.AllowPrivateNetworks) turns both
// off, so a receiver on localhost can be used.

// reservedPrefixes are the non-public ranges that netip's predicates do not cover.
var reservedPrefixes = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a reserved"},              // "this network"
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT"}, // RFC 6598
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved"},           // IETF protocol assignments
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation"},      // TEST-NET-1
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved"},          // benchmarking
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation"},   // TEST-NET-2
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation"},    // TEST-NET-3
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved"},            // future use, and broadcast
	{netip.MustParsePrefix("::/96"), "a reserved"},                  // IPv4-compatible (deprecated)
	{netip.MustParsePrefix("64:ff9b::/96"), "a NAT64"},              // embeds any IPv4 address
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a NAT64"},            // local-use NAT64
	{netip.MustParsePrefix("100::/64"), "a reserved"},               // discard-only
	{netip.MustParsePrefix("2001::/32"), "a Teredo"},                // embeds an IPv4 address
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation"},     // never routed
	{netip.MustParsePrefix("2002::/16"), "a 6to4"},                  // embeds an IPv4 address
	{netip.MustParsePrefix("fec0::/10"), "a site-local"},            // deprecated site-local
}

// blockedAddress says why a is not a public unicast address, or "" when it is.
func blockedAddress(a netip.Addr) string {
	a = a.Unmap().WithZone("") // ::ffff:127.0.0.1 is 127.0.0.1
	switch {
	case !a.IsValid():
		return "an invalid"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsLoopback():
		return "a loopback"
	case a.IsPrivate():
		return "a private"
	case a.IsLinkLocalUnicast():
		return "a link-local"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast"
	}
	for _, p := range reservedPrefixes {
		if p.prefix.Contains(a) {
			return p.what
		}
	}
	return ""
}

// BlockedError is the dialer's refusal of an internal address.
type BlockedError struct {
	Addr netip.Addr
	What string
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("webhooks: refused to connect to %s: %s address, not a public one", e.Addr, e.What)
}

// refuseInternal is the delivery dialer's Control: it runs after name resolution, for the
// very address the socket is about to connect to.
func refuseInternal(_ context.Context, _, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhooks: refused to connect to %q: %w", address, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhooks: refused to connect to %q: not an IP address", address)
	}
	if what := blockedAddress(a); what != "" {
		return &BlockedError{Addr: a.Unmap().WithZone(""), What: what}
	}
	return nil
}

// Delivery timeouts.
const (
	deliveryTimeout = 10 * time.Second
	dialTimeout     = 5 * time.Second
)

// newHTTPClient is the default delivery client: a 10-second limit per attempt, no proxy
// (a proxy would make the dialer check the proxy's address instead of the receiver's), no
// redirects (a 3xx is a failed attempt: following it would leave the URL the organisation
// registered), and, unless allowPrivate, the guarded dialer.
func newHTTPClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.ControlContext = refuseInternal
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: deliveryTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:       deliveryTimeout,
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
