package validate

import "testing"

// BenchmarkJSONText measures checkText's walk over a create-ticket body (the one
// BenchmarkCreateTicketRequest in internal/httpapi sends), clean and with one more
// property holding a NUL, which JSONText must name.
func BenchmarkJSONText(b *testing.B) {
	clean := `{"unitId":"0b9c2ad4-7d6f-4a43-9d4b-3c1c3f1f2f10","category":"PLUMBING","priority":"URGENT",` +
		`"title":"Kitchen tap leaking under the sink",` +
		`"description":"Water has been dripping from the pipe under the kitchen sink since Saturday night.\nThe cupboard floor is soaked and the chipboard is starting to swell. I have turned the isolation valve off for now, so we have no cold water in the kitchen.",` +
		`"reportedByName":"Sam O'Brien","reportedByPhone":"07911 123456","reportedByEmail":"sam.obrien@example.co.uk",` +
		`"assigneeUserId":"5f0e8a77-2c55-4b1e-9c1c-0f6f9a2d7e21"}`
	for _, c := range []struct {
		name, body string
		problems   int
	}{
		{"clean", clean, 0},
		{"nul", `{"notes":"Kitchen\u0000tap",` + clean[1:], 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.ReportAllocs()
			for b.Loop() {
				if got := JSONText(body); len(got) != c.problems {
					b.Fatalf("JSONText = %v, want %d problems", got, c.problems)
				}
			}
		})
	}
}
