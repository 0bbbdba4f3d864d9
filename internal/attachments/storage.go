package attachments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// Store keeps file contents by organisation and SHA-256. The local disk implements it; an
// S3-compatible bucket can too (key "<org>/<sha256>").
type Store interface {
	// Put stores the content of the file at path under its hash (idempotent).
	Put(ctx context.Context, orgID uuid.UUID, sha256Hex string, path string) error
	// Open returns the content stored under the hash.
	Open(ctx context.Context, orgID uuid.UUID, sha256Hex string) (io.ReadCloser, error)
}

// LocalStore keeps files under a directory: <dir>/<org>/<first two hex>/<sha256>.
type LocalStore struct{ Dir string }

var hexHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s LocalStore) path(orgID uuid.UUID, sum string) (string, error) {
	if !hexHash.MatchString(sum) {
		return "", errors.New("attachments: bad hash")
	}
	return filepath.Join(s.Dir, orgID.String(), sum[:2], sum), nil
}

// Put moves the file into place with a rename, so a reader never sees half a file.
func (s LocalStore) Put(_ context.Context, orgID uuid.UUID, sum string, src string) error {
	dst, err := s.path(orgID, sum)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return nil // already stored: content-addressed
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return storageFull(fmt.Errorf("attachments: %w", err))
	}
	if err := os.Rename(src, dst); err != nil {
		// Across file systems (temp dir elsewhere): copy, then rename within the target.
		return storageFull(copyInto(src, dst))
	}
	return nil
}

func copyInto(src, dst string) error {
	in, err := os.Open(src) // #nosec G304 -- src is the upload's temp file this package created
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".incoming-*")
	if err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("attachments: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("attachments: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	return os.Rename(tmp.Name(), dst)
}

// storageFull turns a full disk (or an exhausted quota) into the 503 the API answers:
// the upload is refused whole, its partial temp file removed by the caller, and nothing
// refers to it. Other errors pass through unchanged.
func storageFull(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		e := apperr.Wrap(err, apperr.Unavailable, "file storage is full, so the file was not saved; try again later")
		e.RetryAfter = time.Minute
		return e
	}
	return err
}

// Open opens a stored file.
func (s LocalStore) Open(_ context.Context, orgID uuid.UUID, sum string) (io.ReadCloser, error) {
	p, err := s.path(orgID, sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p) // #nosec G304 -- p is built by s.path from the org id and a checked hex SHA-256, never from a file name
	if err != nil {
		return nil, fmt.Errorf("attachments: open: %w", err)
	}
	return f, nil
}

// hashFile copies r into a temp file while hashing it, stopping past limit bytes.
func hashFile(r io.Reader, limit int64, tmpDir string) (path, sum string, size int64, head []byte, err error) {
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return "", "", 0, nil, storageFull(fmt.Errorf("attachments: temp file: %w", err))
	}
	defer f.Close()
	h := sha256.New()
	headBuf := &limitedBuffer{max: 512}
	size, err = io.Copy(io.MultiWriter(f, h, headBuf), io.LimitReader(r, limit+1))
	if err == nil {
		err = f.Sync() // a full disk can surface only when the data is written out
	}
	if err != nil {
		os.Remove(f.Name())
		return "", "", 0, nil, storageFull(fmt.Errorf("attachments: read upload: %w", err))
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), size, headBuf.b, nil
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	b   []byte
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
