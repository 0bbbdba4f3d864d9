package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/tickets"
)

// ---- file contents -------------------------------------------------------------------

// atFiller is size deterministic bytes that differ by seed, so each test file has its
// own hash unless a test wants the same one.
func atFiller(seed string, size int) []byte {
	out := make([]byte, 0, size+32)
	block := sha256.Sum256([]byte(seed))
	for len(out) < size {
		out = append(out, block[:]...)
		block = sha256.Sum256(block[:])
	}
	return out[:size]
}

// atWithHead is head followed by filler up to size bytes (at least the head).
func atWithHead(head []byte, seed string, size int) []byte {
	if size < len(head) {
		size = len(head)
	}
	return append(append([]byte{}, head...), atFiller(seed, size-len(head))...)
}

var (
	atJPEGHead = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00}
	atPNGHead  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0}
	// An iPhone photo starts with a 24-byte ftyp box: size, "ftyp", major brand "heic",
	// minor version, compatible brands.
	atHEICHead = append([]byte{0, 0, 0, 0x18}, "ftypheic\x00\x00\x00\x00mif1heic"...)
	atHEIFHead = append([]byte{0, 0, 0, 0x18}, "ftypmif1\x00\x00\x00\x00mif1heic"...)
	atPDFHead  = []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
)

func atJPEG(seed string, size int) []byte { return atWithHead(atJPEGHead, seed, size) }
func atPNG(seed string) []byte            { return atWithHead(atPNGHead, seed, 700) }
func atHEIC(seed string) []byte           { return atWithHead(atHEICHead, seed, 900) }
func atPDF(seed string) []byte            { return append(atWithHead(atPDFHead, seed, 1200), "\n%%EOF\n"...) }

func atSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ---- multipart -----------------------------------------------------------------------

// atPart is one file of a multipart form.
type atPart struct {
	field, filename, contentType string
	data                         []byte
}

// atForm builds a multipart/form-data body of values then files.
func atForm(t testing.TB, values [][2]string, files ...atPart) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, v := range values {
		if err := w.WriteField(v[0], v[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.filename))
		if f.contentType != "" {
			h.Set("Content-Type", f.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// atUpload posts one file as the form field "file".
func atUpload(t testing.TB, c *testsupport.Client, ticketID uuid.UUID, filename, declared string, data []byte) *testsupport.Response {
	t.Helper()
	body, ct := atForm(t, nil, atPart{field: "file", filename: filename, contentType: declared, data: data})
	return c.With(t).Do(http.MethodPost, "/api/v1/tickets/"+ticketID.String()+"/attachments", body, "Content-Type", ct)
}

func atUploaded(t testing.TB, c *testsupport.Client, ticketID uuid.UUID, filename, declared string, data []byte) attachments.Attachment {
	t.Helper()
	var a attachments.Attachment
	atUpload(t, c, ticketID, filename, declared, data).Expect(http.StatusCreated).Data(&a)
	return a
}

func atList(t testing.TB, c *testsupport.Client, ticketID uuid.UUID) []attachments.Attachment {
	t.Helper()
	var list []attachments.Attachment
	c.With(t).Get("/api/v1/tickets/" + ticketID.String() + "/attachments?sort=oldest").Expect(http.StatusOK).Data(&list)
	return list
}

func atDownload(t testing.TB, c *testsupport.Client, id uuid.UUID) *testsupport.Response {
	t.Helper()
	return c.With(t).Get("/api/v1/attachments/" + id.String())
}

// ---- an organisation to attach to ----------------------------------------------------

type atOrg struct {
	*testsupport.Estate
	ticketID uuid.UUID
}

// atNewOrg is an Estate whose unit has reference and a ticket on it.
func atNewOrg(t *testing.T, app *testsupport.App, name, reference string) *atOrg {
	t.Helper()
	o := &atOrg{Estate: app.NewEstate(t, name, testsupport.EstateOptions{Reference: reference})}
	o.ticketID = atNewTicket(t, o.Admin, o.UnitID, "Leaking tap in the kitchen")
	return o
}

func atNewTicket(t testing.TB, staff *testsupport.Client, unitID uuid.UUID, title string) uuid.UUID {
	t.Helper()
	return staff.With(t).Post("/api/v1/tickets", map[string]any{"unitId": unitID, "title": title}).Expect(http.StatusCreated).ID()
}

// atNewApp starts the application with its files in a directory of the test's own.
func atNewApp(t *testing.T, env map[string]string) (*testsupport.App, string) {
	t.Helper()
	dataDir := t.TempDir()
	vars := map[string]string{"DATA_DIR": dataDir}
	for k, v := range env {
		vars[k] = v
	}
	return testsupport.NewApp(t, vars), dataDir
}

// ---- what is stored ------------------------------------------------------------------

// atStored lists the stored files (relative to DATA_DIR/attachments), leaving out the
// upload staging directory, which atIncoming reports.
func atStored(t testing.TB, dataDir string) []string {
	t.Helper()
	root := filepath.Join(dataDir, "attachments")
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".incoming" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// atIncoming lists files left in the staging directory: there should never be any
// between requests.
func atIncoming(t testing.TB, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "attachments", ".incoming"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func atStoredPath(orgID uuid.UUID, sum string) string {
	return orgID.String() + "/" + sum[:2] + "/" + sum
}

// atMeter is the organisation's storage meter as the service reports it.
func atMeter(t testing.TB, app *testsupport.App, orgID uuid.UUID) int64 {
	t.Helper()
	n, err := app.Attachments.StorageBytes(context.Background(), orgID)
	if err != nil {
		t.Fatalf("storage bytes: %v", err)
	}
	return n
}

// atDBCounts reads, as the application role in the organisation's scope, its attachment
// rows and its storage_bytes meter rows (count and total).
func atDBCounts(t testing.TB, app *testsupport.App, orgID uuid.UUID) (rows int, meterRows int, meterTotal int64) {
	t.Helper()
	err := app.DB.InTx(context.Background(), database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(context.Background(), `SELECT count(*) FROM attachments WHERE org_id = $1`, orgID).Scan(&rows); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(),
			`SELECT count(*), coalesce(sum(quantity), 0)::bigint FROM usage_meters WHERE org_id = $1 AND metric = $2`,
			orgID, attachments.MetricStorageBytes).Scan(&meterRows, &meterTotal)
	})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	return rows, meterRows, meterTotal
}

// atNothingStored checks an organisation has no attachment rows, no meter and no files,
// and that the staging directory is empty.
func atNothingStored(t testing.TB, app *testsupport.App, dataDir string, orgID uuid.UUID) {
	t.Helper()
	rows, meterRows, total := atDBCounts(t, app, orgID)
	if rows != 0 || total != 0 {
		t.Errorf("attachment rows %d, meter rows %d totalling %d; want none", rows, meterRows, total)
	}
	for _, f := range atStored(t, dataDir) {
		if strings.HasPrefix(f, orgID.String()+"/") {
			t.Errorf("file stored: %s", f)
		}
	}
	if in := atIncoming(t, dataDir); len(in) != 0 {
		t.Errorf("staging files left: %v", in)
	}
}

// atTimeline is the ticket's trail as a staff member reads it.
func atTimeline(t testing.TB, staff *testsupport.Client, ticketID uuid.UUID) tickets.Detail {
	t.Helper()
	var d tickets.Detail
	staff.With(t).Get("/api/v1/tickets/" + ticketID.String()).Expect(http.StatusOK).Data(&d)
	return d
}

func atAddedEvents(t testing.TB, d tickets.Detail) map[uuid.UUID]map[string]any {
	t.Helper()
	out := map[uuid.UUID]map[string]any{}
	for _, e := range d.Timeline {
		if e.Action != "attachment_added" {
			continue
		}
		var after map[string]any
		if err := json.Unmarshal(e.After, &after); err != nil {
			t.Fatalf("attachment_added after: %v", err)
		}
		id, err := uuid.Parse(fmt.Sprint(after["attachmentId"]))
		if err != nil {
			t.Fatalf("attachment_added without attachmentId: %s", e.After)
		}
		if e.EntityID != d.ID {
			t.Errorf("attachment_added recorded on %s %s, want the ticket %s", e.EntityType, e.EntityID, d.ID)
		}
		if e.ActorID != nil {
			after["_actor"] = e.ActorID.String()
		}
		out[id] = after
	}
	return out
}

// ---- tests ---------------------------------------------------------------------------

// TestAttachmentUploadAndDownload uploads each accepted type, under honest and dishonest
// names and declared types, and reads each back: the type and name come from the content,
// the bytes are identical, the headers keep the browser from running anything.
func TestAttachmentUploadAndDownload(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	o := atNewOrg(t, app, "Upload Lets", "UP-1")
	coordinator := o.Coordinator

	cases := []struct {
		name, filename, declared string
		data                     []byte
		wantType, wantName       string
	}{
		{"jpeg", "tap.jpg", "image/jpeg", atJPEG("jpeg", 4000), "image/jpeg", "tap.jpg"},
		{"jpeg declared octet-stream, upper-case .JPEG", "IMG_0001.JPEG", "application/octet-stream", atJPEG("jpeg2", 3000), "image/jpeg", "IMG_0001.jpg"},
		{"jpeg with no declared type", "boiler.jpg", "", atJPEG("jpeg3", 2500), "image/jpeg", "boiler.jpg"},
		{"png", "damp.png", "image/png", atPNG("png"), "image/png", "damp.png"},
		{"heic", "IMG_1234.HEIC", "image/heic", atHEIC("heic"), "image/heic", "IMG_1234.heic"},
		{"heif mif1 brand", "photo.heif", "image/heif", atWithHead(atHEIFHead, "heif", 800), "image/heic", "photo.heic"},
		{"pdf", "gas-safety.pdf", "application/pdf", atPDF("pdf"), "application/pdf", "gas-safety.pdf"},
		{"pdf content named .jpg", "photo.jpg", "image/jpeg", atPDF("pdf-as-jpg"), "application/pdf", "photo.pdf"},
		{"png content named .exe", "setup.exe", "application/x-msdownload", atPNG("png-as-exe"), "image/png", "setup.png"},
		{"windows path", `C:\Users\ada\Pictures\mould.jpg`, "image/jpeg", atJPEG("winpath", 1000), "image/jpeg", "mould.jpg"},
		{"quotes in the name", `say "cheese".png`, "image/png", atPNG("quotes"), "image/png", "say cheese.png"},
		{"no extension", "scan", "application/pdf", atPDF("noext"), "application/pdf", "scan.pdf"},
		{"only an extension", ".jpg", "image/jpeg", atJPEG("onlyext", 1000), "image/jpeg", "attachment.jpg"},
		{"non-ASCII name", "Küche – Wasserschaden ☔.png", "image/png", atPNG("unicode"), "image/png", "Küche – Wasserschaden ☔.png"},
		{"semicolon and equals in the name", "a;b=c.jpg", "image/jpeg", atJPEG("semicolon", 1000), "image/jpeg", "a;b=c.jpg"},
	}
	uploaded := map[uuid.UUID]attachments.Attachment{}
	var order []uuid.UUID
	var total int64
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := atUploaded(t, coordinator, o.ticketID, tc.filename, tc.declared, tc.data)
			if a.ID == uuid.Nil || a.TicketID == nil || *a.TicketID != o.ticketID {
				t.Fatalf("attachment %+v, want an id on ticket %s", a, o.ticketID)
			}
			if a.ContentType != tc.wantType || a.Filename != tc.wantName {
				t.Errorf("stored as %q named %q, want %q named %q", a.ContentType, a.Filename, tc.wantType, tc.wantName)
			}
			if a.SHA256 != atSum(tc.data) || a.SizeBytes != int64(len(tc.data)) {
				t.Errorf("sha256 %s size %d, want %s size %d", a.SHA256, a.SizeBytes, atSum(tc.data), len(tc.data))
			}
			if a.UploadedBy == nil || *a.UploadedBy != coordinator.UserID || a.CreatedAt.IsZero() {
				t.Errorf("uploadedBy %v createdAt %v, want the coordinator and a time", a.UploadedBy, a.CreatedAt)
			}
			uploaded[a.ID] = a
			order = append(order, a.ID)
			total += a.SizeBytes

			// On disk, content-addressed under the organisation.
			onDisk, err := os.ReadFile(filepath.Join(dataDir, "attachments", filepath.FromSlash(atStoredPath(o.OrgID, a.SHA256))))
			if err != nil || !bytes.Equal(onDisk, tc.data) {
				t.Errorf("stored file: %d bytes (%v), want the upload's %d", len(onDisk), err, len(tc.data))
			}

			r := atDownload(t, o.Admin, a.ID).Expect(http.StatusOK)
			if !bytes.Equal(r.Body, tc.data) {
				t.Errorf("downloaded %d bytes, not the %d uploaded", len(r.Body), len(tc.data))
			}
			if got := r.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			disposition, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
			wantDisposition := "attachment"
			if strings.HasPrefix(tc.wantType, "image/") {
				wantDisposition = "inline"
			}
			if err != nil || disposition != wantDisposition || params["filename"] != tc.wantName {
				t.Errorf("Content-Disposition %q (%v), want %s with filename %q", r.Header.Get("Content-Disposition"), err, wantDisposition, tc.wantName)
			}
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			csp := r.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q, want a sandbox with default-src 'none'", csp)
			}
		})
	}

	t.Run("list shows every upload in order", func(t *testing.T) {
		list := atList(t, o.Admin, o.ticketID)
		var ids []uuid.UUID
		for _, a := range list {
			ids = append(ids, a.ID)
			want := uploaded[a.ID]
			if a.SHA256 != want.SHA256 || a.ContentType != want.ContentType || a.Filename != want.Filename || a.SizeBytes != want.SizeBytes {
				t.Errorf("listed %+v, uploaded %+v", a, want)
			}
		}
		if !slices.Equal(ids, order) {
			t.Fatalf("listed %v, uploaded %v", ids, order)
		}
	})

	t.Run("the ticket's timeline records each attachment", func(t *testing.T) {
		events := atAddedEvents(t, atTimeline(t, o.Admin, o.ticketID))
		if len(events) != len(order) {
			t.Fatalf("%d attachment_added events, want %d", len(events), len(order))
		}
		for id, a := range uploaded {
			after, ok := events[id]
			if !ok {
				t.Errorf("no attachment_added for %s", id)
				continue
			}
			if after["filename"] != a.Filename || after["contentType"] != a.ContentType || after["_actor"] != coordinator.UserID.String() {
				t.Errorf("event %v, want filename %q, type %q, actor %s", after, a.Filename, a.ContentType, coordinator.UserID)
			}
		}
	})

	t.Run("storage meter counts every distinct file", func(t *testing.T) {
		if got := atMeter(t, app, o.OrgID); got != total {
			t.Fatalf("meter %d, want %d", got, total)
		}
		if in := atIncoming(t, dataDir); len(in) != 0 {
			t.Fatalf("staging files left: %v", in)
		}
	})
}

// TestAttachmentRefusedTypes: anything not JPEG, PNG, HEIC or PDF by its content is 415,
// whatever it is called or declared as, and leaves nothing behind.
func TestAttachmentRefusedTypes(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	o := atNewOrg(t, app, "Refusing Lets", "RF-1")
	html := []byte("<!DOCTYPE html><html><body><script>fetch('/api/v1/auth/me')</script></body></html>")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><rect/></svg>`)
	exe := atWithHead([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF"), "exe", 2000)
	cases := []struct {
		name, filename, declared string
		data                     []byte
	}{
		{"html declared as jpeg", "photo.jpg", "image/jpeg", html},
		{"html", "page.html", "text/html", html},
		{"windows executable", "setup.exe", "application/x-msdownload", exe},
		{"executable named .jpg", "holiday.jpg", "image/jpeg", exe},
		{"ELF executable declared as pdf", "report.pdf", "application/pdf", atWithHead([]byte("\x7FELF\x02\x01\x01"), "elf", 1000)},
		{"gif", "anim.gif", "image/gif", atWithHead([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), "gif", 300)},
		{"svg", "logo.svg", "image/svg+xml", svg},
		{"svg declared as png", "logo.png", "image/png", svg},
		{"plain text", "notes.txt", "text/plain", []byte("the boiler is broken again")},
		{"mp4 video (ftyp isom)", "clip.mp4", "video/mp4", atWithHead(append([]byte{0, 0, 0, 0x18}, "ftypisom\x00\x00\x02\x00isomiso2"...), "mp4", 900)},
		{"zip", "docs.zip", "application/zip", atWithHead([]byte("PK\x03\x04\x14\x00"), "zip", 500)},
		{"webp", "photo.webp", "image/webp", atWithHead([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "webp", 500)},
		{"pdf after a junk byte", "x.pdf", "application/pdf", append([]byte(" "), atPDF("junk")...)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testsupport.ExpectFailure(t, atUpload(t, o.Admin, o.ticketID, tc.filename, tc.declared, tc.data),
				http.StatusUnsupportedMediaType, apperr.UnsupportedType)
		})
	}
	t.Run("nothing stored", func(t *testing.T) {
		if list := atList(t, o.Admin, o.ticketID); len(list) != 0 {
			t.Errorf("ticket has attachments %+v", list)
		}
		if ev := atAddedEvents(t, atTimeline(t, o.Admin, o.ticketID)); len(ev) != 0 {
			t.Errorf("timeline has %d attachment_added events", len(ev))
		}
		atNothingStored(t, app, dataDir, o.OrgID)
		if got := atMeter(t, app, o.OrgID); got != 0 {
			t.Errorf("meter %d", got)
		}
	})
}

// TestAttachmentSizeLimits: up to exactly 10 MB is accepted; one byte more is 413 with
// nothing stored; an empty file is a validation error.
func TestAttachmentSizeLimits(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	o := atNewOrg(t, app, "Size Lets", "SZ-1")
	admin := o.Admin

	t.Run("empty file", func(t *testing.T) {
		testsupport.ExpectFailure(t, atUpload(t, admin, o.ticketID, "empty.jpg", "image/jpeg", nil), http.StatusUnprocessableEntity, apperr.Invalid, "file")
	})
	t.Run("empty file with no declared type", func(t *testing.T) {
		testsupport.ExpectFailure(t, atUpload(t, admin, o.ticketID, "empty.jpg", "", nil), http.StatusUnprocessableEntity, apperr.Invalid)
	})
	t.Run("no file at all", func(t *testing.T) {
		body, ct := atForm(t, [][2]string{{"note", "forgot the photo"}})
		testsupport.ExpectFailure(t, admin.With(t).Do(http.MethodPost, "/api/v1/tickets/"+o.ticketID.String()+"/attachments", body, "Content-Type", ct),
			http.StatusUnprocessableEntity, apperr.Invalid, "file")
	})
	t.Run("one byte over 10 MB", func(t *testing.T) {
		testsupport.ExpectFailure(t, atUpload(t, admin, o.ticketID, "big.jpg", "image/jpeg", atJPEG("big", attachments.MaxBytes+1)),
			http.StatusRequestEntityTooLarge, apperr.TooLarge)
	})
	t.Run("well over 10 MB", func(t *testing.T) {
		testsupport.ExpectFailure(t, atUpload(t, admin, o.ticketID, "bigger.jpg", "image/jpeg", atJPEG("bigger", attachments.MaxBytes+200<<10)),
			http.StatusRequestEntityTooLarge, apperr.TooLarge)
	})
	t.Run("malformed multipart body", func(t *testing.T) {
		r := admin.With(t).Do(http.MethodPost, "/api/v1/tickets/"+o.ticketID.String()+"/attachments", "not a multipart body",
			"Content-Type", "multipart/form-data; boundary=xyz")
		if r.Status < 400 || r.Status >= 500 {
			t.Fatalf("status %d, want a 4xx; body %s", r.Status, r.Body)
		}
		r.Failure()
	})
	t.Run("refusals stored nothing", func(t *testing.T) {
		atNothingStored(t, app, dataDir, o.OrgID)
		if got := atMeter(t, app, o.OrgID); got != 0 {
			t.Errorf("meter %d, want 0", got)
		}
	})
	t.Run("exactly 10 MB", func(t *testing.T) {
		data := atJPEG("exact", attachments.MaxBytes)
		a := atUploaded(t, admin, o.ticketID, "exact.jpg", "image/jpeg", data)
		if a.SizeBytes != 10<<20 || a.SHA256 != atSum(data) {
			t.Fatalf("size %d sha %s", a.SizeBytes, a.SHA256)
		}
		if r := atDownload(t, admin, a.ID).Expect(http.StatusOK); !bytes.Equal(r.Body, data) {
			t.Fatalf("downloaded %d bytes, want the same 10 MB", len(r.Body))
		}
		if got := atMeter(t, app, o.OrgID); got != 10<<20 {
			t.Fatalf("meter %d, want %d", got, 10<<20)
		}
		if got := atStored(t, dataDir); !slices.Equal(got, []string{atStoredPath(o.OrgID, a.SHA256)}) {
			t.Fatalf("stored %v", got)
		}
	})
}

// atCountingReader counts what the server has read of a request body.
type atCountingReader struct {
	mu sync.Mutex
	r  io.Reader
	n  int64
}

func (c *atCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.mu.Lock()
	c.n += int64(n)
	c.mu.Unlock()
	return n, err
}

func (c *atCountingReader) read() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// TestAttachmentUploadBodyIsLimited: a multipart body far over the limit is refused
// without the server reading (and spooling to disk) all of it: an upload endpoint must
// not accept unbounded bodies, and the public form takes them without an account.
func TestAttachmentUploadBodyIsLimited(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, nil)
	o := atNewOrg(t, app, "Flood Lets", "FL-1")
	slug := o.Slug
	const huge = 64 << 20
	upload, public := "/api/v1/tickets/"+o.ticketID.String()+"/attachments", "/api/v1/public/"+slug+"/reports"
	for _, tc := range []struct {
		name, path, field string
		auth, chunked     bool
		limit             int64
	}{
		{"ticket upload", upload, "file", true, false, attachments.MaxBytes + 64<<10},
		{"ticket upload, chunked", upload, "file", true, true, attachments.MaxBytes + 64<<10},
		{"public report", public, "photos", false, false, 5*attachments.MaxBytes + 256<<10},
		{"public report, chunked", public, "photos", false, true, 5*attachments.MaxBytes + 256<<10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := atForm(t, [][2]string{{"name", "Flood"}, {"email", "flood@example.com"}, {"address", "1 High Street"}, {"title", "Flood"}},
				atPart{field: tc.field, filename: "huge.jpg", contentType: "image/jpeg", data: atJPEG("huge", huge)})
			cr := &atCountingReader{r: bytes.NewReader(body)}
			req, err := http.NewRequest(http.MethodPost, app.Server.URL+tc.path, cr)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.chunked {
				req.ContentLength = int64(len(body)) // else sent chunked, its length unknown until the end
			}
			req.Header.Set("Content-Type", ct)
			if tc.auth {
				req.Header.Set("Authorization", "Bearer "+o.Admin.Token)
			}
			resp, err := app.Server.Client().Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("status %d, want 413", resp.StatusCode)
				}
			}
			// Allow the limit plus generous socket buffering; all 64 MB means no limit.
			if read := cr.read(); read > tc.limit+8<<20 {
				t.Errorf("the server read %d bytes of a %d-byte body; its limit is %d", read, len(body), tc.limit)
			}
		})
	}
}

// TestAttachmentAccess: who may upload, list and download a ticket's files. Those who may
// not see the ticket get 404, exactly as for a ticket that does not exist, and nothing is
// stored for them.
func TestAttachmentAccess(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	a := atNewOrg(t, app, "Access Alpha", "AC-1")
	b := atNewOrg(t, app, "Access Bravo", "AC-1")
	strangerTenant := app.AddMember(a.Admin, access.Tenant) // in A, but lives elsewhere
	photo := atJPEG("access-photo", 2048)
	first := atUploaded(t, a.Admin, a.ticketID, "first.jpg", "image/jpeg", photo)
	bFile := atUploaded(t, b.Admin, b.ticketID, "bravo.png", "image/png", atPNG("bravo"))

	ticketPath := func(id uuid.UUID) string { return "/api/v1/tickets/" + id.String() + "/attachments" }
	// refused checks upload, list and download all answer 404 like a missing id, and that
	// the refused upload stored nothing anywhere.
	refused := func(t *testing.T, c *testsupport.Client, ticketID, attachmentID uuid.UUID) {
		t.Helper()
		filesBefore := atStored(t, dataDir)
		meterA, meterB := atMeter(t, app, a.OrgID), atMeter(t, app, b.OrgID)
		rowsA, _, _ := atDBCounts(t, app, a.OrgID)
		rowsB, _, _ := atDBCounts(t, app, b.OrgID)

		missingUpload := testsupport.ExpectFailure(t, atUpload(t, c, uuid.New(), "x.jpg", "image/jpeg", photo), http.StatusNotFound, apperr.NotFound)
		got := testsupport.ExpectFailure(t, atUpload(t, c, ticketID, "sneaky.jpg", "image/jpeg", atJPEG("sneaky-"+uuid.NewString(), 3000)), http.StatusNotFound, apperr.NotFound)
		if got.Message != missingUpload.Message {
			t.Errorf("upload: %q, for a missing ticket %q", got.Message, missingUpload.Message)
		}
		missingList := testsupport.ExpectFailure(t, c.With(t).Get(ticketPath(uuid.New())), http.StatusNotFound, apperr.NotFound)
		if got := testsupport.ExpectFailure(t, c.With(t).Get(ticketPath(ticketID)), http.StatusNotFound, apperr.NotFound); got.Message != missingList.Message {
			t.Errorf("list: %q, for a missing ticket %q", got.Message, missingList.Message)
		}
		missingGet := testsupport.ExpectFailure(t, atDownload(t, c, uuid.New()), http.StatusNotFound, apperr.NotFound)
		r := atDownload(t, c, attachmentID)
		if bytes.Contains(r.Body, photo[:64]) {
			t.Fatalf("download leaked the file")
		}
		if got := testsupport.ExpectFailure(t, r, http.StatusNotFound, apperr.NotFound); got.Message != missingGet.Message {
			t.Errorf("download: %q, for a missing attachment %q", got.Message, missingGet.Message)
		}

		if after := atStored(t, dataDir); !slices.Equal(after, filesBefore) {
			t.Errorf("files changed by a refused upload:\nbefore %v\nafter  %v", filesBefore, after)
		}
		if in := atIncoming(t, dataDir); len(in) != 0 {
			t.Errorf("staging files left: %v", in)
		}
		if ma, mb := atMeter(t, app, a.OrgID), atMeter(t, app, b.OrgID); ma != meterA || mb != meterB {
			t.Errorf("meters A %d→%d, B %d→%d", meterA, ma, meterB, mb)
		}
		if ra, _, _ := atDBCounts(t, app, a.OrgID); ra != rowsA {
			t.Errorf("A's attachment rows %d→%d", rowsA, ra)
		}
		if rb, _, _ := atDBCounts(t, app, b.OrgID); rb != rowsB {
			t.Errorf("B's attachment rows %d→%d", rowsB, rb)
		}
	}
	allowed := func(t *testing.T, c *testsupport.Client, who string) {
		t.Helper()
		if r := atDownload(t, c, first.ID).Expect(http.StatusOK); !bytes.Equal(r.Body, photo) {
			t.Fatalf("%s downloaded other bytes", who)
		}
		up := atUploaded(t, c, a.ticketID, who+".png", "image/png", atPNG(who))
		if up.UploadedBy == nil || *up.UploadedBy != c.UserID {
			t.Errorf("uploadedBy %v, want %s", up.UploadedBy, c.UserID)
		}
		list := atList(t, c, a.ticketID)
		if !slices.ContainsFunc(list, func(x attachments.Attachment) bool { return x.ID == first.ID }) ||
			!slices.ContainsFunc(list, func(x attachments.Attachment) bool { return x.ID == up.ID }) {
			t.Errorf("%s's list %+v lacks the files", who, list)
		}
	}

	t.Run("anonymous", func(t *testing.T) {
		anon := app.Anonymous()
		testsupport.ExpectFailure(t, atUpload(t, anon, a.ticketID, "x.jpg", "image/jpeg", photo), http.StatusUnauthorized, apperr.Unauthenticated)
		testsupport.ExpectFailure(t, anon.With(t).Get(ticketPath(a.ticketID)), http.StatusUnauthorized, apperr.Unauthenticated)
		testsupport.ExpectFailure(t, atDownload(t, anon, first.ID), http.StatusUnauthorized, apperr.Unauthenticated)
	})
	t.Run("admin", func(t *testing.T) { allowed(t, a.Admin, "admin") })
	t.Run("coordinator", func(t *testing.T) { allowed(t, a.Coordinator, "coordinator") })
	t.Run("tenant of the ticket's unit", func(t *testing.T) { allowed(t, a.Tenant, "tenant") })
	t.Run("another tenant", func(t *testing.T) { refused(t, strangerTenant, a.ticketID, first.ID) })
	t.Run("tenant's own report on another unit is still theirs", func(t *testing.T) {
		// A ticket the stranger reported is visible to them even without the unit.
		other := a.Admin.With(t).Post("/api/v1/properties/"+a.PropertyID.String()+"/units", map[string]any{"label": "Flat 2", "reference": "AC-2"}).
			Expect(http.StatusCreated).ID()
		a.Admin.With(t).Post("/api/v1/units/"+other.String()+"/occupants", map[string]any{"userId": strangerTenant.UserID}).Expect(http.StatusCreated)
		own := strangerTenant.With(t).Post("/api/v1/tickets", map[string]any{"unitId": other, "title": "Broken window"}).Expect(http.StatusCreated).ID()
		f := atUploaded(t, strangerTenant, own, "window.jpg", "image/jpeg", atJPEG("window", 900))
		atDownload(t, strangerTenant, f.ID).Expect(http.StatusOK)
		// and the tenant of the first unit cannot see it.
		refused(t, a.Tenant, own, f.ID)
	})
	t.Run("contractor without a work order on the ticket", func(t *testing.T) { refused(t, a.Contractor, a.ticketID, first.ID) })
	t.Run("contractor with a work order on another ticket", func(t *testing.T) {
		otherTicket := atNewTicket(t, a.Admin, a.UnitID, "Door sticks")
		a.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": otherTicket, "contractorId": a.ContractorID, "description": "Plane the door"}).
			Expect(http.StatusCreated)
		refused(t, a.Contractor, a.ticketID, first.ID)
	})
	t.Run("contractor with a work order on the ticket", func(t *testing.T) {
		a.Admin.With(t).Post("/api/v1/work-orders", map[string]any{"ticketId": a.ticketID, "contractorId": a.ContractorID, "description": "Fix the tap"}).
			Expect(http.StatusCreated)
		// Of the ticket's files it sees only its own and those staff shared with it.
		c := a.Contractor
		testsupport.ExpectFailure(t, atDownload(t, c, first.ID), http.StatusNotFound, apperr.NotFound)
		shared := viUploaded(t, a.Admin, a.ticketID, "plan", &a.ContractorID)
		atDownload(t, c, shared.ID).Expect(http.StatusOK)
		up := atUploaded(t, c, a.ticketID, "contractor.png", "image/png", atPNG("contractor"))
		if up.UploadedBy == nil || *up.UploadedBy != c.UserID {
			t.Errorf("uploadedBy %v, want %s", up.UploadedBy, c.UserID)
		}
		if got := viAttachmentIDs(atList(t, c, a.ticketID)); !slices.Equal(got, []uuid.UUID{shared.ID, up.ID}) {
			t.Errorf("contractor's list %v, want %v", got, []uuid.UUID{shared.ID, up.ID})
		}
	})
	t.Run("other organisation's admin", func(t *testing.T) { refused(t, b.Admin, a.ticketID, first.ID) })
	t.Run("other organisation's coordinator", func(t *testing.T) { refused(t, b.Coordinator, a.ticketID, first.ID) })
	t.Run("other organisation's contractor", func(t *testing.T) { refused(t, b.Contractor, a.ticketID, first.ID) })
	t.Run("other organisation's tenant", func(t *testing.T) { refused(t, b.Tenant, a.ticketID, first.ID) })
	t.Run("own ticket, other organisation's attachment id", func(t *testing.T) {
		// A's admin names B's attachment: 404, even though A has a ticket of its own.
		testsupport.ExpectFailure(t, atDownload(t, a.Admin, bFile.ID), http.StatusNotFound, apperr.NotFound)
	})
}

// TestAttachmentStorageMeter: the storage_bytes gauge grows by each distinct file's size
// once per organisation, however many times it is attached.
func TestAttachmentStorageMeter(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	a := atNewOrg(t, app, "Meter Alpha", "MT-1")
	b := atNewOrg(t, app, "Meter Bravo", "MT-1")
	admin := a.Admin
	second := atNewTicket(t, admin, a.UnitID, "Second ticket")
	x, y := atJPEG("meter-x", 3000), atPDF("meter-y")

	expect := func(t *testing.T, org *atOrg, wantBytes int64, wantRows int) {
		t.Helper()
		if got := atMeter(t, app, org.OrgID); got != wantBytes {
			t.Errorf("StorageBytes %d, want %d", got, wantBytes)
		}
		rows, meterRows, total := atDBCounts(t, app, org.OrgID)
		if rows != wantRows {
			t.Errorf("attachment rows %d, want %d", rows, wantRows)
		}
		if wantBytes > 0 && (meterRows != 1 || total != wantBytes) {
			t.Errorf("usage_meters: %d storage_bytes rows totalling %d, want one of %d", meterRows, total, wantBytes)
		}
	}

	t.Run("starts at zero", func(t *testing.T) { expect(t, a, 0, 0) })
	var firstX attachments.Attachment
	t.Run("first file", func(t *testing.T) {
		firstX = atUploaded(t, admin, a.ticketID, "x.jpg", "image/jpeg", x)
		expect(t, a, int64(len(x)), 1)
	})
	t.Run("same bytes again: a second row, no more bytes", func(t *testing.T) {
		again := atUploaded(t, a.Coordinator, a.ticketID, "x-again.jpg", "image/jpeg", x)
		if again.ID == firstX.ID || again.SHA256 != firstX.SHA256 {
			t.Fatalf("second upload %+v, first %+v", again, firstX)
		}
		expect(t, a, int64(len(x)), 2)
		if list := atList(t, admin, a.ticketID); len(list) != 2 {
			t.Fatalf("ticket lists %d attachments, want 2", len(list))
		}
		for _, id := range []uuid.UUID{firstX.ID, again.ID} {
			if r := atDownload(t, admin, id).Expect(http.StatusOK); !bytes.Equal(r.Body, x) {
				t.Fatalf("download of %s differs", id)
			}
		}
	})
	t.Run("same bytes on another ticket", func(t *testing.T) {
		atUploaded(t, admin, second, "x.jpg", "image/jpeg", x)
		expect(t, a, int64(len(x)), 3)
	})
	t.Run("a different file adds its size", func(t *testing.T) {
		atUploaded(t, admin, a.ticketID, "y.pdf", "application/pdf", y)
		expect(t, a, int64(len(x)+len(y)), 4)
		want := []string{atStoredPath(a.OrgID, atSum(x)), atStoredPath(a.OrgID, atSum(y))}
		slices.Sort(want)
		if got := atStored(t, dataDir); !slices.Equal(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}
	})
	t.Run("another organisation counts its own copy", func(t *testing.T) {
		atUploaded(t, b.Admin, b.ticketID, "x.jpg", "image/jpeg", x)
		expect(t, b, int64(len(x)), 1)
		expect(t, a, int64(len(x)+len(y)), 4)
		if got := atStored(t, dataDir); !slices.Contains(got, atStoredPath(b.OrgID, atSum(x))) || len(got) != 3 {
			t.Fatalf("stored %v, want B's own copy of x beside A's two files", got)
		}
	})
}

// TestAttachmentStorageMeterConcurrentSameFile: the same new file uploaded by several
// requests at once is still counted once.
func TestAttachmentStorageMeterConcurrentSameFile(t *testing.T) {
	t.Parallel()
	app, _ := atNewApp(t, nil)
	o := atNewOrg(t, app, "Race Lets", "RC-1")
	for round := range 3 {
		data := atJPEG(fmt.Sprintf("race-%d", round), 5000)
		before := atMeter(t, app, o.OrgID)
		const n = 6
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() {
				statuses[i] = atUpload(t, o.Admin, o.ticketID, fmt.Sprintf("race-%d.jpg", i), "image/jpeg", data).Status
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusCreated {
				t.Fatalf("round %d upload %d: status %d", round, i, s)
			}
		}
		if got := atMeter(t, app, o.OrgID) - before; got != int64(len(data)) {
			t.Fatalf("round %d: %d concurrent uploads of one %d-byte file added %d bytes to the meter", round, n, len(data), got)
		}
	}
}
