package builtin

import (
	"testing"

	"github.com/maintainuk/maintainuk/internal/ai/schema"
)

// Classifying reads the vocabulary and never writes it: every phrase is split at start-up.
// A phrase split while classifying would write the shared set of known words, which
// reports classified at once (the AI queue's workers) then write together and crash the
// process (a concurrent map write), and which would make typo fixes depend on what was
// classified before.
func TestClassifyingLeavesTheVocabularyAlone(t *testing.T) {
	before := len(knownWords)
	for _, text := range []string{
		"The toilet seat is cracked and the lid is loose",
		"Low pressure from all the taps and the downpipe is blocked",
		"The bath is overflowing over the top",
		"Front door lock broken, cant secure the flat, we were burgled",
		"A stair tread is loose",
		"Electric shower pullcord sparking and the bulb blew",
		"Wires poking out of the wall, smells damp and musty",
	} {
		Classify(schema.ClassifyInput{Title: text, Description: text})
	}
	if after := len(knownWords); after != before {
		t.Fatalf("classifying added %d known words: a phrase is split at run time, not at start-up", after-before)
	}
}
