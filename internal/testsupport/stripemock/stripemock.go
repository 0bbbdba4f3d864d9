// Package stripemock starts Stripe's official mock server for tests. It is apart from
// testsupport, which starts the whole app, so that the Stripe adapter's own tests can use
// it without importing the app that imports the adapter.
package stripemock

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Start starts stripe-mock, Stripe's official mock API server (`make test` builds
// it, pinned in tools/go.mod, and passes its path as STRIPE_MOCK_BIN), on a free loopback
// port, waits until it answers and returns its base URL, e.g. http://127.0.0.1:1234. It
// answers with fixture data, not what was sent, and stops when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("STRIPE_MOCK_BIN")
	if bin == "" {
		t.Fatal("STRIPE_MOCK_BIN is not set: run with `make test` (or `make bin/stripe-mock` and STRIPE_MOCK_BIN=$PWD/bin/stripe-mock)")
	}
	// stripe-mock opens HTTPS on 12112 as well unless told where, even when given -http-addr, so
	// parallel tests would fight over that port: both go on free loopback ports.
	port, tlsPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", port), "-https-addr", fmt.Sprintf("127.0.0.1:%d", tlsPort)) // #nosec G204 G702 -- the stripe-mock binary the test run configures
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		// Any HTTP answer means it is listening; unauthenticated requests get a 401.
		resp, err := http.Get(base + "/v1/customers")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
