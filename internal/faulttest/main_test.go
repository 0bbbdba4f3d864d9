package faulttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// binary is the maintainuk binary TestMain builds from this tree.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "maintainuk-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "maintainuk")
	build := exec.Command("go", "build", "-o", binary, "github.com/maintainuk/maintainuk/cmd/maintainuk")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest: go build:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one maintainuk process (serve, worker, loadtest), its output in a log file.
type proc struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// start runs the binary with args and env added to the test's environment. The process
// is stopped (SIGTERM, then SIGKILL after 20 s) when the test ends, and its log is shown
// if the test failed.
func start(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("start maintainuk %s: %v", strings.Join(args, " "), err)
	}
	p := &proc{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			out, _ := os.ReadFile(logPath)
			if len(out) > 6000 {
				out = out[len(out)-6000:]
			}
			t.Logf("%s log (tail):\n%s", name, out)
		}
	})
	return p
}

// stop sends SIGTERM and waits for the process to end.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// kill sends SIGKILL: the process gets no chance to finish or hand anything back.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// serverEnv is what `serve` and `worker` need in production mode.
func serverEnv(t *testing.T, appURL, dataDir string, port int) []string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return []string{
		"APP_ENV=production", "DATABASE_URL=" + appURL, "APP_SECRET=" + hex.EncodeToString(secret),
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port), fmt.Sprintf("BASE_URL=http://127.0.0.1:%d", port),
		"DATA_DIR=" + dataDir, "LOG_LEVEL=info", "METRICS_ADDR=",
		// The load generators are one client each: the API's per-client limit (100 a
		// minute in production) would answer them 429, which is not what these tests watch.
		"API_RATE_LIMIT=0", "API_ORG_RATE_LIMIT=0",
	}
}

// waitReady waits until GET /health/ready answers 200.
func waitReady(t *testing.T, base string, p *proc, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(base + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("the server exited before it was ready")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server was not ready after %s: %v", limit, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answer is a decoded API answer.
type answer struct {
	status int
	header http.Header
	data   json.RawMessage
	err    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	raw []byte
}

var client = &http.Client{Timeout: 30 * time.Second}

// call sends a JSON (or, with contentType set, raw) request and decodes the envelope.
func call(ctx context.Context, method, url, token string, body any, contentType string) (answer, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return answer{}, err
		}
		r, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return answer{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	var env struct {
		Data  json.RawMessage `json:"data"`
		Error *json.RawMessage
	}
	if json.Unmarshal(raw, &env) == nil {
		a.data = env.Data
		if env.Error != nil {
			_ = json.Unmarshal(*env.Error, &a.err)
		}
	}
	return a, nil
}

// login returns an access token for email.
func login(t *testing.T, base, email, password string) string {
	t.Helper()
	a, err := call(context.Background(), http.MethodPost, base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}, "")
	if err != nil || a.status != http.StatusOK {
		t.Fatalf("log in as %s: %v %d %s", email, err, a.status, a.raw)
	}
	var s struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(a.data, &s); err != nil || s.AccessToken == "" {
		t.Fatalf("log in as %s: %v %s", email, err, a.raw)
	}
	return s.AccessToken
}

// orgConn connects as the schema owner with the organisation's row-level security
// scope set for the session, to read what the application wrote.
func orgConn(t *testing.T, ownerURL string, orgID uuid.UUID) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `SELECT set_config('app.org_id', $1, false)`, orgID.String()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// superuserConn connects to the test's database (named in ownerURL) as the cluster's
// superuser (TEST_DATABASE_URL), which row-level security does not restrict, to read
// every organisation's rows.
func superuserConn(t *testing.T, ownerURL string) *pgx.Conn {
	t.Helper()
	owner, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := url.Parse(os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	admin.Path = owner.Path
	conn, err := pgx.Connect(context.Background(), admin.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
