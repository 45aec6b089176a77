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
	if len(args) > 0 && args[0] == "areas" {
		return cmdImportAreas(ctx, cfg, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "voters" {
		return usageErr("usage: electionbot import voters FILE [--election CODE]\n       electionbot import areas FILE --election CODE")
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

const importAreasUsage = `usage: electionbot import areas FILE.csv|FILE.xlsx --election CODE

Makes the wards and areas of election CODE those of the table FILE, one row
per area (the whole list: areas it leaves out are removed, refused if they
have voters or tallies). Columns, in any order (docs/design.md §5):
  city,ward_code,ward,area_code,area,households,polling_place,address,lat,lon,candidates
or in Vietnamese:
  thanh_pho,ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu,dia_chi,vi_do,kinh_do,nguoi_ung_cu
and optionally unit (loai: thon, ban, ap, khu, khu-pho, to-dan-pho) and
ward_kind (loai_xa: xa, phuong, thi-tran). Candidates are separated by ";".
A column left out keeps what is stored. A bad row refuses the whole table
("line N: reason"). The election is created by "electionbot load FILE.yaml"
first; its date, hours and reminders are left as they are.
`

// cmdImportAreas is `import areas FILE --election CODE`.
func cmdImportAreas(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import areas", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	file, flagArgs := splitPositional(args)
	if err := fs.Parse(flagArgs); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, importAreasUsage)
			return nil
		}
		return usageErr("%v\n%s", err, importAreasUsage)
	}
	extra := fs.Args()
	if file == "" && len(extra) > 0 {
		file, extra = extra[0], extra[1:]
	}
	if file == "" || *election == "" || len(extra) > 0 {
		return usageErr("%s", importAreasUsage)
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
	fmt.Fprintln(stdout, rep.String())
	return nil
}

func cmdExport(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	const use = "usage: electionbot export results --election CODE [--ward CODE] --format csv|xlsx [--out FILE]"
	if len(args) > 0 && args[0] == "unreached" {
		return cmdExportUnreached(ctx, cfg, args[1:], stdout, stderr) // export_unreached.go
	}
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
