package testsupport

import (
	"bytes"
	"compress/zlib"
	"strings"
	"testing"
)

// A compressed stream whose last byte is a carriage return still reads.
func TestPDFTextStreamEndingInCR(t *testing.T) {
	found := 0
	for i := 0; i < 5000 && found < 3; i++ {
		text := "BT (Hello " + strings.Repeat("x", i%97) + string(rune('a'+i%26)) + ") Tj ET " + strings.Repeat("y", i)
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write([]byte(text))
		w.Close()
		if z.Bytes()[z.Len()-1] != '\r' {
			continue
		}
		found++
		pdf := append([]byte("%PDF-1.3\n1 0 obj <</Filter /FlateDecode>>\nstream\n"), z.Bytes()...)
		pdf = append(pdf, []byte("\nendstream\nendobj\n")...)
		if got := PDFText(t, pdf); !strings.Contains(got, "Hello") {
			t.Fatalf("text lost: %.40q", got)
		}
	}
	if found == 0 {
		t.Skip("no compressed text ended in a carriage return")
	}
}
