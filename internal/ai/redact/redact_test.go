package redact

import (
	"strings"
	"testing"
)

func TestRedactKinds(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// Emails.
		{"email", "mail priya.sharma@example.com today", "mail [EMAIL_1] today"},
		{"email with plus", "j_o'neil+repairs@mail.example.co.uk.", "[EMAIL_1]."},
		{"not an email", "meet @ 5, see example.com", "meet @ 5, see example.com"},

		// Phones.
		{"mobile", "call 07700 900123 please", "call [PHONE_1] please"},
		{"mobile with dashes", "07700-900-123", "[PHONE_1]"},
		{"mobile run together", "07700900123", "[PHONE_1]"},
		{"+44 mobile", "ring +44 7700 900123", "ring [PHONE_1]"},
		{"+44 (0)", "+44 (0)7700 900123", "[PHONE_1]"},
		{"0044", "0044 20 7946 0000", "[PHONE_1]"},
		{"landline in brackets", "(0161) 496 0000", "[PHONE_1]"},
		{"London", "020 7946 0000", "[PHONE_1]"},
		{"03 number", "0300 123 4567", "[PHONE_1]"},
		{"10-digit 01 number", "016977 3456", "[PHONE_1]"},
		{"short 07", "07700 9001", "07700 9001"},
		{"mobile too long", "077009001234", "077009001234"},
		{"freephone kept", "0800 123 4567", "0800 123 4567"},
		{"10-digit mobile", "0770 090012", "0770 090012"},

		// Postcodes.
		{"postcode", "flat 3, SW1A 1AA", "flat 3, [POSTCODE_1]"},
		{"lower-case postcode", "m1 1ae", "[POSTCODE_1]"},
		{"postcode without space", "EC1A1BB.", "[POSTCODE_1]."},
		{"AA99 postcode", "DN55 1PT and B33 8TH", "[POSTCODE_1] and [POSTCODE_2]"},
		{"GIR", "GIR 0AA", "[POSTCODE_1]"},
		{"Q cannot start", "Q1 1AA", "Q1 1AA"},
		{"C not inward", "M1 1CA", "M1 1CA"},
		{"outward only", "in SW1A today", "in SW1A today"},
		{"inside a word", "XSW1A 1AAX", "XSW1A 1AAX"},

		// Cards.
		{"visa", "card 4111 1111 1111 1111 exp", "card [CARD_1] exp"},
		{"visa dashed", "4111-1111-1111-1111", "[CARD_1]"},
		{"visa run together", "4111111111111111", "[CARD_1]"},
		{"mastercard", "5555 5555 5555 4444", "[CARD_1]"},
		{"amex", "3782 822463 10005", "[CARD_1]"},
		{"card then year", "4111 1111 1111 1111 2025", "[CARD_1] 2025"},
		{"fails Luhn", "4111 1111 1111 1112", "4111 1111 1111 1112"},
		{"starts with 0", "0000 0000 0000 0000", "0000 0000 0000 0000"},
		{"two phones are not a card", "07700 900123 07700 900456", "[PHONE_1] [PHONE_2]"},

		// Sort codes.
		{"sort code dashed", "12-34-56", "[SORTCODE_1]"},
		{"sort code spaced", "40 47 84", "[SORTCODE_1]"},
		{"named sort code", "sort code 123456", "sort code [SORTCODE_1]"},
		{"named sort code with colon", "Sort-code: 40-47-84", "Sort-code: [SORTCODE_1]"},
		{"date kept", "since 03-12-26", "since 03-12-26"},
		{"named date-like sort code", "sortcode 03-12-26", "sortcode [SORTCODE_1]"},
		{"part of a longer run", "12-34-56-78", "12-34-56-78"},

		// Account numbers.
		{"account", "account 12345678", "account [ACCOUNT_1]"},
		{"a/c split", "a/c no. 1234 5678", "a/c no. [ACCOUNT_1]"},
		{"acc", "acc: 87654321", "acc: [ACCOUNT_1]"},
		{"bare account", "paid from 87654321 on Monday", "paid from [ACCOUNT_1] on Monday"},
		{"sort code and account", "sort code 40-47-84 account 12345678", "sort code [SORTCODE_1] account [ACCOUNT_1]"},
		{"seven digits", "1234567", "1234567"},
		{"nine digits", "123456789", "123456789"},
		{"reference", "MT-12345678", "MT-12345678"},

		// Ordinary numbers.
		{"pressure", "boiler at 2 bar, flat 3", "boiler at 2 bar, flat 3"},
		{"decimal", "0.5 bar then 1.5", "0.5 bar then 1.5"},
		{"year", "since March 2024", "since March 2024"},
		{"ticket", "re MT-000042", "re MT-000042"},
		{"price", "quoted £120 or £1,250.50", "quoted £120 or £1,250.50"},
		{"date", "on 03/12/2026 at 10:30", "on 03/12/2026 at 10:30"},
		{"long decimal", "3.12345678", "3.12345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			got := r.Redact(tt.in)
			if got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back := r.Restore(got); back != tt.in {
				t.Errorf("Restore = %q, want %q", back, tt.in)
			}
		})
	}
}

func TestRedactNames(t *testing.T) {
	names := []string{"Priya Sharma", "Mrs Jane O'Brien", "Will Rose", "Li Wu", "  ", "Bob"}
	tests := []struct {
		name, in, want string
	}{
		{"full name", "Priya Sharma reported it", "[NAME_1] reported it"},
		{"full name any case", "PRIYA  sharma called", "[NAME_1] called"},
		{"first name", "Priya says hi", "[NAME_1] says hi"},
		{"surname", "Ms Sharma's flat", "Ms [NAME_1]'s flat"},
		{"apostrophe surname", "spoke to O'Brien", "spoke to [NAME_1]"},
		{"title kept", "Mrs Jane O'Brien and Mrs Smith", "[NAME_1] and Mrs Smith"},
		{"ordinary words kept", "will you prune the rose bushes", "will you prune the rose bushes"},
		{"capitalised words redacted", "Will Rose and Rose", "[NAME_1] and [NAME_2]"},
		{"short parts only in full", "Li Wu, Li and Wu", "[NAME_1], Li and Wu"},
		{"single-word name", "Bob and bob", "[NAME_1] and bob"},
		{"inside a word", "Priyanka and Sharmaji", "Priyanka and Sharmaji"},
		{"in an email", "priya.sharma@example.com", "[EMAIL_1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(names...)
			got := r.Redact(tt.in)
			if got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back := r.Restore(got); back != tt.in {
				t.Errorf("Restore = %q, want %q", back, tt.in)
			}
		})
	}
}

func TestNamesWithPunctuation(t *testing.T) {
	r := New("Sharma, Priya (Ms)", "Anne-Marie Duff.")
	got := r.Redact("Priya and Anne-Marie; Sharma")
	if got != "[NAME_1] and [NAME_2]; [NAME_3]" {
		t.Errorf("got %q", got)
	}
}

func TestTokensAreConsistent(t *testing.T) {
	r := New("Priya Sharma")
	a := r.Redact("Priya Sharma, 07700 900123, a@example.com")
	b := r.Redact("b@example.com then a@example.com; 07700 900123 for Priya Sharma")
	if a != "[NAME_1], [PHONE_1], [EMAIL_1]" {
		t.Errorf("first: %q", a)
	}
	if b != "[EMAIL_2] then [EMAIL_1]; [PHONE_1] for [NAME_1]" {
		t.Errorf("second: %q", b)
	}
	// Another Redactor's tokens mean nothing here, and the other way round.
	other := New()
	if got := other.Restore(a); got != a {
		t.Errorf("another Redactor restored %q", got)
	}
}

func TestRestore(t *testing.T) {
	r := New("Priya Sharma")
	redacted := r.Redact("Dear Priya Sharma, we will call 07700 900123.")
	draft := "Dear [NAME_1], we will ring [PHONE_1]; [NAME_2] and [EMAIL_1] are not ours, nor is [name_1] or (NAME_1)."
	want := "Dear Priya Sharma, we will ring 07700 900123; [NAME_2] and [EMAIL_1] are not ours, nor is [name_1] or (NAME_1)."
	if got := r.Restore(draft); got != want {
		t.Errorf("Restore = %q\nwant      %q (redacted %q)", got, want, redacted)
	}
}

// A resident who types a token must not get it restored into someone's details.
func TestLookAlikeTokensAreEscaped(t *testing.T) {
	r := New("Priya Sharma")
	got := r.Redact("I am [NAME_1] and my card is [CARD_1]; Priya Sharma is my neighbour")
	want := "I am (NAME_1) and my card is (CARD_1); [NAME_1] is my neighbour"
	if got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if back := r.Restore(got); back != "I am (NAME_1) and my card is (CARD_1); Priya Sharma is my neighbour" {
		t.Errorf("Restore = %q", back)
	}
}

func TestStrings(t *testing.T) {
	r := New("Priya Sharma")
	title, desc := "Leak at SW1A 1AA", "Priya Sharma, 07700 900123"
	r.Strings(&title, nil, &desc)
	if title != "Leak at [POSTCODE_1]" || desc != "[NAME_1], [PHONE_1]" {
		t.Errorf("got %q, %q", title, desc)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New("Priya Sharma")
	done := make(chan string)
	for range 8 {
		go func() { done <- r.Redact("Priya Sharma on 07700 900123") }()
	}
	for range 8 {
		if got := <-done; got != "[NAME_1] on [PHONE_1]" {
			t.Errorf("got %q", got)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"Priya Sharma, 07700 900123, priya@example.com, SW1A 1AA",
		"card 4111 1111 1111 1111 sort code 12-34-56 account 12345678",
		"[NAME_1] (0161) 496 0000 +44 (0)7700 900123 EC1A1BB m1 1ae",
		"flat 3, 2 bar, £120, MT-000042, 0.5, 2024",
		"a@b.cc@d.ee 4111111111111111@x.com M1 1AE4111111111111111",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := New("Priya Sharma", "Tom O'Brien")
		out := r.Redact(in)
		if !tokenRE.MatchString(in) {
			if back := r.Restore(out); back != in {
				t.Fatalf("Restore(Redact(%q)) = %q via %q", in, back, out)
			}
		}
		for kind, found := range map[string][][2]int{
			KindEmail: findEmails(out), KindPostcode: findPostcodes(out), KindCard: findCards(out),
		} {
			if len(found) > 0 {
				s := found[0]
				t.Fatalf("Redact(%q) = %q still holds %s %q", in, out, kind, out[s[0]:s[1]])
			}
		}
		if strings.Contains(out, "Priya Sharma") {
			t.Fatalf("name left in %q", out)
		}
	})
}
