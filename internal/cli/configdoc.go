package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/maintainuk/maintainuk/internal/config"
)

// configDoc writes docs/configuration.md from the options table, so the reference cannot
// drift from the code (`make generate`; `make check-generated` fails when it has).
func configDoc(out io.Writer) {
	fmt.Fprint(out, `# Configuration

MaintainUK reads its configuration from environment variables only. An invalid value stops
start-up with a message naming the variable (secret values are never printed).
This file is generated from `+"`internal/config/config.go`"+` by `+"`make generate`"+`.

| Variable | Default | Description |
| --- | --- | --- |
`)
	for _, o := range config.Options() {
		def := "`" + o.Default + "`"
		if o.Default == "" {
			def = "(empty)"
		}
		desc := strings.ReplaceAll(o.Description, "|", "\\|")
		if o.Secret {
			desc += " **Secret.**"
		}
		fmt.Fprintf(out, "| `%s` | %s | %s |\n", o.Name, def, desc)
	}
	fmt.Fprint(out, `
Tests read `+"`TEST_DATABASE_URL`"+`, a superuser connection to a PostgreSQL 15+ server the tests
may create databases and roles in. `+"`make test`"+` starts a throwaway cluster and sets it, unless
you give one: `+"`make test TEST_DATABASE_URL=postgres://…`"+` runs the suite against that server.
`)
}
