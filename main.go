// Command electionbot is a chat bot for the election of village and
// neighbourhood heads in Vietnam. See README.md and docs/design.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"electionbot/bot/outbox"
	"electionbot/models"
	_ "electionbot/sheets" // XLSX voter files and exports
)

const usage = `electionbot — bầu cử Trưởng thôn / Trưởng khu phố

Usage:
  electionbot serve                          run the bot (Telegram, Zalo, HTTP)
  electionbot chat [--demo] [--as ID] [--admin] [--now TIME] [--lang vi|en]
                                             talk to the bot in this terminal
  electionbot migrate                        apply database migrations
  electionbot load FILE.yaml                 load or update an election
  electionbot import voters FILE [--election CODE]
                                             import a voter list (.csv or .xlsx)
  electionbot export results --election CODE --format csv|xlsx [--out FILE]
                                             one row per area: numbers, outcome, state
  electionbot broadcast [--election CODE] [--audience all|areas|reporters] [--areas kp1,kp3]
                      (--text TEXT | --file FILE) [--yes] [--detach]
                                             send an announcement (progress on stderr)
  electionbot healthcheck                    ask a running serve's /healthz (for Docker)
  electionbot bench [--only PARTS] [--households N] [--database-url URL]
                                             measure intake, broadcast, lookups, import… (BENCHMARKS.md)

Environment: DATABASE_URL (default sqlite://electionbot.db), TELEGRAM_TOKEN,
LISTEN_ADDR, DEFAULT_LANG, … (see README.md).
`

// exitError carries a process exit code (2: bad usage or configuration).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, environ()))
}

func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env map[string]string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cfg, err := LoadConfig(env)
	if err != nil {
		fmt.Fprintf(stderr, "electionbot: configuration: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, rest := args[0], args[1:]
	slog.SetDefault(newLogger(stderr, cfg.LogLevel, cmd))
	switch cmd {
	case "serve":
		err = cmdServe(ctx, cfg, rest)
	case "chat":
		err = cmdChat(ctx, cfg, rest, stdin, stdout)
	case "migrate":
		err = cmdMigrate(ctx, cfg, rest, stdout)
	case "load":
		err = cmdLoad(ctx, cfg, rest, stdout)
	case "import":
		err = cmdImport(ctx, cfg, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, cfg, rest, stdout, stderr)
	case "broadcast":
		err = cmdBroadcast(ctx, cfg, rest, stdin, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, cfg)
	case "bench":
		err = cmdBench(ctx, rest, stdout, stderr, env)
	default:
		err = usageErr("unknown command %q\n\n%s", cmd, usage)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "electionbot %s: %s\n", cmd, describe(err))
	var ee *exitError
	if errors.As(err, &ee) || errors.Is(err, flag.ErrHelp) {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return ee.code
	}
	return 1
}

// describe prints an error for an operator: the message of a models.Error
// (which already names the field or line) or the error itself.
func describe(err error) string {
	var me *models.Error
	if errors.As(err, &me) {
		if me.Err != nil && me.Code == models.EINTERNAL {
			return me.Message + ": " + me.Err.Error()
		}
		return me.Message
	}
	return err.Error()
}

func newLogger(w io.Writer, level, cmd string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	if cmd == "chat" && l < slog.LevelWarn {
		l = slog.LevelWarn // keep the conversation readable
	}
	if cmd == "serve" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openStore opens DATABASE_URL and applies migrations.
func openStore(ctx context.Context, databaseURL string) (*models.Store, error) {
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
	s, err := openStore(ctx, cfg.DatabaseURL)
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
	s, err := openStore(ctx, cfg.DatabaseURL)
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
	s, err := openStore(ctx, cfg.DatabaseURL)
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
	const use = "usage: electionbot export results --election CODE --format csv|xlsx [--out FILE]"
	if len(args) == 0 || args[0] != "results" {
		return usageErr(use)
	}
	fs := flag.NewFlagSet("export results", flag.ContinueOnError)
	fs.SetOutput(stderr)
	election := fs.String("election", "", "election code (required)")
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
	s, err := openStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "" {
		return s.ExportResults(ctx, *election, *format, stdout)
	}
	// Write next to the target and rename, so a failed export leaves no
	// half-written file behind.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := s.ExportResults(ctx, *election, *format, tmp); err != nil {
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
