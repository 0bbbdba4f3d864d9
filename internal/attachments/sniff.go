package attachments

import "bytes"

// Sniff returns the content type of a file from its first bytes, or "" when it is not
// one we accept. The declared Content-Type and the file name are never trusted: a
// script named photo.jpg does not pass.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}):
		return "image/png"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && heifBrands[string(head[8:12])]:
		return "image/heic"
	}
	return ""
}

// heifBrands are the ISO base media "major brands" of HEIC/HEIF photos (iPhones).
var heifBrands = map[string]bool{
	"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true, "heis": true, "mif1": true, "msf1": true,
}
