// Package attachments stores photos and documents on tickets: JPEG, PNG, HEIC and PDF up
// to 10 MB, the type sniffed from the content, kept once per organisation by content
// hash, served only to people who may see the ticket, and counted on the storage meter.
package attachments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments/attachmentsdb"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/plans"
	"github.com/maintainuk/maintainuk/internal/tickets"
	"github.com/maintainuk/maintainuk/internal/timeline"
)

// MaxBytes is the largest file accepted.
const MaxBytes = 10 << 20

// MetricStorageBytes is the usage meter of bytes stored.
const MetricStorageBytes = "storage_bytes"

// GaugePeriod dates gauge meters, which have no billing period of their own.
var GaugePeriod = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// Attachment describes a stored file.
type Attachment struct {
	ID          uuid.UUID  `json:"id"`
	TicketID    *uuid.UUID `json:"ticketId"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"contentType"`
	SizeBytes   int64      `json:"sizeBytes"`
	SHA256      string     `json:"sha256"`
	UploadedBy  *uuid.UUID `json:"uploadedBy"`
	// ContractorID is the company of a CONTRACTOR uploader; SharedWithContractorID the one
	// company staff shared the file with. A contractor sees only files with either set to
	// its own company.
	ContractorID           *uuid.UUID `json:"contractorId" doc:"The contractor company of a CONTRACTOR uploader; null for staff, residents and the public form."`
	SharedWithContractorID *uuid.UUID `json:"sharedWithContractorId" doc:"The contractor company staff shared this file with; null if not shared. Contractors see only their own company's files and those shared with them."`
	CreatedAt              time.Time  `json:"createdAt"`
}

func fromRow(r attachmentsdb.Attachment) Attachment {
	return Attachment{ID: r.ID, TicketID: r.TicketID, Filename: r.Filename, ContentType: r.ContentType,
		SizeBytes: r.SizeBytes, SHA256: r.Sha256, UploadedBy: r.UploadedBy,
		ContractorID: r.ContractorID, SharedWithContractorID: r.SharedWithContractorID, CreatedAt: r.CreatedAt}
}

// visibleTo reports whether actor, who may see the file's ticket, may see the file: a
// contractor only its own company's files and those staff shared with it.
func visibleTo(r attachmentsdb.Attachment, actor access.Actor) bool {
	if actor.Role != access.Contractor {
		return true
	}
	mine := func(id *uuid.UUID) bool { return id != nil && *id == actor.ContractorID }
	return mine(r.ContractorID) || mine(r.SharedWithContractorID)
}

// Service stores and serves attachments.
type Service struct {
	db      *database.DB
	q       *attachmentsdb.Queries
	store   Store
	tickets *tickets.Service
	tmpDir  string
}

// NewService returns the attachments service; tmpDir holds uploads while they are checked
// (on the same file system as a LocalStore, so storing is a rename).
func NewService(db *database.DB, store Store, t *tickets.Service, tmpDir string) *Service {
	return &Service{db: db, q: attachmentsdb.New(), store: store, tickets: t, tmpDir: tmpDir}
}

// Staged is an upload that passed the checks and is stored, waiting for its row.
type Staged struct {
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
}

// Stage reads an upload, refuses it if it is too large (413) or not an accepted type
// (415), and stores its content. Rows are written later by Attach, in the transaction of
// whatever the file belongs to.
func (s *Service) Stage(ctx context.Context, orgID uuid.UUID, filename string, r io.Reader) (Staged, error) {
	if err := os.MkdirAll(s.tmpDir, 0o750); err != nil {
		return Staged{}, fmt.Errorf("attachments: %w", err)
	}
	path, sum, size, head, err := hashFile(r, MaxBytes, s.tmpDir)
	if err != nil {
		return Staged{}, err
	}
	defer os.Remove(path) // gone after a rename; removed if refused
	if size > MaxBytes {
		return Staged{}, errTooLarge()
	}
	if size == 0 {
		return Staged{}, errEmpty("file")
	}
	contentType := Sniff(head)
	if contentType == "" {
		return Staged{}, errUnsupported()
	}
	if err := s.store.Put(ctx, orgID, sum, path); err != nil {
		return Staged{}, err
	}
	return Staged{Filename: cleanName(filename, contentType), ContentType: contentType, Size: size, SHA256: sum}, nil
}

// Check refuses, as Stage would, a file of size bytes that is too large, empty or not an
// accepted type, reading only its first bytes and storing nothing. A form with several
// files checks them all before staging any, so one refused file leaves no others stored.
// field names the form field in the error for an empty file.
func Check(field string, f io.ReaderAt, size int64) error {
	if size > MaxBytes {
		return errTooLarge()
	}
	if size <= 0 {
		return errEmpty(field)
	}
	head := make([]byte, min(size, 512))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("attachments: read upload: %w", err)
	}
	if Sniff(head) == "" {
		return errUnsupported()
	}
	return nil
}

func errTooLarge() error { return apperr.New(apperr.TooLarge, "files may be at most 10 MB") }

func errUnsupported() error {
	return apperr.New(apperr.UnsupportedType, "only JPEG, PNG, HEIC photos and PDF documents can be attached")
}

func errEmpty(field string) error {
	var f apperr.Fields
	f.Add(field, "is empty")
	return f.Err()
}

// Attach records staged files on a ticket inside tx, adds their bytes to the storage
// meter (once per distinct file) and to the ticket's timeline. A CONTRACTOR's files
// belong to its company.
func (s *Service) Attach(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, files []Staged) ([]Attachment, error) {
	return s.attach(ctx, tx, actor, ticketID, files, nil)
}

func (s *Service) attach(ctx context.Context, tx pgx.Tx, actor access.Actor, ticketID uuid.UUID, files []Staged, sharedWith *uuid.UUID) ([]Attachment, error) {
	var company *uuid.UUID
	if actor.Role == access.Contractor {
		company = &actor.ContractorID
	}
	out := make([]Attachment, 0, len(files))
	for _, f := range files {
		// Held to the end of tx: a concurrent first upload of the same file waits, then
		// sees this one's row and does not count the bytes again.
		if err := s.q.LockBlob(ctx, tx, attachmentsdb.LockBlobParams{OrgID: actor.OrgID, Sha256: f.SHA256}); err != nil {
			return nil, err
		}
		known, err := s.q.BlobStored(ctx, tx, attachmentsdb.BlobStoredParams{OrgID: actor.OrgID, Sha256: f.SHA256})
		if err != nil {
			return nil, err
		}
		var uploader *uuid.UUID
		if actor.UserID != uuid.Nil {
			uploader = &actor.UserID
		}
		row, err := s.q.InsertAttachment(ctx, tx, attachmentsdb.InsertAttachmentParams{
			OrgID: actor.OrgID, TicketID: &ticketID, Sha256: f.SHA256, SizeBytes: f.Size, ContentType: f.ContentType,
			Filename: f.Filename, UploadedBy: uploader, ContractorID: company, SharedWithContractorID: sharedWith,
		})
		if err != nil {
			return nil, err
		}
		if !known {
			if err := s.q.AddUsage(ctx, tx, attachmentsdb.AddUsageParams{OrgID: actor.OrgID, Metric: MetricStorageBytes, PeriodStart: GaugePeriod, Quantity: f.Size}); err != nil {
				return nil, err
			}
		}
		a := fromRow(row)
		if err := timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityTicket, EntityID: ticketID, TicketID: &ticketID,
			Action: "attachment_added", After: map[string]any{"attachmentId": a.ID, "filename": a.Filename, "contentType": a.ContentType, "sizeBytes": a.SizeBytes,
				"contractorId": a.ContractorID, "sharedWithContractorId": a.SharedWithContractorID}}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Upload adds one file to a ticket the actor can see. Staff may share it with one
// contractor company that has a live work order on the ticket (sharedWith, nil for none).
func (s *Service) Upload(ctx context.Context, actor access.Actor, ticketID uuid.UUID, filename string, r io.Reader, sharedWith *uuid.UUID) (*Attachment, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor, access.Tenant); err != nil {
		return nil, err
	}
	if sharedWith != nil && !actor.Role.IsStaff() {
		var f apperr.Fields
		f.Add("sharedWithContractorId", "only staff share files with a contractor")
		return nil, f.Err()
	}
	// Check visibility (and, for staff and contractors, that the organisation's payment is
	// not overdue: storage is billed) before reading the body, so a refused upload stores
	// nothing. A resident's evidence of a repair is never refused for the bill.
	if err := s.visible(ctx, actor, ticketID, sharedWith); err != nil {
		return nil, err
	}
	staged, err := s.Stage(ctx, actor.OrgID, filename, r)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if ok, err := s.tickets.Visible(ctx, tx, actor, ticketID); err != nil || !ok {
			return orNotFound(err, "ticket")
		}
		if err := s.tickets.CheckShare(ctx, tx, actor, ticketID, sharedWith); err != nil {
			return err
		}
		out, err = s.attach(ctx, tx, actor, ticketID, []Staged{staged}, sharedWith)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

func (s *Service) visible(ctx context.Context, actor access.Actor, ticketID uuid.UUID, sharedWith *uuid.UUID) error {
	return s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		ok, err := s.tickets.Visible(ctx, tx, actor, ticketID)
		if err != nil || !ok {
			return orNotFound(err, "ticket")
		}
		if actor.Role != access.Tenant {
			if err := plans.CheckStanding(ctx, tx, actor.OrgID); err != nil {
				return err
			}
		}
		return s.tickets.CheckShare(ctx, tx, actor, ticketID, sharedWith)
	})
}

// ListForTicket lists a visible ticket's attachments (a contractor's: its own company's
// and those shared with it).
func (s *Service) ListForTicket(ctx context.Context, actor access.Actor, ticketID uuid.UUID) ([]Attachment, error) {
	var out []Attachment
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if ok, err := s.tickets.Visible(ctx, tx, actor, ticketID); err != nil || !ok {
			return orNotFound(err, "ticket")
		}
		p := attachmentsdb.ListTicketAttachmentsParams{OrgID: actor.OrgID, TicketID: &ticketID}
		if actor.Role == access.Contractor {
			p.ContractorID = &actor.ContractorID
		}
		rows, err := s.q.ListTicketAttachments(ctx, tx, p)
		out = make([]Attachment, len(rows))
		for i, r := range rows {
			out[i] = fromRow(r)
		}
		return err
	})
	return out, err
}

// Open returns an attachment's description and content, if the actor may see what it is
// attached to.
func (s *Service) Open(ctx context.Context, actor access.Actor, id uuid.UUID) (Attachment, io.ReadCloser, error) {
	var a Attachment
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetAttachment(ctx, tx, attachmentsdb.GetAttachmentParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && row.TicketID == nil) {
			return apperr.NotFoundf("attachment")
		}
		if err != nil {
			return err
		}
		ok, err := s.tickets.Visible(ctx, tx, actor, *row.TicketID)
		if err != nil || !ok || !visibleTo(row, actor) {
			return orNotFound(err, "attachment")
		}
		a = fromRow(row)
		return nil
	})
	if err != nil {
		return a, nil, err
	}
	rc, err := s.store.Open(ctx, actor.OrgID, a.SHA256)
	return a, rc, err
}

// StorageBytes is the organisation's stored bytes (the storage meter).
func (s *Service) StorageBytes(ctx context.Context, orgID uuid.UUID) (int64, error) {
	var n int64
	err := s.db.InOrg(ctx, orgID, uuid.Nil, func(tx pgx.Tx) error {
		var err error
		n, err = s.q.GetUsage(ctx, tx, attachmentsdb.GetUsageParams{OrgID: orgID, Metric: MetricStorageBytes, PeriodStart: GaugePeriod})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	return n, err
}

func orNotFound(err error, what string) error {
	if err != nil {
		return err
	}
	return apperr.NotFoundf(what)
}

// cleanName keeps the base of a client's file name, printable and short, with an
// extension that matches the sniffed type.
func cleanName(name, contentType string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic", "application/pdf": ".pdf"}[contentType]
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if base == "" || base == "." {
		base = "attachment"
	}
	if r := []rune(base); len(r) > 100 {
		base = string(r[:100])
	}
	return base + ext
}
