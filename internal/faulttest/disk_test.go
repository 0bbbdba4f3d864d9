package faulttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/benchdata"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestAttachmentDiskFull fills the attachment store's disk (a 2 MB tmpfs mounted over
// DATA_DIR/attachments) with uploads: the upload that does not fit answers 503 saying
// storage is full, leaves no partial file behind, and no attachment row names a file
// that is missing or incomplete; once space is freed, uploads work again without a restart.
func TestAttachmentDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a size-limited tmpfs needs root (CI and the development machine run the suite as root)")
	}
	ctx := context.Background()
	dbs := testsupport.NewDatabases(t)
	facts, err := benchdata.Load(ctx, dbs.OwnerURL, benchdata.Options{Orgs: 1, LargeTickets: 5})
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	store := filepath.Join(dataDir, "attachments")
	if err := os.MkdirAll(store, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", store).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", store).Run() }) // after the server has stopped
	// A filler file takes part of the disk; removing it is the operator freeing space.
	filler := filepath.Join(store, "filler")
	if err := os.WriteFile(filler, make([]byte, 700<<10), 0o600); err != nil {
		t.Fatal(err)
	}

	port := testsupport.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := append(serverEnv(t, dbs.AppURL, dataDir, port), "EMAIL_PROVIDER=smtp", "SMTP_HOST=127.0.0.1", "SMTP_PORT=1", "SMTP_TLS=none")
	srv := start(t, "serve", env, "serve")
	waitReady(t, base, srv, 60*time.Second)
	token := login(t, base, facts.CoordinatorEmail, benchdata.Password)
	ticket := facts.SampleTicketIDs[0]
	startedAt := time.Now().Add(-time.Second)

	upload := func() answer {
		t.Helper()
		photo := make([]byte, 300<<10)
		_, _ = rand.Read(photo)
		copy(photo, "\x89PNG\r\n\x1a\n")
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("file", "damp.png")
		_, _ = part.Write(photo)
		_ = w.Close()
		a, err := call(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/tickets/%s/attachments", base, ticket), token, body.Bytes(), w.FormDataContentType())
		if err != nil {
			t.Fatalf("upload: %v", err)
		}
		return a
	}

	stored := 0
	var full answer
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatalf("20 uploads of 300 KB fitted on a 2 MB disk")
		}
		a := upload()
		if a.status == http.StatusCreated {
			stored++
			continue
		}
		full = a
		break
	}
	if stored == 0 {
		t.Fatalf("the first upload already failed: %d %s", full.status, full.raw)
	}
	if full.status != http.StatusServiceUnavailable || full.err.Code != "SERVICE_UNAVAILABLE" ||
		!strings.Contains(full.err.Message, "storage is full") || full.header.Get("Retry-After") == "" {
		t.Errorf("the upload that did not fit: %d, Retry-After %q, %s; want 503 SERVICE_UNAVAILABLE saying storage is full, with Retry-After",
			full.status, full.header.Get("Retry-After"), full.raw)
	}
	t.Logf("%d uploads of 300 KB fitted; the next answered %d %s", stored, full.status, full.raw)

	// A second attempt while the disk is still full fails the same way.
	if a := upload(); a.status != http.StatusServiceUnavailable {
		t.Errorf("upload on a full disk: %d %s, want 503", a.status, a.raw)
	}
	checkStore(t, ctx, orgConn(t, dbs.OwnerURL, facts.OrgID), store, startedAt, stored)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if a := upload(); a.status != http.StatusCreated {
		t.Fatalf("upload after space was freed: %d %s, want 201", a.status, a.raw)
	}
	checkStore(t, ctx, orgConn(t, dbs.OwnerURL, facts.OrgID), store, startedAt, stored+1)
}

// checkStore asserts the store holds only whole files named by their SHA-256, no upload
// in progress is left behind, and each of the want attachment rows written since
// startedAt names a stored file of its size.
func checkStore(t *testing.T, ctx context.Context, conn *pgx.Conn, store string, startedAt time.Time, want int) {
	t.Helper()
	files := map[string]int64{}
	err := filepath.WalkDir(store, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == filepath.Join(store, "filler") {
			return err
		}
		if filepath.Dir(path) == filepath.Join(store, ".incoming") {
			t.Errorf("a partial upload was left behind: %s", path)
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != filepath.Base(path) {
			t.Errorf("%s holds %d bytes that are not the file its name promises (partial?)", path, len(content))
		}
		files[filepath.Base(path)] = int64(len(content))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `SELECT sha256, size_bytes FROM attachments WHERE created_at >= $1`, startedAt)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		Sum  string
		Size int64
	}])
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != want {
		t.Errorf("%d attachment rows, want %d (one per upload answered 201)", len(sums), want)
	}
	for _, r := range sums {
		if size, ok := files[r.Sum]; !ok || size != r.Size {
			t.Errorf("attachment row %s (%d bytes) names a file that is missing or not whole (%d bytes stored)", r.Sum, r.Size, size)
		}
	}
}
