package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// photo is a small real JPEG (the export draws it).
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 120, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func upload(t *testing.T, c *testsupport.Client, ticketID uuid.UUID, name, contentType string, data []byte) attachments.Attachment {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreatePart(map[string][]string{
		"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, name)}, "Content-Type": {contentType}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var a attachments.Attachment
	c.With(t).Do(http.MethodPost, testsupport.Path("/api/v1/tickets/%s/attachments", ticketID), buf.Bytes(), "Content-Type", w.FormDataContentType()).
		Expect(http.StatusCreated).Data(&a)
	return a
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// A social landlord's emergency with damp and mould, paused for access, discussed,
// emailed and texted about, photographed and surveyed, then made safe: its export holds
// the header, each clock with its source, pause and outcome, and every event in time
// order, the export itself last. Residents and contractors are refused; another
// organisation's admin finds no such ticket.
func TestEvidenceExport(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Evidence Homes", testsupport.EstateOptions{Postcode: "LS6 2AB"})
	other := app.NewEstate(t, "Evidence Elsewhere", testsupport.EstateOptions{})
	e.Admin.With(t).Patch("/api/v1/settings", map[string]any{"landlord": "SOCIAL"}).Expect(http.StatusOK)

	tk := testsupport.CreateTicket(t, e.Coordinator, map[string]any{"unitId": e.UnitID, "title": "Ceiling collapsed after a leak",
		"priority": "EMERGENCY", "category": "STRUCTURAL", "description": "Water through the bedroom ceiling; plaster down.",
		"reportedByName": "Amira Khan", "reportedByPhone": "07911 123456", "reportedByEmail": "amira.khan@example.co.uk"})
	path := testsupport.Path("/api/v1/tickets/%s", tk.ID)
	co := e.Coordinator
	co.With(t).Do(http.MethodPut, path+"/hazards", map[string]any{"hazards": []string{"DAMP_MOULD"}}).Expect(http.StatusOK)
	co.With(t).Post(path+"/clocks/pause", map[string]any{"reason": "The tenant refused access today."}).Expect(http.StatusOK)
	co.With(t).Post(path+"/clocks/resume", nil).Expect(http.StatusOK)
	testsupport.Comment(t, co, tk.ID, "Surveyor booked for Friday.", "INTERNAL")
	co.With(t).Post(path+"/comments", map[string]any{"body": "We will visit on Friday morning.", "visibility": "RESIDENT", "emailResident": true}).
		Expect(http.StatusCreated)
	co.With(t).Post(path+"/messages", map[string]any{"channel": "SMS", "body": "Your repair is booked for Friday."}).Expect(http.StatusCreated)
	jpg := photo(t)
	shot := upload(t, e.Tenant, tk.ID, "ceiling.jpg", "image/jpeg", jpg)
	survey := append([]byte("%PDF-1.4\n% survey\n"), bytes.Repeat([]byte("x"), 1500)...)
	survey = append(survey, "\n%%EOF\n"...)
	doc := upload(t, co, tk.ID, "survey.pdf", "application/pdf", survey)
	co.With(t).Post(path+"/clocks/milestone", map[string]any{"milestone": "MADE_SAFE"}).Expect(http.StatusOK)

	r := co.With(t).Get(path + "/evidence").Expect(http.StatusOK)
	if ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"); ct != "application/pdf" || cd != `attachment; filename="evidence-`+tk.Number+`.pdf"` {
		t.Fatalf("Content-Type %q, Content-Disposition %q", ct, cd)
	}
	if os.Getenv("EVIDENCE_PDF_OUT") != "" {
		_ = os.WriteFile(os.Getenv("EVIDENCE_PDF_OUT"), r.Body, 0o600)
	}
	text := testsupport.PDFText(t, r.Body)
	head, chrono, ok := strings.Cut(text, "(Chronology)")
	if !ok {
		t.Fatalf("no chronology in %s", text)
	}

	t.Run("header", func(t *testing.T) {
		for _, want := range []string{"Evidence Homes", tk.Number + " Ceiling collapsed after a leak", "1 Evidence Homes Street", "LS6 2AB",
			"Flat 1 (EST-1)", "Amira Khan", "+447911123456", "amira.khan@example.co.uk", "Structural", "Emergency", "New",
			"not resolved", "Damp and mould growth", "Social landlord", "by Member COORDINATOR at ", "Water through the bedroom ceiling"} {
			if !strings.Contains(head, want) {
				t.Errorf("the header does not show %q", want)
			}
		}
		if !regexp.MustCompile(`Page 1 of [1-9]`).MatchString(text) {
			t.Error("the pages are not numbered \"Page n of m\"")
		}
	})

	t.Run("clocks", func(t *testing.T) {
		for _, want := range []string{"(Emergency hazard investigated and made safe)", "(Damp and mould investigated)",
			"Legal source: SI 2025/1042", "Paused: from ", "Reason: The tenant refused access today.",
			"Stopped: ", ", by made safe", "Outcome: Met, ", " before the deadline", "Outcome: Running, "} {
			if !strings.Contains(head, want) {
				t.Errorf("the clocks do not show %q", want)
			}
		}
	})

	t.Run("chronology", func(t *testing.T) {
		// Every entry, in the order it happened.
		// Tagging damp and mould starts its clock in the same act: the clock first.
		order := []string{"(Ticket reported, by Member COORDINATOR", "(Clock started: Emergency hazard investigated and made safe",
			"(Clock started: Damp and mould investigated", "(HHSRS hazards set: Damp and mould growth",
			"(Clocks paused (waiting on access)", "(Reason: The tenant refused access today.)", "(Clocks resumed",
			"(Comment by Member COORDINATOR, internal: staff only)", "(Surveyor booked for Friday.)",
			"(Email to the resident from Member COORDINATOR, also a comment the resident sees)", "(We will visit on Friday morning.)",
			"(SMS to +447911123456, sent by Member COORDINATOR", "(Your repair is booked for Friday.)",
			"(Photo attached: ceiling.jpg, by Member TENANT", "(SHA-256 " + shot.SHA256 + ")",
			"(File attached: survey.pdf, by Member COORDINATOR", fmt.Sprintf("(application/pdf, %s bytes)", thousands(len(survey))), "(SHA-256 " + sum(survey) + ")",
			"(Clock stopped: Emergency hazard investigated and made safe", "(By made safe, on time)",
			"(Evidence exported, by Member COORDINATOR", "(This document (evidence-" + tk.Number + ".pdf).)"}
		at := 0
		for _, want := range order {
			i := strings.Index(chrono[at:], want)
			if i < 0 {
				if strings.Contains(chrono, want) {
					t.Errorf("%q is out of order", want)
				} else {
					t.Errorf("the chronology does not show %q", want)
				}
				continue
			}
			at += i + len(want)
		}
		if strings.Contains(chrono, "(Comment added") || strings.Contains(chrono, "(File attached: ceiling.jpg") {
			t.Error("a comment or photo is listed twice")
		}
		if shot.SHA256 != sum(jpg) || doc.SHA256 != sum(survey) {
			t.Fatal("the uploads' SHA-256 are not their content's")
		}
		// The times run forwards, in London time.
		var last time.Time
		stamps := regexp.MustCompile(`\((\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} (GMT|BST))\)\s*Tj`).FindAllStringSubmatch(chrono, -1)
		for _, s := range stamps {
			when, err := time.ParseInLocation("2 Jan 2006 15:04 MST", s[1], ukcalendar.London)
			if err != nil {
				t.Fatal(err)
			}
			if when.Before(last) {
				t.Errorf("%s comes after %s", s[1], last.In(ukcalendar.London).Format("2 Jan 2006 15:04 MST"))
			}
			last = when
		}
		// One entry per event, comment, text and file: the timeline's comment and file
		// events are shown as the comment or file itself.
		var events []timeline.Event
		co.With(t).Get(testsupport.Path("/api/v1/timeline?entity=ticket&id=%s&sort=oldest&limit=200", tk.ID)).Expect(http.StatusOK).Data(&events)
		want := 2 + 1 + 2 // two comments, a text, two files
		for _, ev := range events {
			if ev.Action != "comment_added" && ev.Action != "attachment_added" {
				want++
			}
		}
		if len(stamps) != want {
			t.Errorf("%d entries in the chronology, want %d (%d timeline events)", len(stamps), want, len(events))
		}
		if !bytes.Contains(r.Body, []byte("/Filter /DCTDecode")) {
			t.Error("the photo is not drawn into the PDF")
		}
	})

	t.Run("on the timeline", func(t *testing.T) {
		var events []timeline.Event
		co.With(t).Get(testsupport.Path("/api/v1/timeline?entity=ticket&id=%s", tk.ID)).Expect(http.StatusOK).Data(&events)
		if len(events) == 0 || events[0].Action != "evidence_exported" || events[0].ActorID == nil || *events[0].ActorID != co.UserID {
			t.Fatalf("the newest event is %+v", events[:min(1, len(events))])
		}
	})

	t.Run("refused", func(t *testing.T) {
		e.Tenant.With(t).Get(path+"/evidence").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		e.Contractor.With(t).Get(path+"/evidence").ExpectFailure(http.StatusForbidden, apperr.Forbidden)
		other.Admin.With(t).Get(path+"/evidence").ExpectFailure(http.StatusNotFound, apperr.NotFound)
		e.Admin.With(t).Get(testsupport.Path("/api/v1/tickets/%s/evidence", uuid.New())).ExpectFailure(http.StatusNotFound, apperr.NotFound)
		app.Anonymous().With(t).Get(path+"/evidence").ExpectFailure(http.StatusUnauthorized, apperr.Unauthenticated)
		var events []timeline.Event
		e.Admin.With(t).Get(testsupport.Path("/api/v1/timeline?entity=ticket&id=%s", tk.ID)).Expect(http.StatusOK).Data(&events)
		exports := 0
		for _, ev := range events {
			if ev.Action == "evidence_exported" {
				exports++
			}
		}
		if exports != 1 {
			t.Fatalf("%d exports on the timeline after the refusals, want 1", exports)
		}
	})
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
