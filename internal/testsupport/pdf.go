package testsupport

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
)

// pdfStream captures a stream's data. fpdf ends the data with "\nendstream"; a carriage
// return before it may be the compressed data's own last byte, so it is captured apart and
// tried both ways (dropping it truncated one stream in 256 and failed tests at random).
var pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)(\r?)\nendstream`)

// PDFText returns the text-bearing content of a PDF: its streams, with the FlateDecode
// ones inflated (fpdf compresses page content) and PDF string escapes for parentheses and
// backslashes undone. It fails the test for something that is not a readable PDF.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", pdf)
	}
	var out strings.Builder
	inflated := 0
	for _, m := range pdfStream.FindAllSubmatch(pdf, -1) {
		data := m[1]
		candidates := [][]byte{m[1]}
		if len(m[2]) > 0 {
			candidates = append(candidates, append(append([]byte{}, m[1]...), m[2]...))
		}
		for _, c := range candidates {
			if b, ok := inflate(c); ok {
				data = b
				inflated++
				break
			}
		}
		out.Write(data)
		out.WriteByte('\n')
	}
	if inflated == 0 && !bytes.Contains(pdf, []byte("BT")) {
		t.Fatalf("no readable content stream in the PDF")
	}
	return strings.NewReplacer(`\(`, `(`, `\)`, `)`, `\\`, `\`).Replace(out.String())
}

// inflate is data FlateDecoded, when it is a whole zlib stream.
func inflate(data []byte) ([]byte, bool) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	b, err := io.ReadAll(zr)
	return b, err == nil
}

// CP1252 is s as fpdf's core fonts write it: "£" is the single byte 0xA3.
func CP1252(s string) string { return strings.ReplaceAll(s, "£", "\xa3") }
