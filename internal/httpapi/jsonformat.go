package httpapi

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/danielgtaylor/huma/v2"
	fastjson "github.com/segmentio/encoding/json"
)

// jsonFormat is huma's JSON format with a faster encoder for answers: encoding/json was
// 18% of the server's CPU on the ticket list, and segmentio's encoder (same struct tags,
// same output) takes half the time and a quarter fewer allocations for a page of tickets
// (docs/benchmarks.md). Requests are still decoded by encoding/json, whose errors the
// validation relies on. The package's tests compare every answer they see, byte for
// byte, with encoding/json's (answerEncodingCheck).
var jsonFormat = huma.Format{
	Marshal: func(w io.Writer, v any) error {
		if answerEncodingCheck != nil {
			var buf bytes.Buffer
			if err := encodeAnswer(&buf, v); err != nil {
				return err
			}
			answerEncodingCheck(v, buf.Bytes())
			_, err := w.Write(buf.Bytes())
			return err
		}
		return encodeAnswer(w, v)
	},
	Unmarshal: json.Unmarshal,
}

func encodeAnswer(w io.Writer, v any) error {
	enc := fastjson.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// answerEncodingCheck, set only by the package's tests, sees each answer and the bytes
// jsonFormat encoded it to.
var answerEncodingCheck func(v any, encoded []byte)
