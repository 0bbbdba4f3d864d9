package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
	"github.com/maintainuk/maintainuk/internal/web"
)

// The staff ticket page links to the evidence export and the link downloads the PDF; a
// resident sees no link and is refused the download, and another organisation's
// coordinator finds no such ticket.
func TestTicketEvidenceDownload(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Evidence Pages", testsupport.EstateOptions{})
	other := app.NewEstate(t, "Evidence Pages Elsewhere", testsupport.EstateOptions{})
	tk := testsupport.CreateTicket(t, e.Tenant, map[string]any{"unitId": e.UnitID, "title": "Mould in the bathroom"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *testsupport.Client, path string) *http.Response {
		t.Helper()
		s, err := app.Identity.WebLogin(context.Background(), c.Email, testsupport.Password, "192.0.2.3", "test")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, app.Server.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: s.Token})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	read := func(resp *http.Response) []byte {
		t.Helper()
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	page := "/tickets/" + tk.ID.String()
	link := `href="` + page + `/evidence.pdf"`
	if body := string(read(get(e.Coordinator, page))); !strings.Contains(body, link) || !strings.Contains(body, "Download evidence (PDF)") {
		t.Fatalf("the staff ticket page has no evidence link")
	}
	resp := get(e.Coordinator, page+"/evidence.pdf")
	pdf := read(resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="evidence-`+tk.Number+`.pdf"` || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the download answered %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if text := testsupport.PDFText(t, pdf); !strings.Contains(text, "Mould in the bathroom") || !strings.Contains(text, "Evidence exported") {
		t.Fatal("the PDF is not the ticket's evidence")
	}

	if body := string(read(get(e.Tenant, page))); strings.Contains(body, "evidence.pdf") {
		t.Fatal("the resident's ticket page links to the evidence export")
	}
	if resp := get(e.Tenant, page+"/evidence.pdf"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the resident's download answered %d", resp.StatusCode)
	}
	if resp := get(other.Coordinator, page+"/evidence.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another organisation's download answered %d", resp.StatusCode)
	}
}
