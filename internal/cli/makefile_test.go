package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMakeTest_honoursTestDatabaseURL reads what `make test` would run (make -n runs
// nothing): with TEST_DATABASE_URL it tests against that server, without it against a
// throwaway cluster.
func TestMakeTest_honoursTestDatabaseURL(t *testing.T) {
	t.Parallel()
	plan := func(args ...string) string {
		cmd := exec.Command("make", append([]string{"-n", "-C", "../..", "test"}, args...)...)
		cmd.Env = append(cmd.Environ(), "TEST_DATABASE_URL=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n test: %v\n%s", err, out)
		}
		return string(out)
	}
	given := plan("TEST_DATABASE_URL=postgres://postgres:pw@db.example:5432/postgres")
	if strings.Contains(given, "with-postgres") || !strings.Contains(given, "TEST_DATABASE_URL='postgres://postgres:pw@db.example:5432/postgres' go test -count=1") {
		t.Fatalf("with TEST_DATABASE_URL, make test plans:\n%s", given)
	}
	if own := plan(); !strings.Contains(own, "with-postgres -- go test -count=1") {
		t.Fatalf("without TEST_DATABASE_URL, make test plans:\n%s", own)
	}
}
