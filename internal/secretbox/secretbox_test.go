package secretbox

import "testing"

func TestSealOpen(t *testing.T) {
	a, _ := New("secret-one-that-is-long-enough-xxxxx", "invitation link")
	b, _ := New("secret-two-that-is-long-enough-xxxxx", "invitation link")
	c, _ := New("secret-one-that-is-long-enough-xxxxx", "something else")
	sealed, err := a.Seal("minv_token")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Open(sealed); err != nil || got != "minv_token" {
		t.Fatalf("open: %q %v", got, err)
	}
	if again, _ := a.Seal("minv_token"); again == sealed {
		t.Fatal("sealing twice gave the same text: nonce not random")
	}
	for name, box := range map[string]*Box{"another secret": b, "another purpose": c} {
		if _, err := box.Open(sealed); err == nil {
			t.Fatalf("%s opened the box", name)
		}
	}
	if _, err := a.Open(sealed[:len(sealed)-2] + "AA"); err == nil {
		t.Fatal("tampered text opened")
	}
	if _, err := a.Open("!!"); err == nil {
		t.Fatal("malformed text opened")
	}
}
