package httpapi_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMain runs the package's tests while recording every answer their Clients see, then
// checks each one against the OpenAPI document (conformance_test.go): its status must be
// documented for its operation and its body must match the schema documented for that
// status. A mismatch fails the run, so the document cannot drift from the server.
func TestMain(m *testing.M) {
	rec := testsupport.RecordResponses()
	code := m.Run()
	if code != 0 {
		os.Exit(code)
	}
	c, err := newContract()
	if err != nil {
		fmt.Fprintf(os.Stderr, "schema conformance: %v\n", err)
		os.Exit(1)
	}
	report := c.check(rec.Responses())
	if len(report.problems) > 0 {
		fmt.Fprintf(os.Stderr, "\nschema conformance: %d answers do not match /openapi.json:\n", report.mismatches)
		for _, p := range report.problems {
			fmt.Fprintln(os.Stderr, p)
		}
		os.Exit(1)
	}
	if testing.Verbose() {
		fmt.Printf("schema conformance: %d answers of %d operations (%d operation/status pairs) match /openapi.json; %d other answers (not operations) skipped\n",
			report.checked, len(report.operations), len(report.pairs), report.skipped)
	}
	os.Exit(0)
}
