package webhooks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestWebhookClientFollowsNoRedirect: a receiver answering 3xx towards an internal
// address (here another local server standing in for it) is a failed attempt; the
// delivery client never makes the second request.
func TestWebhookClientFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reached.Add(1) }))
	defer internal.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, internal.URL+"/latest/meta-data/", status)
		}))
		// allowPrivate: both servers are on loopback, which the guarded dialer refuses
		// outright (TestWebhookGuardedClientRefusesNamesOfInternalAddresses).
		resp, err := newHTTPClient(true).Post(receiver.URL, "application/json", nil)
		receiver.Close()
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("answer %d, want the receiver's own %d", resp.StatusCode, status)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("the redirect target was requested %d times", n)
	}
}

// TestWebhookGuardedClientRefusesNamesOfInternalAddresses: the guarded client checks
// the address it connects to, not the URL's text, so host names and numeric spellings
// that resolve to loopback are refused at connect time like 127.0.0.1 itself.
func TestWebhookGuardedClientRefusesNamesOfInternalAddresses(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reached.Add(1) }))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://127.0.0.1"), ":")
	client := newHTTPClient(false)
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0x7f000001", "127.1", "localhost."} {
		u := url.URL{Scheme: "http", Host: host + ":" + port, Path: "/hook"}
		resp, err := client.Post(u.String(), "application/json", nil)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: delivered", u.String())
			continue
		}
		var blocked *BlockedError
		if !errors.As(err, &blocked) {
			t.Logf("%s: refused before connecting: %v", u.String(), err) // not resolvable here: nothing reached either
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("an internal address was reached %d times", n)
	}
}
