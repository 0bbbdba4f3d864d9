package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/maintainuk/maintainuk/internal/access"
	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

// secHostile are texts an attacker types into a field: SQL metacharacters, a LIKE
// pattern, a right-to-left override, emoji, combining marks, NUL, and far too much.
var secHostile = map[string]string{
	"sql quote":      `Robert'); DROP TABLE tickets;--`,
	"sql tautology":  `' OR '1'='1' --`,
	"like pattern":   `%_\%`,
	"rtl override":   "invoice\u202efdp.exe",
	"emoji":          "Leak 🚿💧🔧",
	"combining":      "Z\u0351\u0360a\u0350l\u0362g\u0361o",
	"nul":            "a\x00b",
	"very long":      strings.Repeat("é", 100_000),
	"html":           `<script>alert(1)</script>`,
	"format strings": `%s%n%x{{.}}${7*7}`,
}

// secTextFields lists, from the document, the text fields of a JSON request body: every
// string property of its schema (nullable ones too) and every string in its example.
func secTextFields(doc map[string]any, op map[string]any, example map[string]any) []string {
	var out []string
	if schema := secSchemaOf(doc, op); schema != nil {
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			p, _ := p.(map[string]any)
			if p == nil {
				continue
			}
			switch ty := p["type"].(type) {
			case string:
				if ty == "string" {
					out = append(out, name)
				}
			case []any:
				if slices.Contains(ty, any("string")) {
					out = append(out, name)
				}
			}
		}
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out = append(out, prefix)
		case map[string]any:
			for k, e := range v {
				walk(strings.TrimPrefix(prefix+"."+k, "."), e)
			}
		case []any:
			if len(v) > 0 {
				walk(prefix+"[0]", v[0])
			}
		}
	}
	walk("", example)
	slices.Sort(out)
	return slices.Compact(out)
}

func secSchemaOf(doc map[string]any, op map[string]any) map[string]any {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	ref, _ := schema["$ref"].(string)
	if ref == "" {
		return schema
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	s, _ := schemas[path.Base(ref)].(map[string]any)
	return s
}

// secSet puts value at a field path of secTextFields ("lines[0].description").
func secSet(body map[string]any, field string, value string) {
	parts := strings.Split(strings.ReplaceAll(field, "[0]", ".[0]"), ".")
	var cur any = body
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = value
				return
			}
			cur = c[p]
		case []any:
			if len(c) == 0 {
				return
			}
			if last {
				c[0] = value
				return
			}
			cur = c[0]
		}
	}
}

// TestTextFieldsTakeHostileText sends every text field of every operation with a JSON
// body (found in the OpenAPI document) each of secHostile, inside the operation's
// example body, as a caller allowed to use it. No answer is a 5xx: each is a success or
// a refusal in the error envelope (400, 409, 413, 422; 401 or 404 for credentials and one-time tokens that match nothing; 429 where failures are limited); text that is accepted
// comes back exactly as sent; the database answers as before afterwards.
func TestTextFieldsTakeHostileText(t *testing.T) {
	t.Parallel()
	app := testsupport.NewApp(t, nil)
	var doc map[string]any
	if err := json.Unmarshal(app.Anonymous().With(t).Get("/openapi.json").Expect(http.StatusOK).Body, &doc); err != nil {
		t.Fatal(err)
	}
	ops := secOperations(t, app)
	w := secNewWorld(t, app)
	paths, _ := doc["paths"].(map[string]any)
	routes := slices.SortedFunc(func(yield func(route) bool) {
		for r := range ops {
			if !yield(r) {
				return
			}
		}
	}, func(a, b route) int { return strings.Compare(a.String(), b.String()) })
	sent, accepted := 0, 0
	for _, r := range routes {
		op := ops[r]
		example, ct := secExample(op)
		if ct != "application/json" || strings.HasPrefix(r.path, "/webhooks/") {
			continue // multipart: TestTextInputsMultipart; provider webhooks: signed
		}
		rule := secMatrix[r]
		caller := secCaller(access.Admin)
		if rule.public {
			caller = secAnonymous
		} else if !slices.Contains(rule.roles, access.Admin) {
			continue
		}
		item, _ := paths[r.path].(map[string]any)
		rawOp, _ := item[strings.ToLower(r.method)].(map[string]any)
		for _, field := range secTextFields(doc, rawOp, example) {
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range secHostile {
					if !yield(k) {
						return
					}
				}
			}) {
				value := secHostile[name]
				req := w.build(t, r, op, caller, false)
				body, ok := req.body.(map[string]any)
				if !ok {
					continue
				}
				secSet(body, field, value)
				resp := req.client.With(t).Do(r.method, req.path, body, req.headers...)
				sent++
				what := fmt.Sprintf("%s %s=%s", r, field, name)
				switch {
				case resp.Status >= 500:
					t.Errorf("%s: %d: %.300s", what, resp.Status, resp.Body)
				case resp.Status < 300:
					accepted++
					secSameText(t, what, resp.Body, field, value)
				case !slices.Contains([]int{400, 401, 404, 409, 413, 422, 429}, resp.Status):
					t.Errorf("%s: %d: %.300s", what, resp.Status, resp.Body)
				default:
					if f := resp.Failure(); f.Code == "" || f.Message == "" {
						t.Errorf("%s: %d without the error envelope: %.300s", what, resp.Status, resp.Body)
					}
				}
			}
		}
	}
	if sent < 300 {
		t.Fatalf("only %d requests: the walk over the document is broken", sent)
	}
	t.Logf("%d requests, %d accepted", sent, accepted)
	// The tables are all still there and answer.
	for _, p := range []string{"/api/v1/tickets", "/api/v1/properties", "/api/v1/contractors", "/api/v1/members"} {
		w.a.Admin.With(t).Get(p).Expect(http.StatusOK)
	}
	testsupport.GetTicket(t, w.a.Admin, w.ids["ticket"])
}

// secSameText: where an accepted answer shows the field at the top of its data, it holds
// exactly the text sent (not run, not cut, not re-encoded).
func secSameText(t *testing.T, what string, raw []byte, field, value string) {
	t.Helper()
	if strings.ContainsAny(field, ".[") {
		return
	}
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &env) != nil || env.Data[field] == nil {
		return
	}
	var got string
	if json.Unmarshal(env.Data[field], &got) != nil {
		return
	}
	if got != value && !strings.EqualFold(got, value) {
		t.Errorf("%s: accepted as %q", what, got)
	}
}

// TestAttachmentNamesCannotTraverse uploads photos whose names try to leave the store or
// name another file: what is stored is named by the organisation and the content's
// hash only, and the recorded name is a bare file name (no separator, no "..").
func TestAttachmentNamesCannotTraverse(t *testing.T) {
	t.Parallel()
	app, dataDir := atNewApp(t, nil)
	e := app.NewEstate(t, "Traversal Lettings", testsupport.EstateOptions{})
	ticket := testsupport.CreateTicket(t, e.Admin, map[string]any{"unitId": e.UnitID, "title": "Names"}).ID
	stored := regexp.MustCompile(`^` + e.OrgID.String() + `/[0-9a-f]{2}/[0-9a-f]{64}$`)
	for i, name := range []string{
		"../../etc/passwd", "../../../../../../tmp/evil.png", `..\..\windows\win.ini`, "/etc/passwd", `C:\Windows\evil.png`,
		"..", ".", "./.hidden.png", "photo.png/../../x", "a\x00.png", "%2e%2e%2fetc%2fpasswd", "\u202egnp.exe", strings.Repeat("../", 300) + "x.png",
	} {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			r := atUpload(t, e.Admin, ticket, name, "image/png", atPNG(fmt.Sprintf("traversal-%d", i)))
			if r.Status == http.StatusUnprocessableEntity || r.Status == http.StatusBadRequest {
				testsupport.ExpectFailure(t, r, r.Status, apperr.Code(r.Failure().Code))
				return
			}
			var a struct {
				ID       string `json:"id"`
				Filename string `json:"filename"`
			}
			testsupport.ExpectOK(t, r, http.StatusCreated, &a)
			if strings.ContainsAny(a.Filename, `/\`+"\x00") || strings.Contains(a.Filename, "..") || a.Filename == "" {
				t.Fatalf("%q recorded as %q", name, a.Filename)
			}
			d := e.Admin.With(t).Get("/api/v1/attachments/" + a.ID).Expect(http.StatusOK)
			if cd := d.Header.Get("Content-Disposition"); strings.ContainsAny(cd, `/\`) || strings.Contains(cd, "..") {
				t.Fatalf("%q downloads as %q", name, cd)
			}
		})
	}
	for _, s := range atStored(t, dataDir) {
		if !stored.MatchString(s) {
			t.Errorf("stored as %s", s)
		}
	}
}
