package validate

import "testing"

func TestPostcode(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"SW1A 1AA", "SW1A 1AA", true},
		{"sw1a1aa", "SW1A 1AA", true},
		{" m1  1ae ", "M1 1AE", true},
		{"B33 8TH", "B33 8TH", true},
		{"CR2 6XH", "CR2 6XH", true},
		{"DN55 1PT", "DN55 1PT", true},
		{"EC1A 1BB", "EC1A 1BB", true},
		{"GIR 0AA", "GIR 0AA", true},
		{"", "", false},
		{"12345", "", false},
		{"SW1A", "", false},
		{"QA1 1AA", "", false}, // Q is never a first letter
		{"SW1A 1AAA", "", false},
		{"SW1A 1CA", "", false}, // C is never in the inward letters
	}
	for _, tt := range tests {
		got, err := Postcode(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Postcode(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestPhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"07911 123456", "+447911123456", true},
		{"+44 7911 123456", "+447911123456", true},
		{"020 7946 0018", "+442079460018", true},
		{"+1 202 555 0143", "+12025550143", true},
		{"", "", false},
		{"12", "", false},
		{"not a phone", "", false},
		{"07911 ABCDEF", "", false},
	}
	for _, tt := range tests {
		got, err := Phone(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Phone(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestEmail(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Alice@Example.co.uk", "alice@example.co.uk", true},
		{"  bob@example.com ", "bob@example.com", true},
		{"", "", false},
		{"bob", "", false},
		{"bob@localhost", "", false},
		{"Bob <bob@example.com>", "", false},
		{"a@b@example.com", "", false},
	}
	for _, tt := range tests {
		got, err := Email(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Email(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestText(t *testing.T) {
	if got, err := Text("  Flat 1 ", 1, 10); err != nil || got != "Flat 1" {
		t.Fatalf("Text trims: %q %v", got, err)
	}
	if _, err := Text("   ", 1, 10); err == nil {
		t.Fatal("blank text accepted")
	}
	if _, err := Text("ééééééééééé", 1, 10); err == nil {
		t.Fatal("11 characters accepted for max 10")
	}
	if _, err := Text("éééééééééé", 1, 10); err != nil {
		t.Fatal("10 multi-byte characters refused for max 10")
	}
}

func TestTextControls(t *testing.T) {
	tests := []struct {
		in           string
		line, long   bool // accepted by Text, by LongText
		wantLineText string
	}{
		{" Leaking tap ", true, true, "Leaking tap"},
		{"a\x00b", false, false, ""},
		{"esc\x1b[31m", false, false, ""},
		{"del\x7f", false, false, ""},
		{"c1\u0085", false, false, ""},
		{"bad\xffutf8", false, false, ""},
		{"two\nlines", false, true, ""},
		{"crlf\r\nx", false, true, ""},
		{"tab\there", false, true, ""},
		{"Café Ünïcode ☂", true, true, "Café Ünïcode ☂"},
	}
	for _, tt := range tests {
		got, err := Text(tt.in, 1, 100)
		if (err == nil) != tt.line || got != tt.wantLineText {
			t.Errorf("Text(%q) = %q, %v; want ok=%v", tt.in, got, err, tt.line)
		}
		if _, err := LongText(tt.in, 1, 100); (err == nil) != tt.long {
			t.Errorf("LongText(%q): %v; want ok=%v", tt.in, err, tt.long)
		}
	}
}

func TestEmailRefusesControlCharacters(t *testing.T) {
	for _, s := range []string{"new\x00@example.com", "new\u009b@example.com", "new\x7f@example.com"} {
		if got, err := Email(s); err == nil {
			t.Errorf("Email(%q) = %q, want an error", s, got)
		}
	}
}

// TestJSONTextFastPath checks which bodies JSONText passes without decoding them: the
// usual ones must (or the fast path is lost without any test failing), and any doubt
// must go to the walk (FuzzJSONText checks the walk agrees whenever the fast path passes).
func TestJSONTextFastPath(t *testing.T) {
	tests := []struct {
		body string
		fast bool
	}{
		{`{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","title":"Kitchen tap","description":"Dripping.\nSince \"Saturday\"\t\\ o/","n":1,"ok":true,"z":null}`, true},
		{`{"name":"Zoë Ó Briain £5 €","lines":[{"description":"a\u000ab\u00e9 \ud83d\ude00"}]}`, true},
		{` { "key" : "value" } `, true},
		{`not json at all`, true}, // no strings: nothing to refuse, as the walk finds
		{`{"title":"a\u0000b"}`, false},
		{`{"title":"\b"}`, false},
		{`{"title":"\u007f"}`, false},
		{"{\"title\":\"\x7f\"}", false},
		{`{"title":"\u0085"}`, false},
		{"{\"title\":\"\u0085\"}", false},
		{"{\"title\":\"\xff\"}", false},
		{`{"title":"\ud800"}`, false},
		{`{"a\nb":"x"}`, false}, // a property name is one line
		{`{"a\u0009b" :"x"}`, false},
		{`{"title":"unterminated`, false},
		{`{"title":"\x"}`, false},
	}
	for _, tt := range tests {
		if got := stringsCertainlyClean([]byte(tt.body)); got != tt.fast {
			t.Errorf("stringsCertainlyClean(%q) = %v, want %v", tt.body, got, tt.fast)
		}
	}
}
