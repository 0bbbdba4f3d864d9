package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAIEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "set.jsonl")
	set := `{"id":"a","title":"Gas smell","description":"I can smell gas in the kitchen","category":"HVAC","priority":"EMERGENCY"}
{"id":"b","title":"Dripping tap","description":"The bathroom tap drips","category":"PLUMBING","priority":"ROUTINE"}
`
	if err := os.WriteFile(file, []byte(set), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), Env{Args: append([]string{"ai-eval"}, args...), Getenv: func(string) string { return "" }, Stdout: &out, Stderr: &errOut})
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run(file)
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) < 4 || lines[0] != "category accuracy 1.00" || lines[1] != "priority accuracy 1.00" ||
		lines[2] != "EMERGENCY recall 1.00 precision 1.00" || !strings.Contains(out, "category confusion") || !strings.Contains(out, "priority confusion") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, _ := run(file, "--provider", "builtin"); code != 0 {
		t.Fatalf("--provider builtin: exit %d", code)
	}
	if code, _, errOut := run(file, "--provider", "skynet"); code != 1 || !strings.Contains(errOut, "--provider must be one of") {
		t.Fatalf("unknown provider: exit %d, %s", code, errOut)
	}
	if code, _, _ := run(); code != 2 {
		t.Fatalf("no file: exit %d, want 2", code)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	_ = os.WriteFile(bad, []byte(`{"id":"x","title":"t","description":"d","category":"MAGIC","priority":"ROUTINE"}`+"\n"), 0o600)
	if code, _, errOut := run(bad); code != 1 || !strings.Contains(errOut, "line 1") {
		t.Fatalf("bad label: exit %d, %s", code, errOut)
	}
}
