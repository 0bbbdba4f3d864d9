// Package validate normalises and checks the UK-specific and contact inputs the domain
// accepts: email addresses, UK postcodes and phone numbers (E.164, UK by default).
package validate

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Email trims and lower-cases an address and checks it is a single plain address.
func Email(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("is required")
	}
	if err := Controls(s, false); err != nil {
		return "", err
	}
	if len(s) > 254 {
		return "", errors.New("must be at most 254 characters")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", errors.New("must be an email address like name@example.co.uk")
	}
	at := strings.LastIndexByte(s, '@')
	if !strings.Contains(s[at+1:], ".") {
		return "", errors.New("must be an email address like name@example.co.uk")
	}
	return s, nil
}

// The Royal Mail postcode format (outward code, space, inward code), including GIR 0AA.
var postcodeRE = regexp.MustCompile(`^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW])[0-9][ABD-HJLNP-UW-Z]{2})$`)

// Postcode normalises a UK postcode to upper case with one space ("sw1a1aa" → "SW1A 1AA").
func Postcode(s string) (string, error) {
	compact := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if compact == "" {
		return "", errors.New("is required")
	}
	if !postcodeRE.MatchString(compact) {
		return "", errors.New("must be a UK postcode like SW1A 1AA")
	}
	return compact[:len(compact)-3] + " " + compact[len(compact)-3:], nil
}

// Phone parses a phone number, UK when it has no country code, and returns it in E.164
// ("07911 123456" → "+447911123456").
func Phone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("is required")
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		// phonenumbers would read letters as keypad digits ("0800 FLOWERS").
		return "", errors.New("must be a valid phone number, e.g. 07911 123456 or +44 7911 123456")
	}
	n, err := phonenumbers.Parse(s, "GB")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", errors.New("must be a valid phone number, e.g. 07911 123456 or +44 7911 123456")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Text trims s and checks it is one line of text (no control characters at all, not
// even newline or tab) whose length in characters is within [min, max].
func Text(s string, min, max int) (string, error) {
	if err := Controls(s, false); err != nil {
		return "", err
	}
	return length(strings.TrimSpace(s), min, max)
}

// LongText is Text for free text such as descriptions, comments and notes: newlines
// (LF, CR) and tabs are kept; every other control character is refused.
func LongText(s string, min, max int) (string, error) {
	if err := Controls(s, true); err != nil {
		return "", err
	}
	return length(strings.TrimSpace(s), min, max)
}

// Controls refuses text that is not valid UTF-8 or holds a control character (C0,
// DEL, C1: NUL among them, which PostgreSQL cannot store); multiline allows newline
// (LF and CR) and tab. The message is safe to show a client.
func Controls(s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8 text")
	}
	for _, r := range s {
		if !unicode.IsControl(r) {
			continue
		}
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if r == '\n' || r == '\r' || r == '\t' {
			return errors.New("must be a single line without tabs")
		}
		return fmt.Errorf("must not contain control characters (found U+%04X)", r)
	}
	return nil
}

func length(s string, min, max int) (string, error) {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		return "", errors.New("is required")
	case n < min:
		return "", errors.New("is too short")
	case n > max:
		return "", fmt.Errorf("must be at most %d characters", max)
	}
	return s, nil
}
