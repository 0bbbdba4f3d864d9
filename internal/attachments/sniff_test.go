package attachments_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/maintainuk/maintainuk/internal/apperr"
	"github.com/maintainuk/maintainuk/internal/attachments"
)

// isoBox is the start of an ISO base media file: a box size, "ftyp" and a major brand.
func isoBox(brand string) []byte {
	b := append([]byte{0, 0, 0, 0x18}, "ftyp"+brand...)
	return append(b, 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c')
}

func TestSniff(t *testing.T) {
	t.Parallel()
	pngSig := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
	cases := []struct {
		name string
		head []byte
		want string
	}{
		// Accepted.
		{"JPEG JFIF", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, "image/jpeg"},
		{"JPEG Exif", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34, 'E', 'x', 'i', 'f', 0, 0}, "image/jpeg"},
		{"JPEG bare marker", []byte{0xFF, 0xD8, 0xFF}, "image/jpeg"},
		{"PNG", append(append([]byte{}, pngSig...), 0, 0, 0, 13, 'I', 'H', 'D', 'R'), "image/png"},
		{"PNG signature only", pngSig, "image/png"},
		{"PDF 1.7", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "application/pdf"},
		{"PDF 2.0", []byte("%PDF-2.0\n"), "application/pdf"},
		{"HEIC heic", isoBox("heic"), "image/heic"},
		{"HEIC heix", isoBox("heix"), "image/heic"},
		{"HEIC hevc", isoBox("hevc"), "image/heic"},
		{"HEIF mif1", isoBox("mif1"), "image/heic"},
		{"HEIF msf1", isoBox("msf1"), "image/heic"},
		{"HEIC any box size", append([]byte{0, 0, 0x01, 0x00}, "ftypheic"...), "image/heic"},

		// Refused.
		{"empty", nil, ""},
		{"JPEG truncated marker", []byte{0xFF, 0xD8}, ""},
		{"PNG signature truncated", pngSig[:7], ""},
		{"PNG signature corrupted (CRLF translated)", []byte{0x89, 'P', 'N', 'G', '\n', 0x1A, '\n', 0}, ""},
		{"PDF without version dash", []byte("%PDF1.7"), ""},
		{"PDF after leading junk", []byte("  %PDF-1.7"), ""},
		{"PDF lower case", []byte("%pdf-1.7"), ""},
		{"GIF87a", []byte("GIF87a\x01\x00\x01\x00"), ""},
		{"GIF89a", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ""},
		{"SVG with XML prolog", []byte(`<?xml version="1.0"?><svg/>`), ""},
		{"HTML", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), ""},
		{"HTML with BOM", []byte("\xEF\xBB\xBF<html>"), ""},
		{"Windows executable", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"ELF executable", []byte("\x7FELF\x02\x01\x01\x00"), ""},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), ""},
		{"ZIP (docx)", []byte("PK\x03\x04\x14\x00\x06\x00"), ""},
		{"WebP", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), ""},
		{"BMP", []byte("BM\x3A\x00\x00\x00"), ""},
		{"TIFF", []byte("II*\x00\x08\x00\x00\x00"), ""},
		{"MP4 isom", isoBox("isom"), ""},
		{"QuickTime", isoBox("qt  "), ""},
		{"AVIF", isoBox("avif"), ""},
		{"ftyp too short for a brand", []byte("\x00\x00\x00\x18ftyphei"), ""},
		{"ftyp at the wrong offset", append([]byte{0, 0, 0, 0x18, 0}, "ftypheic"...), ""},
		{"plain text", []byte("just some words"), ""},
		{"JPEG marker later in the file", append([]byte("hello"), 0xFF, 0xD8, 0xFF), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := attachments.Sniff(tc.head); got != tc.want {
				t.Fatalf("Sniff(% x) = %q, want %q", tc.head, got, tc.want)
			}
			// The verdict rests on the first bytes: what follows never changes it.
			if tc.want != "" {
				longer := append(append([]byte{}, tc.head...), bytes.Repeat([]byte("<script>"), 100)...)
				if got := attachments.Sniff(longer); got != tc.want {
					t.Fatalf("Sniff with a tail = %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 2000)...)
	cases := []struct {
		name   string
		data   []byte
		size   int64 // the size the form declares; -1 for len(data)
		status apperr.Code
	}{
		{"jpeg", jpeg, -1, ""},
		{"tiny pdf", []byte("%PDF-"), -1, ""},
		{"exactly 10 MB", jpeg, attachments.MaxBytes, ""},
		{"over 10 MB", jpeg, attachments.MaxBytes + 1, apperr.TooLarge},
		{"empty", nil, -1, apperr.Invalid},
		{"html", []byte("<html><script>alert(1)</script>"), -1, apperr.UnsupportedType},
		{"gif", []byte("GIF89a...."), -1, apperr.UnsupportedType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			size := tc.size
			if size < 0 {
				size = int64(len(tc.data))
			}
			err := attachments.Check("photos", bytes.NewReader(tc.data), size)
			if tc.status == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if apperr.CodeOf(err) != tc.status {
				t.Fatalf("error %v, want code %s", err, tc.status)
			}
			var ae *apperr.Error
			if tc.status == apperr.Invalid && (!errors.As(err, &ae) || len(ae.Fields) != 1 || ae.Fields[0].Field != "photos") {
				t.Fatalf("error %v, want a field error on photos", err)
			}
		})
	}
}
