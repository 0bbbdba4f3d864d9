package pdfdoc

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

func picture(t *testing.T, encode func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{R: uint8(200 * (y / 10)), G: 180, B: 90, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Images are drawn (a GIF redrawn as PNG), an unreadable one is refused without spoiling
// the document, and pages are numbered.
func TestImagesAndPageNumbers(t *testing.T) {
	d := New("Pictures", "MaintainUK")
	d.NumberPages()
	d.Heading("Photos")
	for name, data := range map[string][]byte{
		"jpeg": picture(t, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) }),
		"png":  picture(t, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) }),
		"gif":  picture(t, func(b *bytes.Buffer, i image.Image) error { return gif.Encode(b, i, nil) }),
	} {
		if err := d.Image(name, data, 5, 120, 100); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := d.Image("broken", []byte("\xff\xd8\xff not really a jpeg"), 0, 120, 100); err == nil {
		t.Error("a broken image was drawn")
	}
	d.Para(10, "", "After the pictures.")
	d.PDF.SetCompression(false)
	out, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out, []byte("/Subtype /Image")); n != 3 {
		t.Errorf("%d images embedded, want 3", n)
	}
	if !bytes.Contains(out, []byte("(Page 1 of 1)")) || !bytes.Contains(out, []byte("(After the pictures.)")) {
		t.Error("no page number, or the text after the images is missing")
	}
}
