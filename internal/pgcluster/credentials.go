package pgcluster

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// credentials are the generated passwords of one cluster. They are created together with
// the cluster and stored inside its data directory, so they are reused by later Starts and
// disappear with the cluster.
type credentials struct {
	Superuser string `json:"superuser_password"` // for role "postgres"
	Owner     string `json:"owner_password"`     // for OwnerRole
	App       string `json:"app_password"`       // for AppRole
}

// newCredentials generates random hex passwords; hex keeps them safe in URLs and SQL.
func newCredentials() (credentials, error) {
	var cr credentials
	for _, p := range []*string{&cr.Superuser, &cr.Owner, &cr.App} {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return credentials{}, fmt.Errorf("pgcluster: generating a password: %w", err)
		}
		*p = hex.EncodeToString(b)
	}
	return cr, nil
}

// loadCredentials reads the passwords of an existing cluster.
func loadCredentials(path string) (credentials, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the cluster's own credentials file
	if errors.Is(err, os.ErrNotExist) {
		return credentials{}, fmt.Errorf("pgcluster: %s is missing, so the passwords of this cluster are unknown; "+
			"delete the data directory to start afresh (this deletes its data)", path)
	}
	if err != nil {
		return credentials{}, fmt.Errorf("pgcluster: reading credentials: %w", err)
	}
	var cr credentials
	if err := json.Unmarshal(data, &cr); err != nil {
		return credentials{}, fmt.Errorf("pgcluster: %s is not valid JSON: %w", path, err)
	}
	if cr.Superuser == "" || cr.Owner == "" || cr.App == "" {
		return credentials{}, fmt.Errorf("pgcluster: %s lacks a password (superuser_password, owner_password and app_password are required)", path)
	}
	return cr, nil
}

// save writes the passwords with mode 0600; it refuses to overwrite an existing file so a
// cluster's passwords can never be replaced by ones it does not know.
func (cr credentials) save(path string) error {
	data, err := json.MarshalIndent(cr, "", "  ")
	if err != nil {
		return fmt.Errorf("pgcluster: encoding credentials: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the cluster's own credentials file, created 0600
	if err != nil {
		return fmt.Errorf("pgcluster: writing credentials: %w", err)
	}
	_, err = f.Write(append(data, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgcluster: writing credentials: %w", err)
	}
	return nil
}
