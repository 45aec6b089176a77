package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"electionbot/demo"
	"electionbot/models"
)

// The commands a user may type, as the README lists them: the table of
// commands must have each (a command added is added here too).
var everyCommand = []string{"serve", "chat", "migrate", "load", "import voters", "import areas", "export results",
	"broadcast", "posters", "purge", "healthcheck", "templates", "export unreached"}

// runIn runs the command line in dir as the working folder with the
// default DATABASE_URL (sqlite://electionbot.db there) unless env says
// otherwise.
func runIn(t *testing.T, dir string, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb, env)
	return code, out.String(), errb.String()
}

// noDatabase fails when the command created a database file in dir.
func noDatabase(t *testing.T, dir string, args []string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "electionbot") && strings.Contains(e.Name(), ".db") {
			t.Errorf("%q created %s: the database was touched", args, e.Name())
		}
	}
}

func TestEveryCommandIsInTheTable(t *testing.T) {
	names := commandNames()
	for _, c := range everyCommand {
		if !slices.Contains(names, c) {
			t.Errorf("no command %q in the table (%v)", c, names)
		}
	}
	top := topUsage()
	for _, c := range names {
		if !strings.Contains(top, "electionbot "+c) {
			t.Errorf("the usage does not list %q", c)
		}
	}
}

// TestHelpNeverTouchesTheDatabase: --help, -h and help COMMAND print the
// usage on stdout and exit 0, without "flag: help requested", without
// reading the configuration or creating electionbot.db — even with a
// broken configuration and other arguments around.
func TestHelpNeverTouchesTheDatabase(t *testing.T) {
	type tc struct {
		args []string
		want string // in stdout
	}
	cases := []tc{
		{[]string{"--help"}, "Usage:"},
		{[]string{"-h"}, "Usage:"},
		{[]string{"help"}, "Usage:"},
		{[]string{"import", "--help"}, "electionbot import voters"},
		{[]string{"export", "-h"}, "electionbot export results"},
		{[]string{"help", "import"}, "electionbot import areas"},
		{[]string{"load", "election.yaml", "--help"}, "usage: electionbot load FILE.yaml"},
		{[]string{"export", "results", "--election", "x", "-h"}, "usage: electionbot export results"},
		{[]string{"chat", "--demo", "--help"}, "--demo-city"},
	}
	for _, name := range commandNames() {
		words := strings.Fields(name)
		want := "usage: electionbot " + name
		cases = append(cases,
			tc{append(slices.Clone(words), "--help"), want},
			tc{append(slices.Clone(words), "-h"), want},
			tc{append([]string{"help"}, words...), want})
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			// A broken configuration: help does not read it.
			code, out, errOut := runIn(t, dir, map[string]string{"BROADCAST_RATE": "x"}, c.args...)
			if code != 0 || !strings.Contains(out, c.want) || errOut != "" {
				t.Errorf("exit %d, want 0 and %q in stdout\nstdout: %s\nstderr: %s", code, c.want, out, errOut)
			}
			if strings.Contains(out+errOut, "help requested") {
				t.Errorf("says %q", "flag: help requested")
			}
			noDatabase(t, dir, c.args)
		})
	}
}

// TestUsageErrorsExitTwo: an unknown flag, a missing or extra argument, an
// unknown command: exit 2, the reason and the usage line on stderr, and
// the database untouched.
func TestUsageErrorsExitTwo(t *testing.T) {
	type tc struct {
		args []string
		want []string // in stderr
	}
	var cases []tc
	for _, name := range commandNames() {
		words := strings.Fields(name)
		cases = append(cases, tc{append(slices.Clone(words), "--no-such-flag"), []string{"usage: electionbot " + name}})
	}
	cases = append(cases,
		tc{[]string{"load"}, []string{"give the election file", "usage: electionbot load FILE.yaml"}},
		tc{[]string{"load", "a.yaml", "b.yaml"}, []string{"usage: electionbot load"}},
		tc{[]string{"serve", "now"}, []string{"serve takes no arguments", "usage: electionbot serve"}},
		tc{[]string{"migrate", "up"}, []string{"migrate takes no arguments", "usage: electionbot migrate"}},
		tc{[]string{"healthcheck", "x"}, []string{"usage: electionbot healthcheck"}},
		tc{[]string{"import", "voters"}, []string{"give the file", "usage: electionbot import voters"}},
		tc{[]string{"import", "areas", "t.csv"}, []string{"--election", "usage: electionbot import areas"}},
		tc{[]string{"export", "results"}, []string{"--election", "usage: electionbot export results"}},
		tc{[]string{"export", "results", "--election", "x", "--format", "pdf"}, []string{"must be csv or xlsx"}},
		tc{[]string{"posters"}, []string{"usage: electionbot posters"}},
		tc{[]string{"purge"}, []string{"usage: electionbot purge"}},
		tc{[]string{"broadcast"}, []string{"the announcement is empty", "usage: electionbot broadcast"}},
		tc{[]string{"chat", "--lang", "fr"}, []string{"--lang", "usage: electionbot chat"}},
		tc{[]string{"import"}, []string{"electionbot import voters", "electionbot import areas"}},
		tc{[]string{"export", "everything"}, []string{`unknown command "export everything"`, "electionbot export results"}},
		tc{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "Usage:"}},
		tc{nil, []string{"Usage:"}},
	)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runIn(t, dir, nil, c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			noDatabase(t, dir, c.args)
		})
	}
}

// TestFileErrorsNameTheFileAndTheReason: a file that cannot be read is
// named with the operating system's reason (in its words), and nothing
// is created.
func TestFileErrorsNameTheFileAndTheReason(t *testing.T) {
	cases := []struct {
		args []string
		what string
	}{
		{[]string{"load", "nofile.yaml"}, "cannot read election file nofile.yaml: "},
		{[]string{"import", "voters", "nofile.csv"}, "cannot read voter file nofile.csv: "},
		{[]string{"import", "areas", "nofile.xlsx", "--election", "x"}, "cannot read areas table nofile.xlsx: "},
		{[]string{"broadcast", "--file", "nofile.txt", "--yes"}, "cannot read announcement file nofile.txt: "},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			missing := c.args[len(c.args)-1]
			for _, a := range c.args {
				if strings.HasPrefix(a, "nofile") {
					missing = a
				}
			}
			_, reason := os.Open(filepath.Join(dir, missing))
			var pe *os.PathError
			if !errors.As(reason, &pe) {
				t.Fatalf("os.Open: %v", reason)
			}
			code, _, errOut := runIn(t, dir, nil, c.args...)
			if code == 0 || !strings.Contains(errOut, c.what) || !strings.Contains(errOut, pe.Err.Error()) {
				t.Errorf("exit %d, stderr %q; want %q and %q", code, errOut, c.what, pe.Err.Error())
			}
			noDatabase(t, dir, c.args)
		})
	}
}

// TestLoadReportsAReminderOnlyChange: changing only the reminder schedule
// is reported as such, not "(unchanged)"; loading the same file again is
// unchanged; other kinds are named too.
func TestLoadReportsAReminderOnlyChange(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "e.db")}
	yamlPath := filepath.Join(dir, "election.yaml")
	load := func(body string) string {
		t.Helper()
		if err := os.WriteFile(yamlPath, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runIn(t, dir, env, "load", yamlPath)
		if code != 0 {
			t.Fatalf("load: exit %d: %s", code, errOut)
		}
		return out
	}
	reminders := func(at string) string {
		return string(demo.Election()) + "\nreminders:\n  - {key: evening-before, message: " + models.RemindEveningBefore +
			", day: -1, at: \"" + at + "\"}\n"
	}
	if out := load(reminders("19:00")); !strings.Contains(out, "(created)") {
		t.Fatalf("first load: %q", out)
	}
	if out := load(reminders("19:00")); out != "ka-long-2022: loaded 6 areas, 15 candidates (unchanged)\n" {
		t.Errorf("same file again: %q", out)
	}
	if out, want := load(reminders("20:00")), "ka-long-2022: loaded 6 areas, 15 candidates (updated)\n  reminder schedule: 1 rescheduled\n"; out != want {
		t.Errorf("reminder moved: %q, want %q", out, want)
	}
	renamed := strings.Replace(reminders("20:00"), "Nhà văn hóa khu phố 1", "Nhà văn hóa khu phố 1 (mới)", 1)
	if out, want := load(renamed), "(updated)\n  polling places: 1 changed\n"; !strings.HasSuffix(out, want) {
		t.Errorf("polling place renamed: %q, want …%q", out, want)
	}
}

// TestExportXLSXWithoutOutWritesANamedFile: the XLSX goes to a file named
// after the election in the working folder, never to the terminal and
// never over an existing file; its path is printed. CSV without --out is
// printed.
func TestExportXLSXWithoutOutWritesANamedFile(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "e.db")}
	yamlPath := filepath.Join(dir, "election.yaml")
	if err := os.WriteFile(yamlPath, demo.Election(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runIn(t, dir, env, "load", yamlPath); code != 0 {
		t.Fatalf("load: %s", errOut)
	}
	for _, want := range []string{"ka-long-2022-results.xlsx", "ka-long-2022-results-2.xlsx"} {
		code, out, errOut := runIn(t, dir, env, "export", "results", "--election", "ka-long-2022", "--format", "xlsx")
		if code != 0 || out != want+"\n" {
			t.Fatalf("export xlsx: exit %d, stdout %q (want %q), stderr %q", code, out, want, errOut)
		}
		f, err := excelize.OpenFile(filepath.Join(dir, want))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("results")
		f.Close()
		if err != nil || len(rows) != 7 || !slices.Equal(rows[0], models.ResultsColumns) {
			t.Fatalf("%s: %d rows, %v; header %v", want, len(rows), err, rows)
		}
	}
	code, out, _ := runIn(t, dir, env, "export", "results", "--election", "ka-long-2022", "--ward", "ka-long", "--format", "xlsx")
	if code != 0 || out != "ka-long-2022-ka-long-results.xlsx\n" {
		t.Errorf("export one ward: exit %d, %q", code, out)
	}
	// A failed export leaves no file behind.
	if code, out, _ := runIn(t, dir, env, "export", "results", "--election", "nope", "--format", "xlsx"); code != 1 || out != "" {
		t.Errorf("unknown election: exit %d, %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope-results.xlsx")); !os.IsNotExist(err) {
		t.Errorf("a failed export left nope-results.xlsx: %v", err)
	}
	code, out, _ = runIn(t, dir, env, "export", "results", "--election", "ka-long-2022")
	if code != 0 || !strings.HasPrefix(out, strings.Join(models.ResultsColumns, ",")+"\n") {
		t.Errorf("csv to stdout: exit %d, %.200q", code, out)
	}
}
