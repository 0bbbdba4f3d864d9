package httpapi

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/validate"
)

// checkText refuses, with 422 naming the field, any operation input holding text that is
// not valid UTF-8 or has control characters (NUL among them, which PostgreSQL cannot
// store): every declared path and query parameter and every string of a JSON body.
// Newline and tab pass here (they belong in descriptions and comments); the domain's
// validate.Text refuses them in single-line fields. Multipart forms are checked by
// checkMultipartText once parsed.
func (s *Server) checkText(hctx huma.Context, next func(huma.Context)) {
	op := hctx.Operation()
	var f apperr.Fields
	u := hctx.URL()
	query := u.Query()
	for _, p := range op.Parameters {
		switch p.In {
		case "path":
			if err := validate.Controls(hctx.Param(p.Name), false); err != nil {
				f.Add(p.Name, err.Error())
			}
		case "query":
			for _, v := range query[p.Name] {
				if err := validate.Controls(v, false); err != nil {
					f.Add(p.Name, err.Error())
					break
				}
			}
		}
	}
	if op.RequestBody != nil && isJSON(hctx.Header("Content-Type")) {
		if problems, ok := s.jsonBodyText(hctx, op); ok {
			f = append(f, problems...)
		}
	}
	if err := f.Err(); err != nil {
		_ = huma.WriteErr(s.api, hctx, http.StatusUnprocessableEntity, "", err)
		return
	}
	next(hctx)
}

// jsonBodyText reads the body (up to the operation's limit, leaving it for huma to read
// again) and walks its strings; ok is false when the body is too large to check here,
// which huma then refuses with 413.
func (s *Server) jsonBodyText(hctx huma.Context, op *huma.Operation) (apperr.Fields, bool) {
	r, _ := humago.Unwrap(hctx)
	if r.Body == nil || r.Body == http.NoBody {
		return nil, false
	}
	limit := op.MaxBodyBytes
	if limit <= 0 {
		limit = 1 << 20 // huma's default
	}
	// Sized from Content-Length when it is declared (and within the limit), so the body
	// is read into one allocation instead of io.ReadAll's growing chunks.
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	body := buf.Bytes()
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), rest), rest}
	if err != nil || int64(len(body)) > limit {
		return nil, false
	}
	return validate.JSONText(body), true
}

// isJSON reports whether a request's Content-Type is JSON (or absent, which huma reads as JSON).
func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// checkMultipartText is checkText for a multipart form, after limitMultipart parsed it:
// each text field and each file's name.
func (s *Server) checkMultipartText(hctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(hctx)
	var f apperr.Fields
	if form := r.MultipartForm; form != nil {
		for _, name := range slices.Sorted(maps.Keys(form.Value)) {
			for _, v := range form.Value[name] {
				if err := validate.Controls(v, true); err != nil {
					f.Add(name, err.Error())
					break
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(form.File)) {
			for _, fh := range form.File[name] {
				if err := validate.Controls(fh.Filename, false); err != nil {
					f.Add(name, "file name "+err.Error())
					break
				}
			}
		}
	}
	if err := f.Err(); err != nil {
		_ = huma.WriteErr(s.api, hctx, http.StatusUnprocessableEntity, "", err)
		return
	}
	next(hctx)
}
