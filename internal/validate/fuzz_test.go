package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzText checks what Text and LongText let through: valid UTF-8, trimmed, within
// the length bounds, and free of control characters (LongText: newline and tab only).
// make test runs it briefly; `go test -fuzz=FuzzText ./internal/validate/` runs it longer.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "Leaking tap", " padded ", "a\x00b", "line\nline", "tab\there", "esc\x1b[31m",
		"del\x7f", "c1\u0085", "bad\xffutf8", "crlf\r\n", "ok", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, long := range []bool{false, true} {
			check := Text
			if long {
				check = LongText
			}
			got, err := check(s, 1, 200)
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("empty message for %q", s)
				}
				continue
			}
			if !utf8.ValidString(got) {
				t.Fatalf("long=%v: %q accepted as %q, not UTF-8", long, s, got)
			}
			if got != strings.TrimSpace(got) {
				t.Fatalf("long=%v: %q not trimmed: %q", long, s, got)
			}
			if n := utf8.RuneCountInString(got); n < 1 || n > 200 {
				t.Fatalf("long=%v: %q accepted with %d characters", long, s, n)
			}
			for _, r := range got {
				if unicode.IsControl(r) && !(long && (r == '\n' || r == '\r' || r == '\t')) {
					t.Fatalf("long=%v: %q accepted with control character %U", long, s, r)
				}
			}
			if Controls(got, long) != nil {
				t.Fatalf("long=%v: accepted %q fails Controls", long, got)
			}
		}
	})
}

// FuzzJSONText checks that the request-body walk never panics and that a document it
// passes holds no string with a control character other than newline and tab.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`{"title":"Leak"}`, `{"title":"a\u0000b"}`, `{"lines":[{"description":"x\u001b"}]}`,
		`{"a\u0000":1}`, `["\u007f"]`, `"\u0085"`, `{"q":"\ud800"}`, `not json`, `{"n":1.5e300,"b":true,"z":null}`,
		`{"a\nb":1}`, `{"k" :"x"}`, `{"k\t" : "x"}`, `{"d":"line\nline\u000d\u0009"}`, `{"e":"\ud83d\ude00"}`, `{"e":"\ude00\ud83d"}`,
		"{\"raw\":\"é\u0085\"}", `{"x":"\b\f"}`, `{"a":"b"} "\u0000"`, `{"a":"b`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		problems := JSONText(data)
		if stringsCertainlyClean(data) {
			if walked := walkJSONText(data); len(walked) > 0 {
				t.Fatalf("%q: the fast path passed what the walk refuses: %+v", data, walked)
			}
		}
		for _, p := range problems {
			if p.Field == "" || p.Message == "" {
				t.Fatalf("%q: unnamed problem %+v", data, p)
			}
		}
		if len(problems) > 0 {
			return
		}
		var doc any
		if err := jsonUnmarshal(data, &doc); err != nil {
			return
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if Controls(v, true) != nil {
					t.Fatalf("%q: passed with %q", data, v)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					if Controls(k, false) != nil {
						t.Fatalf("%q: passed with key %q", data, k)
					}
					walk(e)
				}
			}
		}
		walk(doc)
	})
}

func jsonUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
