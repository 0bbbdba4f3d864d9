// Package pgcluster runs a private PostgreSQL cluster with the machine's own initdb and
// pg_ctl, so that development (`maintainuk dev`) and the test harness need no system-wide
// database set-up, no Docker and no manual role creation.
//
// A cluster listens on 127.0.0.1 only, with Unix sockets disabled, so it never collides
// with a system PostgreSQL and is unreachable from other machines. Every connection uses
// a password (scram-sha-256); the passwords are generated on first start and kept in
// Dir/maintainuk-credentials.json, so a persistent cluster is reused across runs.
//
// Start also makes sure the roles and the database the application expects exist:
// OwnerRole owns the schema (migrations run as it), AppRole is what the application
// connects as. Neither is a superuser or bypasses row-level security, so tests see the
// same access rules as production.
package pgcluster

import (
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
)

// Names of the roles and database that Start ensures exist.
const (
	// OwnerRole owns DatabaseName and its schema; migrations run as it. It may create
	// databases so the test harness can clone template databases.
	OwnerRole = "maintainuk_owner"
	// AppRole is the role the application connects as: no superuser, no BYPASSRLS, so
	// row-level security applies to it.
	AppRole = "maintainuk_app"
	// DatabaseName is the application database, owned by OwnerRole.
	DatabaseName = "maintainuk"
)

const (
	// superuserName is the bootstrap superuser created by initdb -U.
	superuserName = "postgres"
	// credentialsFileName lives inside the data directory so that the passwords travel
	// (and are deleted) together with the cluster they belong to.
	credentialsFileName = "maintainuk-credentials.json" // #nosec G101 -- a file name, not a credential
	// listenHost is the only address the server listens on.
	listenHost = "127.0.0.1"
)

// Options configures Start.
type Options struct {
	// Dir is the data directory, created if missing, e.g. ".data/postgres". A directory
	// that already holds a cluster (PG_VERSION) is reused with its stored passwords.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free port.
	Port int
	// Ephemeral marks a throwaway test cluster: durability is switched off for speed and
	// Stop deletes Dir.
	Ephemeral bool
	// Logf receives progress messages meant for humans; nil means silent.
	Logf func(format string, args ...any)
}

// Cluster is a running PostgreSQL server started by Start. Stop it with Stop.
type Cluster struct {
	dir       string
	logPath   string
	port      int
	ephemeral bool
	bins      binaries
	user      runAs
	creds     credentials
	logf      func(format string, args ...any)

	mu      sync.Mutex // guards stopped, so Stop is safe to call twice or concurrently
	stopped bool
}

// Port returns the TCP port the server listens on (on 127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// Dir returns the absolute path of the data directory.
func (c *Cluster) Dir() string { return c.dir }

// LogFile returns the path of the server log, the first place to look when something fails.
func (c *Cluster) LogFile() string { return c.logPath }

// SuperuserURL returns a connection URL for the cluster superuser. An empty database
// means DatabaseName. Use it only for administration; the application must not.
func (c *Cluster) SuperuserURL(database string) string {
	return c.url(superuserName, c.creds.Superuser, database)
}

// OwnerURL returns a connection URL for OwnerRole. An empty database means DatabaseName.
func (c *Cluster) OwnerURL(database string) string {
	return c.url(OwnerRole, c.creds.Owner, database)
}

// AppURL returns a connection URL for AppRole. An empty database means DatabaseName.
func (c *Cluster) AppURL(database string) string {
	return c.url(AppRole, c.creds.App, database)
}

// url builds a postgres:// URL. sslmode=disable because the server has no certificate
// and only listens on loopback; it saves pgx a refused TLS round trip per connection.
func (c *Cluster) url(user, password, database string) string {
	if database == "" {
		database = DatabaseName
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(listenHost, strconv.Itoa(c.port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// pidFile is PostgreSQL's lock file; it exists while a server runs on the directory.
func (c *Cluster) pidFile() string { return filepath.Join(c.dir, "postmaster.pid") }
