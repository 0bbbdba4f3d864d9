package testsupport

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"
)

var pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

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
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				data = b
				inflated++
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

// CP1252 is s as fpdf's core fonts write it: "£" is the single byte 0xA3.
func CP1252(s string) string { return strings.ReplaceAll(s, "£", "\xa3") }
