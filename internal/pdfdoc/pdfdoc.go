// Package pdfdoc draws the parts MaintainUK's PDF documents share (invoices, usage
// statements, evidence exports) on an fpdf page: labelled fields, headings, paragraphs,
// images, a table of figures and its totals, and page numbers, in the core Helvetica font
// with text translated to cp1252 (for "£" and accents).
package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoded to be redrawn as PNG
	_ "image/jpeg"
	"image/png"

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

// NumberPages writes "Page n of m" at the foot of every page.
func (d *Doc) NumberPages() {
	d.PDF.AliasNbPages("{nb}")
	d.PDF.SetFooterFunc(func() {
		d.PDF.SetY(-12)
		d.PDF.SetFont("Helvetica", "", 8)
		d.PDF.CellFormat(0, 6, fmt.Sprintf("Page %d of {nb}", d.PDF.PageNo()), "", 0, "C", false, 0, "")
	})
}

// Heading starts a section: bold, with space above, on a new page when too little of this
// one is left for it and a few lines under it.
func (d *Doc) Heading(text string) {
	d.room(30)
	d.PDF.Ln(4)
	d.PDF.SetFont("Helvetica", "B", 13)
	d.PDF.MultiCell(0, 7, d.tr(text), "", "L", false)
	d.PDF.Ln(1)
}

// Para is text of any length across the page, wrapped; style is "" or "B" (bold) or "I".
func (d *Doc) Para(size float64, style, text string) {
	d.PDF.SetFont("Helvetica", style, size)
	d.PDF.MultiCell(0, size/2, d.tr(text), "", "L", false)
}

// Indented is Para indented from the left margin by indent mm.
func (d *Doc) Indented(indent, size float64, style, text string) {
	left, _, _, _ := d.PDF.GetMargins()
	d.PDF.SetX(left + indent)
	d.PDF.SetFont("Helvetica", style, size)
	d.PDF.MultiCell(0, size/2, d.tr(text), "", "L", false)
}

// WrappedField is Field whose value may run over several lines.
func (d *Doc) WrappedField(label, value string) {
	d.PDF.SetFont("Helvetica", "B", 10)
	d.PDF.CellFormat(40, 6, d.tr(label), "", 0, "", false, 0, "")
	d.PDF.SetFont("Helvetica", "", 10)
	d.PDF.MultiCell(0, 6, d.tr(value), "", "L", false)
}

// Image draws a JPEG, PNG or GIF (data) at the left margin plus indent, scaled to fit
// within maxW by maxH mm and keeping its shape, on a new page when this one has no room
// for it. An image fpdf cannot embed as it is (an interlaced or 16-bit PNG, a GIF) is
// decoded and drawn from a PNG of its pixels; one that cannot be read at all answers an
// error and leaves the document as it was.
func (d *Doc) Image(name string, data []byte, indent, maxW, maxH float64) error {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("pdfdoc: image %s: %w", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("pdfdoc: image %s has no pixels", name)
	}
	if d.PDF.Err() {
		return d.PDF.Error()
	}
	opts := fpdf.ImageOptions{ImageType: format}
	info := d.PDF.RegisterImageOptionsReader(name, opts, bytes.NewReader(data))
	if d.PDF.Err() || info == nil {
		d.PDF.ClearError()
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("pdfdoc: image %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return fmt.Errorf("pdfdoc: image %s: %w", name, err)
		}
		opts.ImageType = "png"
		info = d.PDF.RegisterImageOptionsReader(name+"#redrawn", opts, &buf)
		if d.PDF.Err() || info == nil {
			err := d.PDF.Error()
			d.PDF.ClearError()
			return errors.Join(fmt.Errorf("pdfdoc: image %s cannot be drawn", name), err)
		}
		name += "#redrawn"
	}
	w, h := float64(cfg.Width), float64(cfg.Height)
	scale := min(maxW/w, maxH/h)
	w, h = w*scale, h*scale
	d.room(h + 2)
	left, _, _, _ := d.PDF.GetMargins()
	d.PDF.ImageOptions(name, left+indent, d.PDF.GetY(), w, h, true, opts, 0, "")
	d.PDF.Ln(2)
	return nil
}

// room starts a new page unless h mm are left above the bottom margin.
func (d *Doc) room(h float64) {
	_, pageH := d.PDF.GetPageSize()
	_, bottom := d.PDF.GetAutoPageBreak()
	if d.PDF.GetY()+h > pageH-bottom {
		d.PDF.AddPage()
	}
}

// Bytes is the finished document.
func (d *Doc) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.PDF.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdfdoc: %w", err)
	}
	return buf.Bytes(), nil
}
