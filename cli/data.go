package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"electionbot/bot/outbox"
	"electionbot/models"
	_ "electionbot/sheets" // XLSX voter files and exports
)

// OpenStore opens a DATABASE_URL and applies the migrations (the store's
// and River's): what every command that uses the database does first.
func OpenStore(ctx context.Context, databaseURL string) (*models.Store, error) {
	s, err := models.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// River's own tables (the durable job queue) live in the same database.
	if err := outbox.Migrate(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func cmdMigrate(ctx context.Context, cfg *Config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageErr("migrate takes no arguments")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "database is up to date (%s)\n", s.Dialect())
	return nil
}

func cmdLoad(ctx context.Context, cfg *Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageErr("usage: electionbot load FILE.yaml")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.LoadElectionFile(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.String())
	return nil
}

func cmdImport(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "voters" {
		return usageErr("usage: electionbot import voters FILE [--election CODE]")
	}
	fs := flag.NewFlagSet("import voters", flag.ContinueOnError)
	fs.SetOutput(stderr)
	election := fs.String("election", "", "election code (default: the current election)")
	file, flagArgs := splitPositional(args[1:])
	if err := fs.Parse(flagArgs); err != nil {
		return &exitError{2, err}
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" {
		return usageErr("usage: electionbot import voters FILE [--election CODE]")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.ImportVotersFile(ctx, file, models.ImportOptions{ElectionCode: *election, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.String())
	return nil
}

func cmdExport(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	const use = "usage: electionbot export results --election CODE [--ward CODE] --format csv|xlsx [--out FILE]"
	if len(args) == 0 || args[0] != "results" {
		return usageErr(use)
	}
	fs := flag.NewFlagSet("export results", flag.ContinueOnError)
	fs.SetOutput(stderr)
	election := fs.String("election", "", "election code (required)")
	ward := fs.String("ward", "", "only this ward's areas (its code)")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{2, err}
	}
	if *election == "" || fs.NArg() > 0 {
		return usageErr(use)
	}
	if *format != "csv" && *format != "xlsx" {
		return usageErr("--format %q: must be csv or xlsx", *format)
	}
	if *out == "" && *format == "xlsx" && isTerminal(stdout) {
		return usageErr("--format xlsx writes a binary file: give --out FILE or redirect the output")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "" {
		return s.ExportResultsOf(ctx, *election, *ward, *format, stdout)
	}
	// Write next to the target and rename, so a failed export leaves no
	// half-written file behind.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := s.ExportResultsOf(ctx, *election, *ward, *format, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

// splitPositional takes the first argument that is not a flag (or a flag's
// value) out of args, so "FILE --election X" and "--election X FILE" both work.
func splitPositional(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && i+1 < len(args) {
				i++ // the flag's value
			}
			continue
		}
		return a, append(append([]string{}, args[:i]...), args[i+1:]...)
	}
	return "", args
}
