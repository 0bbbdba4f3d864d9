package validate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/maintainuk/maintainuk/internal/apperr"
)

// maxTextProblems bounds the field errors one request can produce.
const maxTextProblems = 20

// JSONText walks every string (and property name) of a JSON document and names, by JSON
// path ("title", "address.postcode", "lines[0].description"), each one Controls refuses.
// Newline and tab are allowed here, since the walk cannot tell a comment from a title:
// the domain's Text refuses them in single-line fields. A document that is not JSON
// yields no problems; decoding it is the caller's job.
func JSONText(data []byte) apperr.Fields {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil
	}
	var f apperr.Fields
	walkJSON(doc, "", &f)
	return f
}

func walkJSON(v any, path string, f *apperr.Fields) {
	if len(*f) >= maxTextProblems {
		return
	}
	switch v := v.(type) {
	case string:
		if err := Controls(v, true); err != nil {
			f.Add(fieldOrBody(path), err.Error())
		}
	case []any:
		for i, e := range v {
			walkJSON(e, path+"["+strconv.Itoa(i)+"]", f)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := Controls(k, false); err != nil {
				f.Add(fieldOrBody(path), "property names "+err.Error())
				continue
			}
			child := k
			if path != "" {
				child = path + "." + k
			}
			walkJSON(v[k], child, f)
		}
	}
}

func fieldOrBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
