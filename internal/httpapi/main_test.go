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
	answers := rec.Responses()
	if len(answers) == 0 {
		os.Exit(0) // a run of tests that call no API (-run, fuzzing)
	}
	c, err := newContract()
	if err != nil {
		fmt.Fprintf(os.Stderr, "schema conformance: %v\n", err)
		os.Exit(1)
	}
	report := c.check(answers)
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
		if unseen := c.unseen(report); len(unseen) > 0 {
			fmt.Printf("schema conformance: no test sees an answer of %v\n", unseen)
		}
	}
	os.Exit(0)
}
