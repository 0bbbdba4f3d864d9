// Package certificates keeps each property's statutory certificates (gas safety records,
// electrical installation condition reports, energy performance certificates and smoke
// and carbon monoxide alarm checks), works out their expiry from the rules in rules.go,
// stores each certificate's document beside the ticket attachments, and answers the
// compliance state of every property across the portfolio. Staff only. The reminders of
// expiry are sent by internal/reminders (certificates.go there).
package certificates

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
	"github.com/maintainuk/maintainuk/internal/certificates/certificatesdb"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Certificate is one certificate of a property.
type Certificate struct {
	ID                uuid.UUID `json:"id"`
	PropertyID        uuid.UUID `json:"propertyId"`
	Kind              string    `json:"kind" enum:"GAS_SAFETY,EICR,EPC,SMOKE_CO_ALARMS"`
	IssuedOn          string    `json:"issuedOn" doc:"The date of the check or inspection (YYYY-MM-DD)."`
	ExpiresOn         *string   `json:"expiresOn" doc:"When the certificate expires (YYYY-MM-DD); null for a smoke and CO alarm check, which does not expire."`
	State             string    `json:"state" enum:"VALID,EXPIRING,EXPIRED" doc:"VALID, EXPIRING (within 60 days) or EXPIRED, today in London."`
	Reference         string    `json:"reference"`
	ContractorName    string    `json:"contractorName" doc:"The engineer, electrician or assessor."`
	Rating            *string   `json:"rating" doc:"An EPC's energy rating, A to G; null for other kinds."`
	TenantCopySentOn  *string   `json:"tenantCopySentOn" doc:"When the tenant was given a copy (YYYY-MM-DD)."`
	TenantCopyDueOn   *string   `json:"tenantCopyDueOn" doc:"Gas safety only: 28 days after the check, the last day to give the tenant a copy."`
	TenantCopyOverdue bool      `json:"tenantCopyOverdue" doc:"Gas safety only: past tenantCopyDueOn with no tenantCopySentOn."`
	Document          *Document `json:"document" doc:"The uploaded certificate; null until one is uploaded."`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
}

// Document describes a certificate's stored file; a certificate without one has null.
type Document struct {
	_           struct{} `nullable:"true"`
	Filename    string   `json:"filename"`
	ContentType string   `json:"contentType"`
	SizeBytes   int64    `json:"sizeBytes"`
}

func fromRow(r certificatesdb.Certificate, today time.Time) Certificate {
	c := Certificate{ID: r.ID, PropertyID: r.PropertyID, Kind: r.Kind, IssuedOn: r.IssuedOn.Format(time.DateOnly),
		ExpiresOn: day(r.ExpiresOn), State: State(true, r.ExpiresOn, today), Reference: r.Reference, ContractorName: r.ContractorName,
		Rating: r.Rating, TenantCopySentOn: day(r.TenantCopySentOn), TenantCopyDueOn: day(TenantCopyDue(r.Kind, r.IssuedOn)),
		TenantCopyOverdue: TenantCopyOverdue(r.Kind, r.IssuedOn, r.TenantCopySentOn, today), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.DocumentSha256 != nil {
		c.Document = &Document{Filename: r.DocumentFilename, ContentType: r.DocumentContentType, SizeBytes: r.DocumentSizeBytes}
	}
	return c
}

func day(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// Input records a certificate.
type Input struct {
	Kind             string
	IssuedOn         string
	ExpiresOn        *string // nil or "": worked out from the kind's rule
	Reference        string
	ContractorName   string
	Rating           *string
	TenantCopySentOn *string
}

// Patch changes the fields that are not nil.
type Patch struct {
	Reference        *string
	ContractorName   *string
	TenantCopySentOn *string // "" clears it
}

// Service manages certificates.
type Service struct {
	db    *database.DB
	q     *certificatesdb.Queries
	files *attachments.Service
	store attachments.Store
	now   func() time.Time
}

// NewService returns the certificates service; files stages uploads (size limit, type
// sniffed, stored by content hash) into store, from which documents are served.
func NewService(db *database.DB, files *attachments.Service, store attachments.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, q: certificatesdb.New(), files: files, store: store, now: now}
}

type validated struct {
	kind                      string
	issued                    time.Time
	expires, tenantCopy       *time.Time
	reference, contractorName string
	rating                    *string
}

func parseDate(f *apperr.Fields, field, s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		f.Add(field, "must be a date like 2026-03-31")
		return nil
	}
	return &d
}

// validate applies the rules on the input alone at today (London).
func (in Input) validate(today time.Time) (validated, error) {
	var v validated
	var f apperr.Fields
	var err error
	v.kind = strings.ToUpper(strings.TrimSpace(in.Kind))
	if _, ok := RuleOf(v.kind); !ok {
		f.Add("kind", "must be one of "+strings.Join(Kinds(), ", "))
	}
	if d := parseDate(&f, "issuedOn", in.IssuedOn); d != nil {
		if d.After(today) {
			f.Add("issuedOn", "must not be in the future")
		}
		v.issued = *d
	}
	if in.ExpiresOn != nil && *in.ExpiresOn != "" {
		if v.kind == SmokeCOAlarms {
			f.Add("expiresOn", "a smoke and carbon monoxide alarm check does not expire")
		} else if d := parseDate(&f, "expiresOn", *in.ExpiresOn); d != nil {
			if !v.issued.IsZero() && !d.After(v.issued) {
				f.Add("expiresOn", "must be after issuedOn")
			}
			v.expires = d
		}
	}
	if v.reference, err = validate.Text(in.Reference, 0, 100); err != nil {
		f.Add("reference", err.Error())
	}
	if v.contractorName, err = validate.Text(in.ContractorName, 0, 200); err != nil {
		f.Add("contractorName", err.Error())
	}
	rating := ""
	if in.Rating != nil {
		rating = strings.ToUpper(strings.TrimSpace(*in.Rating))
	}
	switch {
	case v.kind == EPC && rating == "":
		f.Add("rating", "an EPC needs its energy rating, A to G")
	case v.kind == EPC && (len(rating) != 1 || rating[0] < 'A' || rating[0] > 'G'):
		f.Add("rating", "must be one of A, B, C, D, E, F, G")
	case v.kind == EPC:
		v.rating = &rating
	case rating != "" && v.kind != "":
		f.Add("rating", "only an EPC has a rating")
	}
	if in.TenantCopySentOn != nil && *in.TenantCopySentOn != "" {
		v.tenantCopy = checkTenantCopy(&f, *in.TenantCopySentOn, v.issued, today)
	}
	return v, f.Err()
}

func checkTenantCopy(f *apperr.Fields, s string, issued, today time.Time) *time.Time {
	d := parseDate(f, "tenantCopySentOn", s)
	switch {
	case d == nil:
	case d.After(today):
		f.Add("tenantCopySentOn", "must not be in the future")
	case !issued.IsZero() && d.Before(issued):
		f.Add("tenantCopySentOn", "must not be before issuedOn")
	default:
		return d
	}
	return nil
}

// Create records a certificate of a property (staff only). Without an expiry date given,
// it is worked out from the kind's rule and, for gas safety, the property's previous
// record (the 10-12 month rule).
func (s *Service) Create(ctx context.Context, actor access.Actor, propertyID uuid.UUID, in Input) (*Certificate, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	today := Today(s.now())
	v, err := in.validate(today)
	if err != nil {
		return nil, err
	}
	var out Certificate
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		if _, err := s.q.LockProperty(ctx, tx, certificatesdb.LockPropertyParams{OrgID: actor.OrgID, ID: propertyID}); err != nil {
			return orNotFound(err, "property")
		}
		expires := v.expires
		if expires == nil {
			var previous *time.Time
			prev, err := s.q.PreviousCertificate(ctx, tx, certificatesdb.PreviousCertificateParams{
				OrgID: actor.OrgID, PropertyID: propertyID, Kind: v.kind, IssuedOn: v.issued})
			switch {
			case err == nil:
				previous = prev.ExpiresOn
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			expires = Expiry(v.kind, v.issued, previous)
		}
		var by *uuid.UUID
		if actor.UserID != uuid.Nil {
			by = &actor.UserID
		}
		row, err := s.q.InsertCertificate(ctx, tx, certificatesdb.InsertCertificateParams{
			OrgID: actor.OrgID, PropertyID: propertyID, Kind: v.kind, IssuedOn: v.issued, ExpiresOn: expires,
			Reference: v.reference, ContractorName: v.contractorName, Rating: v.rating, TenantCopySentOn: v.tenantCopy, CreatedBy: by,
		})
		if err != nil {
			return err
		}
		out = fromRow(row, today)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityProperty, EntityID: propertyID,
			Action: "certificate_added", After: out})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one certificate (staff only).
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*Certificate, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Certificate
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetCertificate(ctx, tx, certificatesdb.GetCertificateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return orNotFound(err, "certificate")
		}
		out = fromRow(row, Today(s.now()))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Update applies a patch (staff only): the reference, the contractor's name and the
// date the tenant was given a copy. What the certificate certifies is not changed: a new
// check is a new certificate.
func (s *Service) Update(ctx context.Context, actor access.Actor, id uuid.UUID, p Patch) (*Certificate, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	today := Today(s.now())
	var out Certificate
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetCertificateForUpdate(ctx, tx, certificatesdb.GetCertificateForUpdateParams{OrgID: actor.OrgID, ID: id})
		if err != nil {
			return orNotFound(err, "certificate")
		}
		before := fromRow(row, today)
		var f apperr.Fields
		ref, name, copySent := row.Reference, row.ContractorName, row.TenantCopySentOn
		if p.Reference != nil {
			if ref, err = validate.Text(*p.Reference, 0, 100); err != nil {
				f.Add("reference", err.Error())
			}
		}
		if p.ContractorName != nil {
			if name, err = validate.Text(*p.ContractorName, 0, 200); err != nil {
				f.Add("contractorName", err.Error())
			}
		}
		if p.TenantCopySentOn != nil {
			copySent = nil
			if *p.TenantCopySentOn != "" {
				copySent = checkTenantCopy(&f, *p.TenantCopySentOn, row.IssuedOn, today)
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		row, err = s.q.UpdateCertificate(ctx, tx, certificatesdb.UpdateCertificateParams{
			OrgID: actor.OrgID, ID: id, Reference: ref, ContractorName: name, TenantCopySentOn: copySent})
		if err != nil {
			return err
		}
		out = fromRow(row, today)
		if equalDates(before.TenantCopySentOn, out.TenantCopySentOn) && before.Reference == out.Reference && before.ContractorName == out.ContractorName {
			return nil // nothing changed: no audit noise
		}
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityProperty, EntityID: row.PropertyID,
			Action: "certificate_updated", Before: before, After: out})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func equalDates(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// ListForProperty pages through a property's certificates, newest first (staff only).
func (s *Service) ListForProperty(ctx context.Context, actor access.Actor, propertyID uuid.UUID, req page.Request) (page.Result[Certificate], error) {
	var res page.Result[Certificate]
	if err := actor.RequireStaff(); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	today := Today(s.now())
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		ok, err := s.q.PropertyExists(ctx, tx, certificatesdb.PropertyExistsParams{OrgID: actor.OrgID, ID: propertyID})
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("property")
		}
		rows, err := s.q.ListPropertyCertificates(ctx, tx, certificatesdb.ListPropertyCertificatesParams{
			OrgID: actor.OrgID, PropertyID: propertyID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, RowLimit: int32(limit + 1)})
		if err != nil {
			return err
		}
		items := make([]Certificate, len(rows))
		for i, r := range rows {
			items[i] = fromRow(r, today)
		}
		res = page.Build(items, limit, func(c Certificate) page.Key { return page.Key{CreatedAt: c.CreatedAt, ID: c.ID} })
		return nil
	})
	return res, err
}

// KindState is the state of one required kind at a property.
type KindState struct {
	Kind          string     `json:"kind" enum:"GAS_SAFETY,EICR,EPC,SMOKE_CO_ALARMS"`
	State         string     `json:"state" enum:"VALID,EXPIRING,EXPIRED,MISSING"`
	CertificateID *uuid.UUID `json:"certificateId" doc:"The latest certificate of the kind (by issue date); null when MISSING."`
	IssuedOn      *string    `json:"issuedOn"`
	ExpiresOn     *string    `json:"expiresOn" doc:"The latest certificate's expiry; null when MISSING or for a check that does not expire."`
}

// PropertyCompliance is one property's certificates at a glance.
type PropertyCompliance struct {
	PropertyID   uuid.UUID   `json:"propertyId"`
	Name         string      `json:"name"`
	AddressLine1 string      `json:"addressLine1"`
	Town         string      `json:"town"`
	Postcode     string      `json:"postcode"`
	Compliant    bool        `json:"compliant" doc:"Every required kind is VALID or EXPIRING."`
	Kinds        []KindState `json:"kinds" doc:"Each required kind in turn (only those in the state asked for, when filtered)."`
	CreatedAt    time.Time   `json:"createdAt" doc:"When the property was added (the list's order)."`
}

// Compliance pages through the organisation's properties, newest first, each with the
// state of every required kind today (London). state, when not "", keeps the properties
// with a kind in that state and, of each, only those kinds.
func (s *Service) Compliance(ctx context.Context, actor access.Actor, state string, req page.Request) (page.Result[PropertyCompliance], error) {
	var res page.Result[PropertyCompliance]
	if err := actor.RequireStaff(); err != nil {
		return res, err
	}
	state = strings.ToUpper(strings.TrimSpace(state))
	if state != "" && !slices.Contains(States, state) {
		var f apperr.Fields
		f.Add("state", "must be one of "+strings.Join(States, ", "))
		return res, f.Err()
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	today := Today(s.now())
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		props, err := s.q.ListPropertiesForCompliance(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		latest, err := s.q.ListLatestCertificates(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		type pk struct {
			property uuid.UUID
			kind     string
		}
		byKind := make(map[pk]certificatesdb.ListLatestCertificatesRow, len(latest))
		for _, c := range latest {
			byKind[pk{c.PropertyID, c.Kind}] = c
		}
		var items []PropertyCompliance
		for _, p := range props {
			if !keyBefore(p.CreatedAt, p.ID, before) {
				continue
			}
			pc := PropertyCompliance{PropertyID: p.ID, Name: p.Name, AddressLine1: p.AddressLine1, Town: p.Town, Postcode: p.Postcode,
				Compliant: true, Kinds: []KindState{}, CreatedAt: p.CreatedAt}
			for _, rule := range Rules {
				ks := KindState{Kind: rule.Kind, State: StateMissing}
				if c, ok := byKind[pk{p.ID, rule.Kind}]; ok {
					id := c.ID
					ks.CertificateID, ks.IssuedOn, ks.ExpiresOn = &id, day(&c.IssuedOn), day(c.ExpiresOn)
					ks.State = State(true, c.ExpiresOn, today)
				}
				if ks.State == StateMissing || ks.State == StateExpired {
					pc.Compliant = false
				}
				if state == "" || ks.State == state {
					pc.Kinds = append(pc.Kinds, ks)
				}
			}
			if len(pc.Kinds) > 0 {
				items = append(items, pc)
				if len(items) > limit {
					break
				}
			}
		}
		res = page.Build(items, limit, func(p PropertyCompliance) page.Key { return page.Key{CreatedAt: p.CreatedAt, ID: p.PropertyID} })
		return nil
	})
	return res, err
}

// keyBefore reports whether (createdAt, id) sorts before key in a newest-first list.
func keyBefore(createdAt time.Time, id uuid.UUID, key page.Key) bool {
	if !createdAt.Equal(key.CreatedAt) {
		return createdAt.Before(key.CreatedAt)
	}
	return strings.Compare(id.String(), key.ID.String()) < 0
}

// UploadDocument stores a certificate's document (a PDF or photo, at most 10 MB, its type
// read from the content), replacing any earlier one (staff only).
func (s *Service) UploadDocument(ctx context.Context, actor access.Actor, id uuid.UUID, filename string, r io.Reader) (*Certificate, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	// Refuse an unknown certificate before reading the body, so nothing is stored for it.
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	staged, err := s.files.Stage(ctx, actor.OrgID, filename, r)
	if err != nil {
		return nil, err
	}
	today := Today(s.now())
	var out Certificate
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.SetDocument(ctx, tx, certificatesdb.SetDocumentParams{OrgID: actor.OrgID, ID: id, Sha256: &staged.SHA256,
			ContentType: staged.ContentType, Filename: staged.Filename, SizeBytes: staged.Size})
		if err != nil {
			return orNotFound(err, "certificate")
		}
		out = fromRow(row, today)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityProperty, EntityID: row.PropertyID,
			Action: "certificate_document_added", After: map[string]any{"certificateId": id, "kind": row.Kind,
				"filename": staged.Filename, "contentType": staged.ContentType, "sizeBytes": staged.Size}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// OpenDocument returns a certificate's document description and content (staff only);
// NotFound when it has none.
func (s *Service) OpenDocument(ctx context.Context, actor access.Actor, id uuid.UUID) (Document, io.ReadCloser, error) {
	if err := actor.RequireStaff(); err != nil {
		return Document{}, nil, err
	}
	var row certificatesdb.Certificate
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		var err error
		row, err = s.q.GetCertificate(ctx, tx, certificatesdb.GetCertificateParams{OrgID: actor.OrgID, ID: id})
		return orNotFound(err, "certificate")
	})
	if err != nil {
		return Document{}, nil, err
	}
	if row.DocumentSha256 == nil {
		return Document{}, nil, apperr.NotFoundf("certificate document")
	}
	rc, err := s.store.Open(ctx, actor.OrgID, *row.DocumentSha256)
	if err != nil {
		return Document{}, nil, fmt.Errorf("certificates: open document: %w", err)
	}
	return Document{Filename: row.DocumentFilename, ContentType: row.DocumentContentType, SizeBytes: row.DocumentSizeBytes}, rc, nil
}

func orNotFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFoundf(what)
	}
	return err
}
