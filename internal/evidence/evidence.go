// Package evidence exports one ticket as a PDF a landlord can put before an ombudsman or
// a court (a Housing Ombudsman complaint, a disrepair claim): the ticket and who reported
// it, the legal clocks it ran against with their sources, pauses and outcomes, and one
// chronological record of what happened (the timeline, comments, emails and texts to and
// from the resident, photos drawn in and other files listed with their SHA-256), every
// time in Europe/London (docs/compliance.md).
package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/clocks"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/evidence/evidencedb"
	"github.com/maintainuk/maintainuk/internal/messaging"
	"github.com/maintainuk/maintainuk/internal/orgsettings"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// ActionExported is the timeline action an export records on its ticket.
const ActionExported = "evidence_exported"

// maxPhotoBytes bounds a photo drawn into the export (uploads are at most 10 MB).
const maxPhotoBytes = 10 << 20

// Service builds evidence exports.
type Service struct {
	db          *database.DB
	q           *evidencedb.Queries
	tickets     *tickets.Service
	attachments *attachments.Service
	messaging   *messaging.Service
	now         func() time.Time
}

// NewService is the export over the services whose records it gathers.
func NewService(db *database.DB, t *tickets.Service, a *attachments.Service, m *messaging.Service, now func() time.Time) *Service {
	return &Service{db: db, q: evidencedb.New(), tickets: t, attachments: a, messaging: m, now: now}
}

// record is everything the export prints.
type record struct {
	place      evidencedb.TicketPlaceRow
	ticket     *tickets.Detail
	landlord   clocks.Landlord
	clocks     []clocks.Clock
	events     []timeline.Event
	texts      []messaging.Text
	files      []attachments.Attachment
	photos     map[uuid.UUID][]byte
	names      map[uuid.UUID]string
	exporter   string
	exportedAt time.Time
}

// Export is the ticket's evidence as a PDF (staff: ADMIN, COORDINATOR; another
// organisation's ticket is not found). The export is recorded on the ticket's timeline
// first, by the actor, so the document lists itself last.
func (s *Service) Export(ctx context.Context, actor access.Actor, ticketID uuid.UUID) (filename string, content []byte, err error) {
	if err := actor.RequireStaff(); err != nil {
		return "", nil, err
	}
	rec := record{exportedAt: s.now(), photos: map[uuid.UUID][]byte{}, names: map[uuid.UUID]string{}}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		rec.place, err = s.q.TicketPlace(ctx, tx, evidencedb.TicketPlaceParams{OrgID: actor.OrgID, TicketID: ticketID})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("ticket")
		}
		if err != nil {
			return err
		}
		filename = "evidence-" + tickets.FormatNumber(rec.place.Number) + ".pdf"
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
			Action: ActionExported, After: map[string]any{"filename": filename}})
	})
	if err != nil {
		return "", nil, err
	}
	if err := s.gather(ctx, actor, ticketID, &rec); err != nil {
		return "", nil, err
	}
	rec.exporter = rec.names[actor.UserID]
	content, err = render(&rec)
	if err != nil {
		return "", nil, err
	}
	return filename, content, nil
}

// gather reads the ticket's records as staff see them.
func (s *Service) gather(ctx context.Context, actor access.Actor, ticketID uuid.UUID, rec *record) error {
	var err error
	if rec.ticket, err = s.tickets.Get(ctx, actor, ticketID); err != nil {
		return err
	}
	if rec.clocks, err = s.tickets.Clocks(ctx, actor, ticketID); err != nil {
		return err
	}
	if rec.files, err = s.attachments.ListForTicket(ctx, actor, ticketID); err != nil {
		return err
	}
	for _, f := range rec.files {
		if !drawable(f.ContentType) {
			continue
		}
		if rec.photos[f.ID], err = s.photo(ctx, actor, f.ID); err != nil {
			return err
		}
	}
	req := page.Request{Limit: page.MaxLimit}
	for {
		res, err := s.messaging.TicketTexts(ctx, actor, ticketID, req)
		if err != nil {
			return err
		}
		rec.texts = append(rec.texts, res.Items...)
		if res.NextCursor == "" {
			break
		}
		req.Cursor = res.NextCursor
	}
	q := s.db.Reader(actor.OrgID, actor.UserID)
	settings, err := orgsettings.Load(ctx, q, actor.OrgID)
	if err != nil {
		return err
	}
	rec.landlord = settings.Landlord
	const batch = 500
	for after := int64(0); ; {
		events, err := timeline.ListForTicket(ctx, q, actor, ticketID, after, batch, false)
		if err != nil {
			return err
		}
		rec.events = append(rec.events, events...)
		if len(events) < batch {
			break
		}
		after = events[len(events)-1].Seq
	}
	return s.readNames(ctx, q, actor, rec)
}

// photo is an attachment's content, to draw.
func (s *Service) photo(ctx context.Context, actor access.Actor, id uuid.UUID) ([]byte, error) {
	_, rc, err := s.attachments.Open(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	data, err := io.ReadAll(io.LimitReader(rc, maxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("evidence: read photo %s: %w", id, err)
	}
	return data, nil
}

// readNames names everyone the record mentions by id: the exporter, those who acted on
// the timeline, were assigned, uploaded files or sent texts.
func (s *Service) readNames(ctx context.Context, q database.Querier, actor access.Actor, rec *record) error {
	ids := []uuid.UUID{actor.UserID}
	add := func(id *uuid.UUID) {
		if id != nil && *id != uuid.Nil {
			ids = append(ids, *id)
		}
	}
	add(rec.ticket.AssigneeUserID)
	for _, e := range rec.events {
		add(e.ActorID)
		if id := assigneeOf(e.After); id != nil {
			add(id)
		}
	}
	for _, f := range rec.files {
		add(f.UploadedBy)
	}
	for _, t := range rec.texts {
		add(t.CreatedBy)
	}
	rows, err := s.q.PeopleNames(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, r := range rows {
		rec.names[r.ID] = r.Name
	}
	return nil
}

// drawable says whether a file is a photo the PDF draws (JPEG or PNG); others are listed.
func drawable(contentType string) bool {
	return contentType == "image/jpeg" || contentType == "image/png"
}
