package email

import (
	"context"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/email/emaildb"
	"github.com/maintainuk/maintainuk/internal/ukcalendar"
)

// Mailbox is the development mailbox: the latest emails and texts (SMS, WhatsApp, both
// ways) of every organisation, as the dev providers "sent" them. It is mounted only when
// APP_ENV=development.
func Mailbox(db *database.DB, orgIDs func(context.Context) ([]uuid.UUID, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids, err := orgIDs(r.Context())
		if err != nil {
			http.Error(w, "could not list organisations", http.StatusInternalServerError)
			return
		}
		var all []emaildb.Message
		for _, id := range ids {
			err := db.InOrg(r.Context(), id, uuid.Nil, func(tx pgx.Tx) error {
				rows, err := emaildb.New().RecentMessages(r.Context(), tx, emaildb.RecentMessagesParams{OrgID: id, Limit: 50})
				all = append(all, rows...)
				return err
			})
			if err != nil {
				http.Error(w, "could not read messages", http.StatusInternalServerError)
				return
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].CreatedAt.After(all[j].CreatedAt) })
		if len(all) > 100 {
			all = all[:100]
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = mailboxPage.Execute(w, all)
	})
}

var mailboxPage = template.Must(template.New("mailbox").Funcs(template.FuncMap{
	"london": func(t time.Time) string { return t.In(ukcalendar.London).Format("2 Jan 2006 15:04:05") },
}).Parse(`<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Development mailbox · MaintainUK</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2933}details{border:1px solid #e4e7eb;border-radius:6px;margin:.5rem 0;padding:.5rem 1rem}
summary{cursor:pointer}.s{font-size:.8rem;padding:.1rem .4rem;border-radius:4px;background:#e4e7eb}.SENT{background:#c6f7e2}.FAILED{background:#ffd0d0}
pre{white-space:pre-wrap;background:#f5f7fa;padding:1rem}</style></head><body>
<h1>Development mailbox</h1><p>The latest {{len .}} emails and texts, newest first. With the dev providers nothing here left this machine.</p>
{{range .}}<details><summary><span class="s">{{.Channel}}</span> <span class="s {{.Status}}">{{.Status}}</span> {{london .CreatedAt}} — {{if eq .Direction "INBOUND"}}from <strong>{{.Sender}}</strong>{{else}}to <strong>{{.Recipient}}</strong>{{end}}: {{if .Subject}}{{.Subject}}{{else}}{{.BodyText}}{{end}}</summary>
<p>Event {{.Event}}{{if .FailureReason}} · {{.FailureReason}}{{end}}</p><pre>{{.BodyText}}</pre></details>
{{else}}<p>No messages yet.</p>{{end}}</body></html>`))
