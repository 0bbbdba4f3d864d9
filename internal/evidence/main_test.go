package evidence_test

import (
	"os"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMain records every answer the tests see and checks it against the OpenAPI document
// (testsupport.RunCheckingContract).
func TestMain(m *testing.M) { os.Exit(testsupport.RunCheckingContract(m)) }
