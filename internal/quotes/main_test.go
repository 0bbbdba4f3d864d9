package quotes_test

import (
	"os"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMain runs the package's tests while recording every answer their Clients see, then
// checks each one against the OpenAPI document (testsupport.RunCheckingContract): its
// status must be documented for its operation and its body must match the schema
// documented for that status. A mismatch fails the run, so the document cannot drift
// from the server.
func TestMain(m *testing.M) { os.Exit(testsupport.RunCheckingContract(m)) }
