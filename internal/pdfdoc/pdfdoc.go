// Package pdfdoc draws the parts MaintainUK's PDF documents share (invoices, usage
// statements) on an fpdf page: labelled fields, a table of figures and its totals, in the
// core Helvetica font with text translated to cp1252 (for "£" and accents).
package pdfdoc

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"

	"github.com/maintainuk/maintainuk/internal/money"
)

// Doc is one A4 document being drawn.
type Doc struct {
	PDF *fpdf.Fpdf
	tr  func(string) string
}

// New starts a document with its title (shown as the heading and in the metadata) and
// author.
func New(title, author string) *Doc {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("MaintainUK", true)
	d := &Doc{PDF: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.Cell(0, 10, d.tr(title))
	pdf.Ln(12)
	return d
}

// T is s as the core fonts write it.
func (d *Doc) T(s string) string { return d.tr(s) }

// Field is a bold label and its value on one line.
func (d *Doc) Field(label, value string) {
	d.PDF.SetFont("Helvetica", "B", 10)
	d.PDF.CellFormat(40, 6, d.tr(label), "", 0, "", false, 0, "")
	d.PDF.SetFont("Helvetica", "", 10)
	d.PDF.CellFormat(0, 6, d.tr(value), "", 1, "", false, 0, "")
}

// Table draws a header row and rows of cells; the first column is left-aligned and the
// others (figures) right-aligned.
func (d *Doc) Table(widths []float64, header []string, rows [][]string) {
	align := func(i int) string {
		if i == 0 {
			return "L"
		}
		return "R"
	}
	d.PDF.SetFont("Helvetica", "B", 9)
	d.PDF.SetFillColor(235, 235, 235)
	for i, h := range header {
		d.PDF.CellFormat(widths[i], 7, d.tr(h), "B", 0, align(i), true, 0, "")
	}
	d.PDF.Ln(-1)
	d.PDF.SetFont("Helvetica", "", 9)
	for _, row := range rows {
		for i, c := range row {
			d.PDF.CellFormat(widths[i], 6, d.tr(c), "", 0, align(i), false, 0, "")
		}
		d.PDF.Ln(-1)
	}
	d.PDF.Ln(4)
}

// Total is a labelled amount under a table, bold for the grand total.
func (d *Doc) Total(label string, pence int64, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	d.PDF.SetFont("Helvetica", style, 10)
	d.PDF.CellFormat(140, 6, d.tr(label), "", 0, "R", false, 0, "")
	d.PDF.CellFormat(50, 6, d.tr(money.Format(pence)), "", 1, "R", false, 0, "")
}

// Note is small print of any length.
func (d *Doc) Note(size float64, text string) {
	d.PDF.Ln(6)
	d.PDF.SetFont("Helvetica", "", size)
	d.PDF.MultiCell(0, size/2, d.tr(text), "", "", false)
}

// Bytes is the finished document.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.PDF.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return buf.Bytes(), nil
}
