package cli

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/maintainuk/maintainuk/internal/config"
	"github.com/maintainuk/maintainuk/internal/httpapi"
)

// openAPI writes the OpenAPI 3.1 document the server answers at /openapi.json, with
// BASE_URL as its server, without a database (`make lint` checks it with Redocly).
func openAPI(env Env, out io.Writer) error {
	baseURL := env.Getenv("BASE_URL")
	if baseURL == "" {
		for _, o := range config.Options() {
			if o.Name == "BASE_URL" {
				baseURL = o.Default
			}
		}
	}
	deps := httpapi.Deps{BaseURL: strings.TrimRight(baseURL, "/")}
	doc, err := json.MarshalIndent(httpapi.New(deps).OpenAPI(), "", "  ")
	if err != nil {
		return err
	}
	_, err = out.Write(append(doc, '\n'))
	return err
}
