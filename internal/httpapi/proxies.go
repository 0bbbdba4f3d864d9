package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies (TRUSTED_PROXIES) whose X-Forwarded-For and
// X-Forwarded-Proto are believed. Anyone can send those headers; only a proxy we run
// overwrites or appends to them truthfully, so they count only when the direct peer is one.
type TrustedProxies []netip.Prefix

func (p TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, prefix := range p {
		if prefix.Contains(a) {
			return true
		}
	}
	return false
}

// peer is r's direct peer address; ok is false when RemoteAddr is not an IP (a test's or a
// Unix socket's), which is then taken as it is.
func peer(r *http.Request) (addr netip.Addr, raw string, ok bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err = netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, host, false
	}
	return addr.Unmap(), host, true
}

// FromProxy reports whether r's direct peer is a trusted proxy.
func (p TrustedProxies) FromProxy(r *http.Request) bool {
	addr, _, ok := peer(r)
	return ok && p.trusts(addr)
}

// ClientIP is the address of the client that sent r: the direct peer, or, when that is a
// trusted proxy, the rightmost X-Forwarded-For address that is not a trusted proxy. Every
// proxy appends the address it was reached from, so entries right of that one were written
// by our proxies and entries left of it by the client, who can write anything. When every
// entry is a trusted proxy the leftmost is the client; an entry that is not an address
// ends the walk at the last trusted hop before it.
func (p TrustedProxies) ClientIP(r *http.Request) string {
	addr, raw, ok := peer(r)
	if !ok {
		return raw
	}
	if !p.trusts(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := addr
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" && len(hops) == 1 {
			break // no header
		}
		a, err := netip.ParseAddr(h)
		if err != nil || a.Zone() != "" {
			break
		}
		client = a.Unmap()
		if !p.trusts(client) {
			break
		}
	}
	return client.String()
}

// HTTPS reports whether the client reached us over HTTPS: on our own TLS listener, or, from
// a trusted proxy, as its X-Forwarded-Proto says (the last value: the one our proxy set).
func (p TrustedProxies) HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !p.FromProxy(r) {
		return false
	}
	values := strings.Split(strings.Join(r.Header.Values("X-Forwarded-Proto"), ","), ",")
	return strings.EqualFold(strings.TrimSpace(values[len(values)-1]), "https")
}
