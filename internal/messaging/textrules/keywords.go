package textrules

import (
	"strings"
	"unicode"
)

// Keyword is what a reply asks of its sender's consent.
type Keyword string

const (
	// None is an ordinary reply.
	None Keyword = ""
	// OptOut asks to receive no more texts.
	OptOut Keyword = "OPT_OUT"
	// OptIn withdraws an earlier opt-out.
	OptIn Keyword = "OPT_IN"
	// Help asks who is texting and how to stop it.
	Help Keyword = "HELP"
)

// keywords are the carriers' and Twilio's standard opt-out, opt-in and help keywords:
// those Twilio itself acts on by default for a long-code number (its Advanced Opt-Out
// documentation), so the service's record of consent agrees with Twilio's, and "STOP ALL"
// as people type STOPALL.
var keywords = map[string]Keyword{
	"STOP":        OptOut,
	"STOPALL":     OptOut,
	"STOP ALL":    OptOut,
	"UNSUBSCRIBE": OptOut,
	"END":         OptOut,
	"QUIT":        OptOut,
	"CANCEL":      OptOut,
	"OPTOUT":      OptOut,
	"REVOKE":      OptOut,
	"START":       OptIn,
	"UNSTOP":      OptIn,
	"YES":         OptIn,
	"HELP":        Help,
	"INFO":        Help,
}

// ParseKeyword recognises a reply that is wholly a keyword: carriers act only on the
// whole message, so "Stop the leak please" is an ordinary reply. Case, surrounding
// whitespace, runs of inner whitespace and trailing full stops, exclamation and question
// marks are forgiven; anything else, such as full-width or look-alike letters, makes the
// reply ordinary, because honouring a look-alike would be a guess.
func ParseKeyword(body string) Keyword {
	body = strings.TrimRightFunc(body, func(r rune) bool {
		return unicode.IsSpace(r) || r == '.' || r == '!' || r == '?'
	})
	normal := strings.Join(strings.Fields(body), " ")
	for i := range len(normal) {
		if normal[i] >= 0x80 {
			return None
		}
	}
	return keywords[strings.ToUpper(normal)]
}
