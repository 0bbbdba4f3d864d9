// Package faulttest runs the real maintainuk binary through faults and checks that
// nothing committed is lost (docs/faults.md): a worker process killed with SIGKILL in the
// middle of jobs, PostgreSQL stopped and started under load, and the attachment store's
// disk filling up. It has tests only; TestMain builds the binary once with `go build`.
package faulttest
