package attachments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func sum256(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// stFile writes content to a new file in dir and returns its path.
func stFile(t *testing.T, dir string, content []byte) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "src-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// stFiles lists the regular files under dir, relative to it.
func stFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func stRead(t *testing.T, s LocalStore, org uuid.UUID, sum string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), org, sum)
	if err != nil {
		t.Fatalf("open %s/%s: %v", org, sum, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLocalStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("put then open round trip, laid out by org and hash prefix", func(t *testing.T) {
		t.Parallel()
		dir, src := t.TempDir(), t.TempDir()
		s := LocalStore{Dir: dir}
		org := uuid.New()
		content := []byte("\xFF\xD8\xFF\xE0 a photo of a leaking tap")
		sum := sum256(content)
		path := stFile(t, src, content)
		if err := s.Put(ctx, org, sum, path); err != nil {
			t.Fatalf("put: %v", err)
		}
		if got := stRead(t, s, org, sum); !bytes.Equal(got, content) {
			t.Fatalf("read back %q, want %q", got, content)
		}
		want := []string{org.String() + "/" + sum[:2] + "/" + sum}
		if got := stFiles(t, dir); !slices.Equal(got, want) {
			t.Fatalf("files %v, want %v", got, want)
		}
		// Moved, not copied: the upload's temp file is gone.
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("source still there after put: %v", err)
		}
	})

	t.Run("put is idempotent and keeps the first content", func(t *testing.T) {
		t.Parallel()
		dir, src := t.TempDir(), t.TempDir()
		s := LocalStore{Dir: dir}
		org := uuid.New()
		content := []byte("%PDF-1.7 an invoice")
		sum := sum256(content)
		for i := range 3 {
			if err := s.Put(ctx, org, sum, stFile(t, src, content)); err != nil {
				t.Fatalf("put %d: %v", i+1, err)
			}
		}
		if got := stFiles(t, dir); len(got) != 1 {
			t.Fatalf("files %v, want one", got)
		}
		if got := stRead(t, s, org, sum); !bytes.Equal(got, content) {
			t.Fatalf("read back %q", got)
		}
	})

	t.Run("bad hashes are refused and touch nothing", func(t *testing.T) {
		t.Parallel()
		dir, src := t.TempDir(), t.TempDir()
		s := LocalStore{Dir: dir}
		org := uuid.New()
		good := sum256([]byte("x"))
		for _, bad := range []string{
			"", "abc", good[:63], good + "0", strings.ToUpper(good),
			"../../../../../../etc/passwd", "../" + good[3:], good[:62] + "/x", good[:63] + "g",
			good[:32] + "\x00" + good[33:], " " + good[1:],
		} {
			path := stFile(t, src, []byte("x"))
			if err := s.Put(ctx, org, bad, path); err == nil {
				t.Errorf("put with hash %q accepted", bad)
			}
			if rc, err := s.Open(ctx, org, bad); err == nil {
				rc.Close()
				t.Errorf("open with hash %q accepted", bad)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("refused put of %q moved the source: %v", bad, err)
			}
		}
		if got := stFiles(t, dir); len(got) != 0 {
			t.Fatalf("refused puts stored %v", got)
		}
	})

	t.Run("one organisation's files are not another's", func(t *testing.T) {
		t.Parallel()
		dir, src := t.TempDir(), t.TempDir()
		s := LocalStore{Dir: dir}
		orgA, orgB := uuid.New(), uuid.New()
		content := []byte("\x89PNG\r\n\x1A\n org A's photo")
		sum := sum256(content)
		if err := s.Put(ctx, orgA, sum, stFile(t, src, content)); err != nil {
			t.Fatal(err)
		}
		rc, err := s.Open(ctx, orgB, sum)
		if err == nil {
			rc.Close()
			t.Fatal("org B opened org A's file by its hash")
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("open as org B: %v, want not exist", err)
		}
		// B storing the same content gets its own copy; A's stays.
		if err := s.Put(ctx, orgB, sum, stFile(t, src, content)); err != nil {
			t.Fatal(err)
		}
		want := []string{orgA.String() + "/" + sum[:2] + "/" + sum, orgB.String() + "/" + sum[:2] + "/" + sum}
		slices.Sort(want)
		if got := stFiles(t, dir); !slices.Equal(got, want) {
			t.Fatalf("files %v, want %v", got, want)
		}
		if got := stRead(t, s, orgB, sum); !bytes.Equal(got, content) {
			t.Fatalf("B reads %q", got)
		}
	})

	t.Run("missing content is not found", func(t *testing.T) {
		t.Parallel()
		s := LocalStore{Dir: t.TempDir()}
		_, err := s.Open(ctx, uuid.New(), sum256([]byte("never stored")))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("open of missing content: %v", err)
		}
	})

	t.Run("copy into place when a rename is impossible", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		content := bytes.Repeat([]byte("0123456789"), 10_000)
		src := stFile(t, t.TempDir(), content)
		dst := filepath.Join(dir, "aa", "target")
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := copyInto(src, dst); err != nil {
			t.Fatalf("copyInto: %v", err)
		}
		got, err := os.ReadFile(dst)
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("copied %d bytes (%v), want %d", len(got), err, len(content))
		}
		// No temporary file left beside it.
		if files := stFiles(t, dir); !slices.Equal(files, []string{"aa/target"}) {
			t.Fatalf("files %v", files)
		}
	})
}

func TestHashFile(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	content := bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 1, 2, 3, 4, 5}, 200) // 1600 bytes
	path, sum, size, head, err := hashFile(bytes.NewReader(content), 1600, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if sum != sum256(content) || size != 1600 || !bytes.Equal(head, content[:512]) {
		t.Fatalf("sum %s size %d head %d bytes", sum, size, len(head))
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) {
		t.Fatal("temp file differs from the input")
	}
	// Past the limit it stops one byte over, so the caller can tell "too large".
	_, _, size, _, err = hashFile(bytes.NewReader(content), 1000, tmp)
	if err != nil || size != 1001 {
		t.Fatalf("over the limit: size %d, err %v; want 1001", size, err)
	}
}
