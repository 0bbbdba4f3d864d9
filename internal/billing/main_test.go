package billing_test

import (
	"os"
	"testing"

	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// TestMain checks every API answer these tests see against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(testsupport.RunCheckingContract(m)) }
