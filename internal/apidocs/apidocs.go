// Package apidocs serves the API reference page (/docs) from files embedded in the binary:
// Stoplight Elements renders the OpenAPI document without fetching anything from another
// origin, so the page works offline. See README.md for the vendored version and licence.
package apidocs

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets/web-components.min.js assets/styles.min.css assets/LICENSE assets/web-components.min.js.LICENSE.txt
var assets embed.FS

// AssetsPath is where the embedded files are served; the page refers to them there.
const AssetsPath = "/docs/assets/"

// CSP is the page's Content-Security-Policy: everything from this origin only. Elements
// (React with CSS-in-JS) writes <style> elements at run time, hence 'unsafe-inline' for
// styles alone; scripts are only the embedded file.
var CSP = strings.Join([]string{
	"default-src 'none'",
	"base-uri 'none'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data:",
	"font-src 'self'",
	"connect-src 'self'",
	"form-action 'none'",
	"frame-ancestors 'none'",
}, "; ")

var page = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Assets}}styles.min.css">
<script src="{{.Assets}}web-components.min.js"></script>
</head>
<body>
<elements-api apiDescriptionUrl="{{.Document}}" router="hash" layout="sidebar" tryItCredentialsPolicy="same-origin"></elements-api>
</body>
</html>
`))

// Page answers the reference page for the document at documentPath (e.g. /openapi.json).
func Page(title, documentPath string) http.Handler {
	var b strings.Builder
	if err := page.Execute(&b, map[string]string{"Title": title, "Assets": AssetsPath, "Document": documentPath}); err != nil {
		panic(err) // a fixed template with string values
	}
	body := []byte(b.String())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}

// Assets serves the embedded files under AssetsPath.
func Assets() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix(AssetsPath, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == AssetsPath { // no directory listing
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
