package textrules

import "testing"

func TestParseKeyword(t *testing.T) {
	tests := []struct {
		body string
		want Keyword
	}{
		{"STOP", OptOut},
		{"stop", OptOut},
		{"sToP", OptOut},
		{"  stop  ", OptOut},
		{"\tHELP\n", Help},
		{"Stop.", OptOut},
		{"STOP!", OptOut},
		{"Stop!!!", OptOut},
		{"stop .", OptOut},
		{"STOPALL", OptOut},
		{"stop all", OptOut},
		{"Stop   all", OptOut},
		{"stop\u00a0all", OptOut},
		{"unsubscribe", OptOut},
		{"End", OptOut},
		{"quit", OptOut},
		{"Cancel", OptOut},
		{"optout", OptOut},
		{"Revoke", OptOut},
		{"START", OptIn},
		{"unstop", OptIn},
		{"yes", OptIn},
		{"Yes!", OptIn},
		{"help", Help},
		{"Help?", Help},
		{"info", Help},
		{"", None},
		{"   ", None},
		{".", None},
		{"Stop the leak please", None},
		{"Yes please", None},
		{"please stop", None},
		{"OPT OUT", None},
		{"OPT-OUT", None},
		{"stopp", None},
		{"STOP,", None},
		{".STOP", None},
		{"ＳＴＯＰ", None},       // full-width letters
		{"ЅТОР", None},       // Cyrillic look-alikes
		{"quıt", None},       // dotless i upper-cases to I
		{"STOP\u200b", None}, // zero-width space is no whitespace
		{"STOP 🛑", None},
		{"The boiler is fixed, thanks", None},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			if got := ParseKeyword(tt.body); got != tt.want {
				t.Errorf("ParseKeyword(%q) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}
