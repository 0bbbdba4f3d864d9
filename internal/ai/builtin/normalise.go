package builtin

import (
	"strings"
	"unicode"
)

// A clause is a run of words between punctuation or a "but": the scope of a negation
// ("no smell of gas, but the hob won't light") and of the cues found together.
type clause struct {
	words    []string
	sentence int
	title    bool
	// question marks a clause of a sentence ending in "?": "is there a leak?" asks,
	// it does not report.
	question bool
}

// report is a repair report cut into clauses of normalised words.
type report struct {
	clauses []clause
}

// clauseBreaks end a clause; sentenceBreaks also end a sentence.
const (
	clauseBreaks   = ",;:()[]/\"–—"
	sentenceBreaks = ".!?\n\r"
)

// parse lower-cases, folds apostrophes, splits clauses and sentences, fixes common
// misspellings and joins compounds whose halves mean something else alone ("smoke alarm"
// is not smoke). The title is its own sentence, marked so its words weigh a little more.
func parse(title, description string) report {
	var r report
	sentence := 0
	for part, text := range []string{title, description} {
		var words []string
		flush := func(endSentence bool) {
			if len(words) > 0 {
				r.clauses = append(r.clauses, clause{words: compounds(words), sentence: sentence, title: part == 0})
				words = nil
			}
			if endSentence {
				sentence++
			}
		}
		var b strings.Builder
		apostrophe := -1
		word := func() {
			if b.Len() == 0 {
				return
			}
			raw := b.String()
			if apostrophe > 0 && raw[apostrophe:] == "s" {
				// "heating's", "power's", "son's": the word itself.
				raw = raw[:apostrophe]
			}
			w := fixWord(raw)
			b.Reset()
			apostrophe = -1
			if w == "but" || w == "although" || w == "though" || w == "however" {
				flush(false)
				return
			}
			words = append(words, w)
		}
		prev := ' '
		for _, c := range text {
			isHyphenInWord := c == '-' && (unicode.IsLetter(prev) || unicode.IsDigit(prev))
			prev = c
			switch {
			case isHyphenInWord:
				// "fridge-freezer", "en-suite": one phrase, not two clauses.
				word()
			case c == '-':
				word()
				flush(false)
			case c == '\'' || c == '’' || c == '‘':
				// Folded away: "don't" reads as "dont"; a trailing "'s" goes (see word).
				apostrophe = b.Len()
			case unicode.IsLetter(c) || unicode.IsDigit(c):
				b.WriteRune(unicode.ToLower(c))
			case strings.ContainsRune(sentenceBreaks, c):
				word()
				if c == '?' {
					flush(false)
					for i := range r.clauses {
						if r.clauses[i].sentence == sentence {
							r.clauses[i].question = true
						}
					}
				}
				flush(true)
			case strings.ContainsRune(clauseBreaks, c):
				word()
				flush(false)
			case c == '&' || c == '+':
				word()
				words = append(words, "and")
			default:
				word()
			}
		}
		word()
		flush(true)
	}
	return r
}

// compoundWords are pairs read as one word, so that their halves do not fire cues of
// their own: a smoke alarm is not smoke, a fuse box is one thing whatever the spelling.
var compoundWords = map[[2]string]string{
	{"smoke", "alarm"}: "smokealarm", {"smoke", "alarms"}: "smokealarm", {"smoke", "detector"}: "smokealarm",
	{"fire", "alarm"}: "smokealarm", {"heat", "alarm"}: "heatalarm", {"heat", "detector"}: "heatalarm",
	{"carbon", "monoxide"}: "co", {"fuse", "box"}: "fusebox", {"fuse", "board"}: "fusebox",
	{"consumer", "unit"}: "fusebox", {"trip", "switch"}: "tripswitch", {"bed", "bugs"}: "bedbugs",
	{"bed", "bug"}: "bedbugs", {"stop", "tap"}: "stopcock", {"stop", "cock"}: "stopcock",
	{"cooker", "hood"}: "cookerhood", {"extractor", "hood"}: "cookerhood", {"fridge", "freezer"}: "fridge",
	{"hot", "water"}: "hotwater", {"loft", "hatch"}: "lofthatch", {"flea", "bomb"}: "fleabomb",
	{"door", "entry"}: "intercom", {"entry", "phone"}: "intercom", {"entry", "system"}: "intercom",
	{"down", "pipe"}: "downpipe", {"stair", "lift"}: "stairlift", {"tumble", "dryer"}: "tumbledryer",
	{"tumble", "drier"}: "tumbledryer", {"washing", "machine"}: "washingmachine", {"wash", "machine"}: "washingmachine",
	{"dish", "washer"}: "dishwasher", {"roof", "space"}: "loft", {"water", "tank"}: "watertank",
	{"fridge", "door"}: "fridge", {"freezer", "door"}: "freezer", {"oven", "door"}: "oven",
	{"microwave", "door"}: "microwave", {"dishwasher", "door"}: "dishwasher", {"next", "door"}: "nextdoor",
	{"switch", "off"}: "switchoff", {"switch", "on"}: "switchon", {"switch", "it"}: "switchit",
	{"cooker", "switch"}: "cookerswitch", {"light", "switch"}: "lightswitch", {"pull", "cord"}: "pullcord",
	{"door", "release"}: "intercom", {"release", "button"}: "intercom",
}

// compoundDisplay spells a compound as the two words it joins, for the reasoning: only
// those that are the two words run together ("fusebox", not "loft" for "roof space").
var compoundDisplay = func() map[string]string {
	d := map[string]string{"co": "carbon monoxide"}
	for pair, c := range compoundWords {
		if c == pair[0]+pair[1] {
			d[c] = pair[0] + " " + pair[1]
		}
	}
	return d
}()

// compoundsAgain are pairs made of a compound and the next word: "hot water tank".
var compoundsAgain = map[[2]string]string{
	{"hotwater", "tank"}: "cylinder", {"hotwater", "cylinder"}: "cylinder",
}

func compounds(words []string) []string {
	return join(join(words, compoundWords), compoundsAgain)
}

func join(words []string, pairs map[[2]string]string) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) {
			if c, ok := pairs[[2]string{words[i], words[i+1]}]; ok {
				out = append(out, c)
				i++
				continue
			}
		}
		out = append(out, words[i])
	}
	return out
}
