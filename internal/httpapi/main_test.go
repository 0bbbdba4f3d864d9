package httpapi_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/maintainuk/maintainuk/internal/httpapi"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMain runs the package's tests while recording every answer their Clients see, then
// checks each one against the OpenAPI document (testsupport.RunCheckingContract): its
// status must be documented for its operation and its body must match the schema
// documented for that status. A mismatch fails the run, so the document cannot drift
// from the server. It also fails the run when the answers' encoder wrote any answer
// differently from encoding/json.
func TestMain(m *testing.M) {
	code := testsupport.RunCheckingContract(m)
	seen, mismatches := httpapi.AnswerEncodingMismatches()
	for _, m := range mismatches {
		fmt.Fprintf(os.Stderr, "answer encoded differently from encoding/json: %s\n", m)
	}
	if len(mismatches) > 0 {
		code = 1
	}
	// A whole run (no -run filter) that compared nothing means the check is not wired.
	if run := flag.Lookup("test.run"); code == 0 && seen == 0 && run != nil && run.Value.String() == "" {
		fmt.Fprintln(os.Stderr, "the answers' encoder was never compared with encoding/json")
		code = 1
	}
	os.Exit(code)
}
