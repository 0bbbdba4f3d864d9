package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/database"
	"github.com/maintainuk/maintainuk/internal/identity/identitydb"
)

// webSessionPrefix marks a web session's token (the cookie of a signed-in browser).
const webSessionPrefix = "mws"

// webTouchEvery is how stale a session's last-seen time may get before a request writes
// it again: a page and its fragments would otherwise write once each.
const webTouchEvery = time.Minute

// WebSession is a browser signed in to one organisation.
type WebSession struct {
	// Token goes in the session cookie; only its hash is stored.
	Token     string
	Actor     access.Actor
	ExpiresAt time.Time
}

const badWebSession = "your session has ended; sign in again"

// WebLogin checks credentials as Login does (the same failure limits) and starts a web
// session in the user's first organisation.
func (s *Service) WebLogin(ctx context.Context, email, password, clientIP, userAgent string) (*WebSession, error) {
	user, err := s.checkCredentials(ctx, email, password, clientIP)
	if err != nil {
		return nil, err
	}
	var out *WebSession
	err = s.db.InTx(ctx, database.Scope{UserID: user.ID}, func(tx pgx.Tx) error {
		memberships, err := s.q.ListMembershipsOfUser(ctx, tx, user.ID)
		if err != nil {
			return err
		}
		if len(memberships) == 0 {
			return apperr.New(apperr.Forbidden, "your account is not a member of any organisation")
		}
		out, err = s.startWebSession(ctx, tx, user.ID, memberships[0].Membership.OrgID, userAgent, s.now())
		return err
	})
	return out, err
}

// startWebSession stores a new session of user in org, in tx (rescoped to org); ends is
// the absolute end of the sign-in it continues (zero: a new sign-in).
func (s *Service) startWebSession(ctx context.Context, tx pgx.Tx, userID, orgID uuid.UUID, userAgent string, started time.Time) (*WebSession, error) {
	if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, UserID: userID}); err != nil {
		return nil, err
	}
	m, err := s.q.GetActor(ctx, tx, identitydb.GetActorParams{OrgID: orgID, UserID: userID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound(err, "organisation")
	}
	if err != nil {
		return nil, err
	}
	actor, err := actorOf(userID, orgID, m)
	if err != nil {
		return nil, err
	}
	token, hash, err := newOpaqueToken(webSessionPrefix, orgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ends := started.Add(s.refreshMaxAge())
	expires := earlier(now.Add(s.settings.RefreshTTL), ends)
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	if err := s.q.InsertWebSession(ctx, tx, identitydb.InsertWebSessionParams{OrgID: orgID, TokenHash: hash, UserID: userID,
		ExpiresAt: expires, EndsAt: ends, UserAgent: userAgent}); err != nil {
		return nil, fmt.Errorf("identity: store web session: %w", err)
	}
	return &WebSession{Token: token, Actor: actor, ExpiresAt: expires}, nil
}

// WebAuthenticate is the actor of a web session's token, with the membership read now (a
// role change or removal applies at the next request). Use slides the session's expiry.
func (s *Service) WebAuthenticate(ctx context.Context, token string) (access.Actor, error) {
	orgID, hash, ok := parseOpaqueToken(webSessionPrefix, token)
	if !ok {
		return access.Actor{}, errUnauthenticated(badWebSession)
	}
	var actor access.Actor
	err := s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		ws, err := s.q.GetWebSession(ctx, tx, identitydb.GetWebSessionParams{OrgID: orgID, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) {
			return errUnauthenticated(badWebSession)
		}
		if err != nil {
			return err
		}
		now := s.now()
		if !now.Before(ws.ExpiresAt) {
			return errUnauthenticated(badWebSession)
		}
		if err := database.Rescope(ctx, tx, database.Scope{OrgID: orgID, UserID: ws.UserID}); err != nil {
			return err
		}
		m, err := s.q.GetActor(ctx, tx, identitydb.GetActorParams{OrgID: orgID, UserID: ws.UserID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errUnauthenticated("you are no longer a member of this organisation")
		}
		if err != nil {
			return err
		}
		if actor, err = actorOf(ws.UserID, orgID, m); err != nil {
			return err
		}
		if now.Sub(ws.LastSeenAt) < webTouchEvery {
			return nil
		}
		return s.q.TouchWebSession(ctx, tx, identitydb.TouchWebSessionParams{OrgID: orgID, TokenHash: hash,
			LastSeenAt: now, ExpiresAt: earlier(now.Add(s.settings.RefreshTTL), ws.EndsAt)})
	})
	return actor, err
}

// WebLogout ends a web session (an unknown token is already ended).
func (s *Service) WebLogout(ctx context.Context, token string) error {
	orgID, hash, ok := parseOpaqueToken(webSessionPrefix, token)
	if !ok {
		return nil
	}
	return s.db.InTx(ctx, database.Scope{OrgID: orgID}, func(tx pgx.Tx) error {
		return s.q.DeleteWebSession(ctx, tx, identitydb.DeleteWebSessionParams{OrgID: orgID, TokenHash: hash})
	})
}

// WebSwitchOrg moves a web session to another organisation of its user: the old session
// ends and a new one starts there, ending when the old one would have. Another
// organisation answers 404.
func (s *Service) WebSwitchOrg(ctx context.Context, token string, orgID uuid.UUID, userAgent string) (*WebSession, error) {
	from, hash, ok := parseOpaqueToken(webSessionPrefix, token)
	if !ok {
		return nil, errUnauthenticated(badWebSession)
	}
	var out *WebSession
	err := s.db.InTx(ctx, database.Scope{OrgID: from}, func(tx pgx.Tx) error {
		ws, err := s.q.GetWebSession(ctx, tx, identitydb.GetWebSessionParams{OrgID: from, TokenHash: hash})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !s.now().Before(ws.ExpiresAt)) {
			return errUnauthenticated(badWebSession)
		}
		if err != nil {
			return err
		}
		if err := s.q.DeleteWebSession(ctx, tx, identitydb.DeleteWebSessionParams{OrgID: from, TokenHash: hash}); err != nil {
			return err
		}
		out, err = s.startWebSession(ctx, tx, ws.UserID, orgID, userAgent, ws.EndsAt.Add(-s.refreshMaxAge()))
		return err
	})
	return out, err
}

// actorOf is the actor of a membership row, refusing a deactivated contractor company.
func actorOf(userID, orgID uuid.UUID, m identitydb.GetActorRow) (access.Actor, error) {
	actor := access.Actor{UserID: userID, OrgID: orgID, Role: access.Role(m.Role)}
	if actor.Role == access.Contractor {
		if m.ContractorID == nil || !m.ContractorActive {
			return access.Actor{}, apperr.New(apperr.Forbidden, "your contractor company is no longer active with this organisation")
		}
		actor.ContractorID = *m.ContractorID
	}
	return actor, nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
