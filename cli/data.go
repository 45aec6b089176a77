package cli

import (
	"context"
	"errors"
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
		return usageErr("migrate takes no arguments, got %q", args[0])
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "database is up to date (%s)\n", s.Dialect())
	return nil
}

// cmdLoad is `load FILE.yaml`. The file is read and checked before the
// database is opened: a missing or bad file changes nothing, not even
// the database's creation.
func cmdLoad(ctx context.Context, cfg *Config, args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		return usageErr("give the election file")
	case len(args) > 1:
		return usageErr("load takes one file, got %d arguments", len(args))
	case strings.HasPrefix(args[0], "-") && args[0] != "-":
		return usageErr("flag provided but not defined: %s", args[0])
	}
	f, err := models.ReadElectionFile(args[0])
	if err != nil {
		return err
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.LoadElection(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.Text())
	return nil
}

// cmdImportVoters is `import voters FILE [--election CODE]`.
func cmdImportVoters(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import voters", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (default: the current election)")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if err := readable(file, "voter file"); err != nil {
		return err
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

// cmdImportAreas is `import areas FILE --election CODE`.
func cmdImportAreas(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import areas", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if *election == "" {
		return usageErr("give --election CODE (the election created by electionbot load)")
	}
	if err := readable(file, "areas table"); err != nil {
		return err
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.ImportAreasFile(ctx, file, models.AreaImportOptions{ElectionCode: *election, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, rep.Text())
	return nil
}

// parseWithFile parses a command's flags around its one FILE argument
// ("FILE --election X" and "--election X FILE" both work) and returns
// the file.
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	file, flagArgs := splitPositional(args)
	if err := fs.Parse(flagArgs); err != nil {
		return "", flagErr(err)
	}
	extra := fs.Args()
	if file == "" && len(extra) > 0 {
		file, extra = extra[0], extra[1:]
	}
	switch {
	case file == "":
		return "", usageErr("give the file")
	case len(extra) > 0:
		return "", usageErr("one file at a time, got also %q", extra[0])
	}
	return file, nil
}

// readable checks that a file the command reads can be opened, before the
// database is: "cannot read voter file x.csv: open x.csv: no such file or
// directory" (the operating system's reason, in its language).
func readable(path, what string) error {
	f, err := os.Open(path)
	if err != nil {
		return models.Wrap(models.EINVALID, err, "cannot read %s %s", what, path)
	}
	st, err := f.Stat()
	f.Close()
	switch {
	case err != nil:
		return models.Wrap(models.EINVALID, err, "cannot read %s %s", what, path)
	case st.IsDir():
		return models.Errorf(models.EINVALID, "cannot read %s %s: it is a folder", what, path)
	}
	return nil
}

// cmdExportResults is `export results`. CSV goes to standard output
// unless --out; XLSX, a binary file, never does: without --out it is
// written to <election>[-<ward>]-results.xlsx in the working folder
// (-2, -3… when that exists: nothing is overwritten) and its path printed.
func cmdExportResults(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export results", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	ward := fs.String("ward", "", "only this ward's areas (its code)")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "file to write")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("export results takes no arguments, got %q", fs.Arg(0))
	case *election == "":
		return usageErr("give --election CODE")
	case *format != models.ExportCSV && *format != models.ExportXLSX:
		return usageErr("--format %q: must be csv or xlsx", *format)
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "" && *format == models.ExportCSV {
		return s.ExportResultsOf(ctx, *election, *ward, *format, stdout)
	}
	path, named := *out, *out == ""
	if named {
		base := *election
		if *ward != "" {
			base += "-" + *ward
		}
		base += "-results"
		if !safeName(base) {
			return usageErr("give --out FILE: %q is not a plain file name", base)
		}
		path = base + "." + *format
	}
	if path, err = writeExport(ctx, s, *election, *ward, *format, path, named); err != nil {
		return err
	}
	if named {
		fmt.Fprintln(stdout, path)
	}
	return nil
}

// writeExport writes the export next to path and renames it there, so a
// failed export leaves no half-written file behind, and returns the path
// written. With fresh, no existing file is replaced: the name takes -2,
// -3… until one is free (it is claimed with O_EXCL first, so two exports
// at once never take the same).
func writeExport(ctx context.Context, s *models.Store, election, ward, format, path string, fresh bool) (string, error) {
	if fresh {
		var err error
		if path, err = claimName(path); err != nil {
			return "", err
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	err = s.ExportResultsOf(ctx, election, ward, format, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil && fresh {
		os.Remove(path) // the empty file claimed
	}
	return path, err
}

// claimName creates path, or stem-2.ext, stem-3.ext… when it exists, and
// returns the name created (an empty file).
func claimName(path string) (string, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for i := 1; i < 1000; i++ {
		p := path
		if i > 1 {
			p = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return p, f.Close()
	}
	return "", fmt.Errorf("%s and 998 more names like it exist: give --out FILE", path)
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
