package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// The answers' encoder (jsonFormat) must write exactly what encoding/json writes: every
// answer the package's tests see is encoded by both and compared, and TestMain fails the
// run on any difference (AnswerEncodingMismatches).
var encodingMismatches struct {
	sync.Mutex
	seen     int
	mismatch []string
}

func init() {
	answerEncodingCheck = func(v any, encoded []byte) {
		var std bytes.Buffer
		enc := json.NewEncoder(&std)
		enc.SetEscapeHTML(false) // as huma's default JSON format
		err := enc.Encode(v)
		encodingMismatches.Lock()
		defer encodingMismatches.Unlock()
		encodingMismatches.seen++
		if err != nil || !bytes.Equal(std.Bytes(), encoded) {
			encodingMismatches.mismatch = append(encodingMismatches.mismatch,
				fmt.Sprintf("%T:\n  encoding/json: %s (%v)\n  jsonFormat:    %s", v, bytes.TrimSpace(std.Bytes()), err, bytes.TrimSpace(encoded)))
		}
	}
}

// AnswerEncodingMismatches reports how many answers were compared and those that differed.
func AnswerEncodingMismatches() (seen int, mismatches []string) {
	encodingMismatches.Lock()
	defer encodingMismatches.Unlock()
	return encodingMismatches.seen, encodingMismatches.mismatch
}
