// Package access holds who is acting (the Actor) and what each role may do. The domain
// services call these checks themselves, so a rule holds whichever surface (API, web UI,
// job) calls them; handlers never decide permissions on their own.
package access

import (
	"slices"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// Role is a membership's role within one organisation.
type Role string

const (
	Admin       Role = "ADMIN"
	Coordinator Role = "COORDINATOR"
	Contractor  Role = "CONTRACTOR"
	Tenant      Role = "TENANT"
)

// Roles lists every role, for validation and documentation.
var Roles = []Role{Admin, Coordinator, Contractor, Tenant}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// StaffRoles run the organisation's operations. This is the one definition of "staff":
// queries that look for staff take it as a parameter (StaffRoleNames).
var StaffRoles = []Role{Admin, Coordinator}

// IsStaff reports whether r runs the organisation's operations (ADMIN or COORDINATOR).
func (r Role) IsStaff() bool { return slices.Contains(StaffRoles, r) }

// StaffRoleNames is StaffRoles as strings, for SQL parameters.
func StaffRoleNames() []string {
	out := make([]string, len(StaffRoles))
	for i, r := range StaffRoles {
		out[i] = string(r)
	}
	return out
}

// Actor is the authenticated user acting within one organisation. The org always comes
// from the verified token and the role from the current membership row, never from the
// request body or a header.
type Actor struct {
	UserID uuid.UUID
	OrgID  uuid.UUID
	Role   Role
	// ContractorID is the contractor company of a CONTRACTOR member.
	ContractorID uuid.UUID
}

// Require returns a Forbidden error unless the actor has one of roles.
func (a Actor) Require(roles ...Role) error {
	if slices.Contains(roles, a.Role) {
		return nil
	}
	return apperr.ForbiddenRole()
}

// RequireStaff is Require(Admin, Coordinator).
func (a Actor) RequireStaff() error { return a.Require(Admin, Coordinator) }
