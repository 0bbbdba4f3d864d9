// Package browser drives Debian's Chromium, headless, through the DevTools protocol
// (chromedp) for the web UI's tests: what a person sees and does, accessibility checked by
// axe-core injected into the page, the weight of each first load and the hosts it asks.
package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium with its own profile (cookies): one person.
type Browser struct {
	t    testing.TB
	ctx  context.Context
	base string

	mu       sync.Mutex
	requests []string         // URLs requested since the last Reset
	bytes    map[string]int64 // bytes transferred per request id since the last Reset
}

// timeout bounds each step a test takes.
const timeout = 20 * time.Second

// New starts Chromium (CHROMIUM_BIN, Debian's /usr/bin/chromium by default) for a person
// using the site at base, with a window width px wide.
func New(t testing.TB, base string, width int) *Browser {
	t.Helper()
	bin := os.Getenv("CHROMIUM_BIN")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil { // #nosec G703 -- the Chromium binary the test run configures
		t.Fatalf("Chromium is not at %s: run the tests with `make test`, which installs Debian's chromium", bin)
	}
	// As the machine's own probe starts it: headless, no sandbox (tests run as root), and
	// none of the background traffic a closed network refuses.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.WindowSize(width, 900),
	}
	b := &Browser{t: t, base: strings.TrimRight(base, "/"), bytes: map[string]int64{}}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	b.ctx = ctx
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		return err
	}), chromedp.EmulateViewport(int64(width), 900))
	if err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return b
}

// listen keeps what the page requests and what each response cost.
func (b *Browser) listen(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.mu.Lock()
		b.requests = append(b.requests, e.Request.URL)
		b.mu.Unlock()
	case *network.EventLoadingFinished:
		b.mu.Lock()
		b.bytes[string(e.RequestID)] = int64(e.EncodedDataLength)
		b.mu.Unlock()
	}
}

// Do runs chromedp steps, failing the test (with what the page says) when one fails.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(err)
	}
}

func (b *Browser) fail(err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	b.t.Fatalf("browser at %s: %v\npage text: %.1500s", loc, err, body)
}

// run runs one action that answers a value.
func run[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(err)
	}
	return v
}

// Open loads a path of the site and waits for its body.
func (b *Browser) Open(path string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// Fill sets the field sel (a CSS selector) to value (not empty), replacing what it holds.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SetValue(chromedp.CSS(sel), value))
}

// Select chooses the option value of the select sel.
func (b *Browser) Select(sel, value string) {
	b.t.Helper()
	b.Do(chromedp.SetValue(chromedp.CSS(sel), value))
}

// Check ticks the checkbox sel.
func (b *Browser) Check(sel string) {
	b.t.Helper()
	b.Do(chromedp.SetAttributeValue(chromedp.CSS(sel), "checked", "checked"))
}

// Upload puts a file on the file input sel.
func (b *Browser) Upload(sel, path string) {
	b.t.Helper()
	b.Do(chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}))
}

// Click clicks sel and gives what it starts a moment to begin.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)), chromedp.Sleep(150*time.Millisecond),
		chromedp.WaitReady(chromedp.CSS("body")))
}

// Text is the visible text of sel.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	b.Do(chromedp.WaitReady(chromedp.CSS(sel)))
	return run(b, chromedp.Text(chromedp.CSS(sel)))
}

// HTML is the markup of sel.
func (b *Browser) HTML(sel string) string {
	b.t.Helper()
	return run(b, chromedp.OuterHTML(chromedp.CSS(sel)))
}

// Path is the current page's path and query.
func (b *Browser) Path() string {
	b.t.Helper()
	u, err := url.Parse(run(b, chromedp.Location()))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

// Eval evaluates a JavaScript expression in the page (DevTools' evaluation, which the
// page's Content Security Policy does not bind) and answers its value.
func Eval[T any](b *Browser, expression string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
}

// WaitText waits until sel's text contains want.
func (b *Browser) WaitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s never said %q; it says %.800q", sel, want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Reset forgets the requests seen so far, before a first load is measured.
func (b *Browser) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests, b.bytes = nil, map[string]int64{}
}

// Load is what loading pages since the last Reset cost: bytes transferred (as sent, before
// any decompression) and the URLs asked for.
func (b *Browser) Load() (bytes int64, urls []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.bytes {
		bytes += n
	}
	return bytes, append([]string(nil), b.requests...)
}

// Violation is one accessibility rule a page breaks, as axe-core reports it.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// Axe runs axe-core (AXE_JS, which `make test` fetches from the npm registry) on the page
// and answers the serious and critical violations.
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	path := os.Getenv("AXE_JS")
	if path == "" {
		b.t.Fatal("AXE_JS is not set: run the tests with `make test`, which fetches axe-core")
	}
	src, err := os.ReadFile(path) // #nosec G304 G703 -- axe.min.js at the path the test run configures
	if err != nil {
		b.t.Fatalf("axe-core: %v", err)
	}
	// DevTools' evaluation is not bound by the page's Content Security Policy, which
	// forbids injected scripts to everything else.
	run(b, chromedp.Evaluate[any](string(src)+";0"))
	raw := Eval[string](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`)
	var all []Violation
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		b.t.Fatalf("axe-core's answer: %v", err)
	}
	var out []Violation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}

// Screenshot saves the whole page as name.png in SCREENSHOTS_DIR (`make screenshots`
// sets docs/screenshots); without it, nothing is saved.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		return
	}
	png := run(b, chromedp.FullScreenshot(100))                                       // 100: PNG rather than JPEG
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil { // #nosec G306 G703 -- screenshots for the docs, written where the developer asks
		b.t.Fatal(err)
	}
}

// String names the browser in failures.
func (b *Browser) String() string { return fmt.Sprintf("browser on %s", b.base) }

// ClearCache empties the browser's HTTP cache, so the next load is a first load.
func (b *Browser) ClearCache() {
	b.t.Helper()
	b.Do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{})
		return err
	}))
}
