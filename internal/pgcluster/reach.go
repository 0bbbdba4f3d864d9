package pgcluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultFallbackRoot is where DirFor puts a cluster whose own directory the PostgreSQL
// user cannot reach.
const DefaultFallbackRoot = "/var/lib/maintainuk"

// DirFor says where the cluster meant for dir can live. That is dir itself when the
// user that runs PostgreSQL can reach it: always when we are not root, and as root when
// every directory above it lets that user through. Otherwise (typically a checkout
// under /root, mode 0700, while running as root) it is fallbackRoot/<hash of dir's
// absolute path>: the same on every run, so the data persist, and different for each
// checkout, so two checkouts do not share a cluster. moved reports the second case. No
// permissions are changed: we neither open the checkout to other users nor add ACLs.
func DirFor(ctx context.Context, dir, fallbackRoot string, logf func(string, ...any)) (_ string, moved bool, _ error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("pgcluster: %w", err)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	runner, err := resolveUser(ctx, logf)
	if err != nil {
		return "", false, err
	}
	// The directory may not exist yet: what matters is the way to it.
	existing := abs
	for {
		if _, err := os.Stat(existing); err == nil || filepath.Dir(existing) == existing {
			break
		}
		existing = filepath.Dir(existing)
	}
	if runner.checkReachable(existing, abs) == nil {
		return abs, false, nil
	}
	// fallbackRoot is ours: create it readable (0755 whatever the umask) so the
	// PostgreSQL user can pass through it; the cluster directory below it is 0700.
	if _, err := os.Stat(fallbackRoot); os.IsNotExist(err) {
		if err := os.MkdirAll(fallbackRoot, 0o755); err != nil { // #nosec G301 -- a directory the unprivileged server user must be able to traverse
			return "", false, fmt.Errorf("pgcluster: %w", err)
		}
		if err := os.Chmod(fallbackRoot, 0o755); err != nil { // #nosec G302 -- a directory the unprivileged server user must be able to traverse
			return "", false, fmt.Errorf("pgcluster: %w", err)
		}
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(fallbackRoot, hex.EncodeToString(sum[:6])), true, nil
}
