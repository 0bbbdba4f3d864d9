// Package contractors is the organisation's approved contractor companies: their trades,
// contact details and insurance. CONTRACTOR members are linked to one company and see only
// its work orders.
package contractors

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/contractors/contractorsdb"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/page"
	"github.com/maintainuk/maintainuk/internal/timeline"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// Trades a contractor can cover; they match the ticket categories.
var Trades = []string{"PLUMBING", "ELECTRICAL", "HVAC", "APPLIANCE", "STRUCTURAL", "PEST_CONTROL", "GENERAL"}

// Contractor is a contractor company.
type Contractor struct {
	ID                 uuid.UUID `json:"id"`
	CompanyName        string    `json:"companyName"`
	Trades             []string  `json:"trades"`
	Email              string    `json:"email"`
	Phone              string    `json:"phone"`
	InsuranceExpiresOn *string   `json:"insuranceExpiresOn" doc:"Date (YYYY-MM-DD) the public liability insurance expires."`
	GasSafeNumber      string    `json:"gasSafeNumber" doc:"Gas Safe Register number (6-digit business registration or 7-digit engineer licence); empty when not recorded."`
	GasSafeExpiresOn   *string   `json:"gasSafeExpiresOn" doc:"Date (YYYY-MM-DD) the Gas Safe registration expires."`
	NiceicNumber       string    `json:"niceicNumber" doc:"NICEIC enrolment number (letters and digits); empty when not recorded."`
	Notes              string    `json:"notes" doc:"Staff notes about the company; always empty when a CONTRACTOR reads its own company."`
	Active             bool      `json:"active"`
	CreatedAt          time.Time `json:"createdAt"`
	UpdatedAt          time.Time `json:"updatedAt"`
}

func fromRow(r contractorsdb.Contractor) Contractor {
	c := Contractor{ID: r.ID, CompanyName: r.CompanyName, Trades: r.Trades, Email: r.Email, Phone: r.Phone,
		Notes: r.Notes, Active: r.Active, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		GasSafeNumber: r.GasSafeNumber, GasSafeExpiresOn: dateString(r.GasSafeExpiresOn), NiceicNumber: r.NiceicNumber}
	if c.Trades == nil {
		c.Trades = []string{}
	}
	c.InsuranceExpiresOn = dateString(r.InsuranceExpiresOn)
	return c
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.Format(time.DateOnly)
	return &d
}

// Input creates a contractor; Patch changes the fields that are not nil.
type Input struct {
	CompanyName        string
	Trades             []string
	Email              string
	Phone              string
	InsuranceExpiresOn *string
	Notes              string
	GasSafeNumber      string
	GasSafeExpiresOn   *string
	NiceicNumber       string
}

// Patch changes the fields that are not nil.
type Patch struct {
	CompanyName        *string
	Trades             *[]string
	Email              *string
	Phone              *string
	InsuranceExpiresOn *string // "" clears it
	Notes              *string
	Active             *bool
	GasSafeNumber      *string // "" clears it
	GasSafeExpiresOn   *string // "" clears it
	NiceicNumber       *string // "" clears it
}

// Service manages contractors.
type Service struct {
	db *database.DB
	q  *contractorsdb.Queries
}

// NewService returns the contractors service.
func NewService(db *database.DB) *Service { return &Service{db: db, q: contractorsdb.New()} }

type validated struct {
	companyName, email, phone, notes string
	trades                           []string
	insurance, gasSafeExpiry         *time.Time
	gasSafe, niceic                  string
}

// Check applies the rules on the input alone, which Create applies first; the API runs it
// beside schema validation so that one answer lists every field error.
func (in Input) Check() error {
	_, err := in.validate()
	return err
}

// Check applies the input rules to the fields the patch sets, naming each that breaks
// one (the others keep their stored, already valid values, filled in here with valid
// stand-ins); the API runs it beside schema validation.
func (p Patch) Check() error {
	in := Input{CompanyName: "Stand-in Ltd", Trades: []string{"PLUMBING"}, Email: "stand-in@example.com"}
	var set []string
	for _, f := range []struct {
		name  string
		value *string
		into  *string
	}{{"companyName", p.CompanyName, &in.CompanyName}, {"email", p.Email, &in.Email}, {"phone", p.Phone, &in.Phone}, {"notes", p.Notes, &in.Notes},
		{"gasSafeNumber", p.GasSafeNumber, &in.GasSafeNumber}, {"niceicNumber", p.NiceicNumber, &in.NiceicNumber}} {
		if f.value != nil {
			*f.into = *f.value
			set = append(set, f.name)
		}
	}
	if p.Trades != nil {
		in.Trades = *p.Trades
		set = append(set, "trades")
	}
	if p.InsuranceExpiresOn != nil {
		in.InsuranceExpiresOn = p.InsuranceExpiresOn
		set = append(set, "insuranceExpiresOn")
	}
	if p.GasSafeExpiresOn != nil {
		in.GasSafeExpiresOn = p.GasSafeExpiresOn
		set = append(set, "gasSafeExpiresOn")
	}
	return apperr.OnlyFields(in.Check(), set...)
}

func (in Input) validate() (validated, error) {
	var v validated
	var f apperr.Fields
	var err error
	if v.companyName, err = validate.Text(in.CompanyName, 1, 200); err != nil {
		f.Add("companyName", err.Error())
	}
	if v.email, err = validate.Email(in.Email); err != nil {
		f.Add("email", err.Error())
	}
	if strings.TrimSpace(in.Phone) != "" {
		if v.phone, err = validate.Phone(in.Phone); err != nil {
			f.Add("phone", err.Error())
		}
	}
	if v.notes, err = validate.LongText(in.Notes, 0, 2000); err != nil {
		f.Add("notes", err.Error())
	}
	v.trades = []string{}
	for _, t := range in.Trades {
		t = strings.ToUpper(strings.TrimSpace(t))
		if !slices.Contains(Trades, t) {
			f.Add("trades", "each must be one of "+strings.Join(Trades, ", "))
			break
		}
		if !slices.Contains(v.trades, t) {
			v.trades = append(v.trades, t)
		}
	}
	v.insurance = optionalDate(&f, "insuranceExpiresOn", in.InsuranceExpiresOn)
	v.gasSafeExpiry = optionalDate(&f, "gasSafeExpiresOn", in.GasSafeExpiresOn)
	if v.gasSafe, err = GasSafeNumber(in.GasSafeNumber); err != nil {
		f.Add("gasSafeNumber", err.Error())
	}
	if v.niceic, err = NiceicNumber(in.NiceicNumber); err != nil {
		f.Add("niceicNumber", err.Error())
	}
	return v, f.Err()
}

// optionalDate parses a YYYY-MM-DD date; nil or "" is no date.
func optionalDate(f *apperr.Fields, field string, s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		f.Add(field, "must be a date like 2027-03-31")
		return nil
	}
	return &d
}

// GasSafeNumber normalises a Gas Safe Register number: spaces dropped, then 6 digits (a
// registered business's registration number) or 7 (an engineer's licence number, as on
// the licence card). "" means none recorded.
func GasSafeNumber(s string) (string, error) {
	n := strings.Join(strings.Fields(s), "")
	if n == "" {
		return "", nil
	}
	if len(n) < 6 || len(n) > 7 || strings.Trim(n, "0123456789") != "" {
		return "", errors.New("must be a Gas Safe Register number: 6 digits (business) or 7 (engineer licence)")
	}
	return n, nil
}

// NiceicNumber normalises an NICEIC enrolment number: spaces and hyphens dropped, upper
// case, then 4 to 20 letters and digits. "" means none recorded.
func NiceicNumber(s string) (string, error) {
	n := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
	if n == "" {
		return "", nil
	}
	if len(n) < 4 || len(n) > 20 || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return "", errors.New("must be an NICEIC enrolment number: 4 to 20 letters and digits")
	}
	return n, nil
}

// Create adds a contractor (staff only).
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (*Contractor, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	v, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out Contractor
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.InsertContractor(ctx, tx, contractorsdb.InsertContractorParams{
			OrgID: actor.OrgID, CompanyName: v.companyName, Trades: v.trades, Email: v.email, Phone: v.phone,
			InsuranceExpiresOn: v.insurance, Notes: v.notes, GasSafeNumber: v.gasSafe, GasSafeExpiresOn: v.gasSafeExpiry, NiceicNumber: v.niceic,
		})
		if err != nil {
			return err
		}
		out = fromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityContractor, EntityID: row.ID, Action: "created", After: out})
	})
	return &out, err
}

// Get returns one contractor: staff see any, a CONTRACTOR member only their own company,
// without staff notes.
func (s *Service) Get(ctx context.Context, actor access.Actor, id uuid.UUID) (*Contractor, error) {
	if err := actor.Require(access.Admin, access.Coordinator, access.Contractor); err != nil {
		return nil, err
	}
	if actor.Role == access.Contractor && actor.ContractorID != id {
		return nil, apperr.NotFoundf("contractor")
	}
	var out Contractor
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetContractor(ctx, tx, contractorsdb.GetContractorParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("contractor")
		}
		out = fromRow(row)
		if actor.Role == access.Contractor {
			out.Notes = "" // staff notes are never shown to the company they are about
		}
		return err
	})
	return &out, err
}

// Update applies a patch (staff only).
func (s *Service) Update(ctx context.Context, actor access.Actor, id uuid.UUID, p Patch) (*Contractor, error) {
	if err := actor.RequireStaff(); err != nil {
		return nil, err
	}
	var out Contractor
	err := s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		row, err := s.q.GetContractorForUpdate(ctx, tx, contractorsdb.GetContractorForUpdateParams{OrgID: actor.OrgID, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFoundf("contractor")
		}
		if err != nil {
			return err
		}
		before := fromRow(row)
		in := Input{CompanyName: row.CompanyName, Trades: row.Trades, Email: row.Email, Phone: row.Phone, Notes: row.Notes, InsuranceExpiresOn: before.InsuranceExpiresOn,
			GasSafeNumber: row.GasSafeNumber, GasSafeExpiresOn: before.GasSafeExpiresOn, NiceicNumber: row.NiceicNumber}
		setIf(&in.CompanyName, p.CompanyName)
		setIf(&in.GasSafeNumber, p.GasSafeNumber)
		setIf(&in.NiceicNumber, p.NiceicNumber)
		if p.GasSafeExpiresOn != nil {
			in.GasSafeExpiresOn = p.GasSafeExpiresOn
		}
		setIf(&in.Email, p.Email)
		setIf(&in.Phone, p.Phone)
		setIf(&in.Notes, p.Notes)
		if p.Trades != nil {
			in.Trades = *p.Trades
		}
		if p.InsuranceExpiresOn != nil {
			in.InsuranceExpiresOn = p.InsuranceExpiresOn
		}
		active := row.Active
		if p.Active != nil {
			active = *p.Active
		}
		v, err := in.validate()
		if err != nil {
			return err
		}
		if unchanged(row, v, active) {
			out = before // nothing changed: no write, no audit noise
			return nil
		}
		row, err = s.q.UpdateContractor(ctx, tx, contractorsdb.UpdateContractorParams{
			OrgID: actor.OrgID, ID: id, CompanyName: v.companyName, Trades: v.trades, Email: v.email, Phone: v.phone,
			InsuranceExpiresOn: v.insurance, Notes: v.notes, Active: active,
			GasSafeNumber: v.gasSafe, GasSafeExpiresOn: v.gasSafeExpiry, NiceicNumber: v.niceic,
		})
		if err != nil {
			return err
		}
		out = fromRow(row)
		return timeline.Record(ctx, tx, actor, timeline.Change{EntityType: timeline.EntityContractor, EntityID: id, Action: "updated", Before: before, After: out})
	})
	return &out, err
}

// ListFilter narrows a contractor list.
type ListFilter struct {
	Trade  string
	Active *bool
}

// List pages through contractors (staff only).
func (s *Service) List(ctx context.Context, actor access.Actor, filter ListFilter, req page.Request) (page.Result[Contractor], error) {
	var res page.Result[Contractor]
	if err := actor.RequireStaff(); err != nil {
		return res, err
	}
	limit, before, err := req.ParseNewest()
	if err != nil {
		return res, err
	}
	var trade *string
	if filter.Trade != "" {
		t := strings.ToUpper(filter.Trade)
		if !slices.Contains(Trades, t) {
			var f apperr.Fields
			f.Add("trade", "must be one of "+strings.Join(Trades, ", "))
			return res, f.Err()
		}
		trade = &t
	}
	err = s.db.InOrg(ctx, actor.OrgID, actor.UserID, func(tx pgx.Tx) error {
		rows, err := s.q.ListContractors(ctx, tx, contractorsdb.ListContractorsParams{
			OrgID: actor.OrgID, BeforeCreatedAt: before.CreatedAt, BeforeID: before.ID, Trade: trade, Active: filter.Active, RowLimit: int32(limit + 1),
		})
		items := make([]Contractor, len(rows))
		for i, r := range rows {
			items[i] = fromRow(r)
		}
		res = page.Build(items, limit, func(c Contractor) page.Key { return page.Key{CreatedAt: c.CreatedAt, ID: c.ID} })
		return err
	})
	return res, err
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// unchanged reports whether validated input v would leave row as it is.
func unchanged(row contractorsdb.Contractor, v validated, active bool) bool {
	return row.CompanyName == v.companyName && row.Email == v.email && row.Phone == v.phone && row.Notes == v.notes &&
		row.Active == active && sameDate(row.InsuranceExpiresOn, v.insurance) && slices.Equal(row.Trades, v.trades) &&
		row.GasSafeNumber == v.gasSafe && row.NiceicNumber == v.niceic && sameDate(row.GasSafeExpiresOn, v.gasSafeExpiry)
}

func sameDate(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}
