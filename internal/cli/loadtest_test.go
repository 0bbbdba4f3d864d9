package cli

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maintainuk/maintainuk/internal/loadtest"
	"github.com/maintainuk/maintainuk/internal/testsupport"
)

func TestParseLoadtest(t *testing.T) {
	t.Parallel()
	passwords := map[string]string{"LOADTEST_PASSWORD": "staff-secret", "LOADTEST_CONTRACTOR_PASSWORD": "contractor-secret"}
	base := []string{"-url", "http://localhost:8080", "-email", "ops@example.com"}
	t.Run("defaults", func(t *testing.T) {
		r, err := parseLoadtest(base, func(k string) string { return passwords[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		want := loadtest.Options{Rate: 0, Workers: 16, Duration: 10 * time.Second, Warmup: 2 * time.Second}
		if r.opts != want || !slices.Equal(r.scenarios, loadtest.ScenarioNames()) || r.json ||
			r.target.Password != "staff-secret" || r.target.ContractorPassword != "" || r.target.SearchQuery != "leak" {
			t.Errorf("defaults: %+v", r)
		}
	})
	t.Run("every flag", func(t *testing.T) {
		args := append(slices.Clone(base), "-contractor-email", "fixer@example.com", "-scenarios", " search, list-open,search ",
			"-rate", "2.5", "-workers", "4", "-duration", "3s", "-warmup", "0", "-search", "damp", "-json")
		r, err := parseLoadtest(args, func(k string) string { return passwords[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		want := loadtest.Options{Rate: 2.5, Workers: 4, Duration: 3 * time.Second, Warmup: -1}
		if r.opts != want || !slices.Equal(r.scenarios, []string{"search", "list-open"}) || !r.json ||
			r.target.ContractorEmail != "fixer@example.com" || r.target.ContractorPassword != "contractor-secret" || r.target.SearchQuery != "damp" {
			t.Errorf("every flag: %+v", r)
		}
	})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no url", passwords, []string{"-email", "ops@example.com"}, "-url and -email are required"},
		{"no email", passwords, []string{"-url", "http://localhost:8080"}, "-url and -email are required"},
		{"no password", nil, base, "set LOADTEST_PASSWORD to ops@example.com's password"},
		{"no contractor password", map[string]string{"LOADTEST_PASSWORD": "x"}, append(slices.Clone(base), "-contractor-email", "fixer@example.com"),
			"set LOADTEST_CONTRACTOR_PASSWORD to fixer@example.com's password"},
		{"unknown scenario", passwords, append(slices.Clone(base), "-scenarios", "list-open,frobnicate"), `unknown scenario "frobnicate" in -scenarios (known: create-ticket,`},
		{"rate and max", passwords, append(slices.Clone(base), "-rate", "10", "-max"), "not both"},
		{"zero rate", passwords, append(slices.Clone(base), "-rate", "0"), "-rate 0: want requests per second above 0"},
		{"negative rate", passwords, append(slices.Clone(base), "-rate", "-3"), "-rate -3: want"},
		{"no workers", passwords, append(slices.Clone(base), "-workers", "0"), "-workers 0: want at least 1"},
		{"no duration", passwords, append(slices.Clone(base), "-duration", "0s"), "-duration 0s"},
		{"negative warm-up", passwords, append(slices.Clone(base), "-warmup", "-1s"), "-warmup -1s"},
		{"a password as an argument", passwords, append(slices.Clone(base), "hunter2"), "never the command line"},
	}
	for _, tt := range tests {
		_, err := parseLoadtest(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want an error saying %q", tt.name, err, tt.want)
		}
	}
	var usage strings.Builder
	_, err := parseLoadtest(append(slices.Clone(base), "-password", "x"), func(k string) string { return passwords[k] }, &usage)
	if !errors.Is(err, exitCode(2)) || !strings.Contains(usage.String(), "flag provided but not defined: -password") {
		t.Errorf("-password: %v, %q; want exit code 2 and the flag package's message", err, usage.String())
	}
}

func TestLoadtestCommand(t *testing.T) {
	app := testsupport.NewApp(t, nil)
	e := app.NewEstate(t, "Command Lettings", testsupport.EstateOptions{})
	testsupport.CreateTicket(t, e.Admin, map[string]any{"unitId": e.UnitID, "title": "Leak in the loft"})
	staff := map[string]string{"LOADTEST_PASSWORD": testsupport.Password}
	args := []string{"loadtest", "-url", app.Server.URL, "-email", e.Coordinator.Email, "-scenarios", "list-open,ticket-detail,contractor-jobs",
		"-rate", "20", "-workers", "2", "-duration", "200ms", "-warmup", "0"}

	code, stdout, stderr := run(t, staff, append(slices.Clone(args), "-json")...)
	var results []loadtest.Result
	if err := json.Unmarshal([]byte(stdout), &results); code != 0 || err != nil {
		t.Fatalf("exit %d, %v; stdout %s; stderr %s", code, err, stdout, stderr)
	}
	if len(results) != 3 || results[0].Scenario != "list-open" || results[1].Scenario != "ticket-detail" {
		t.Fatalf("results: %+v", results)
	}
	for _, r := range results[:2] {
		if r.Successes == 0 || len(r.Errors) != 0 || r.Mode != loadtest.ModeConstant || r.Rate != 20 {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
	}
	if !strings.HasPrefix(results[2].Note, "skipped:") {
		t.Errorf("contractor-jobs without a contractor: %+v", results[2])
	}

	code, stdout, stderr = run(t, staff, args...)
	if code != 0 || !strings.Contains(stdout, "p99 ms") || !strings.Contains(stdout, "contractor-jobs: skipped:") {
		t.Errorf("table: exit %d; stdout %s; stderr %s", code, stdout, stderr)
	}

	code, _, stderr = run(t, map[string]string{"LOADTEST_PASSWORD": "not-the-password"}, args...)
	if code != 1 || !strings.Contains(stderr, "the server refused the email or password") {
		t.Errorf("wrong password: exit %d; stderr %s", code, stderr)
	}
}
