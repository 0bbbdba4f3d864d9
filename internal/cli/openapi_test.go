package cli

import (
	"encoding/json"
	"testing"
)

// `maintainuk openapi` prints the served document, every route included, with BASE_URL
// (or its default) as the server, without a database: `make lint` lints this output.
func TestOpenAPICommand(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{"https://maintain.example.co.uk/": "https://maintain.example.co.uk", "": "http://localhost:8080"} {
		code, stdout, stderr := run(t, map[string]string{"BASE_URL": base}, "openapi")
		if code != 0 {
			t.Fatalf("openapi: exit %d: %s", code, stderr)
		}
		var doc struct {
			OpenAPI string                     `json:"openapi"`
			Servers []struct{ URL string }     `json:"servers"`
			Paths   map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("openapi output is not JSON: %v", err)
		}
		if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != want {
			t.Errorf("BASE_URL %q: openapi %q, servers %+v, want %s", base, doc.OpenAPI, doc.Servers, want)
		}
		for _, p := range []string{"/api/v1/tickets", "/api/v1/webhooks", "/health/ready"} {
			if doc.Paths[p] == nil {
				t.Errorf("BASE_URL %q: the document lacks %s", base, p)
			}
		}
	}
}
