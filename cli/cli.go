// Package cli is the electionbot command line: the commands (serve, chat,
// migrate, load, import, export, broadcast, healthcheck), their flags and
// exit codes, and the configuration read from the environment. The main
// package at the repository root only calls Main; the load command
// (cmd/electionbot-bench) builds the serve wiring through NewServer.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"electionbot/models"
)

const usage = `electionbot — bầu cử Trưởng thôn / Trưởng khu phố

Usage:
  electionbot serve                          run the bot (Telegram, Zalo, HTTP)
  electionbot chat [--demo|--demo-city] [--keep] [--as ID] [--admin] [--now TIME] [--lang vi|en]
                   [--files DIR] [-v]        talk to the bot in this terminal
  electionbot migrate                        apply database migrations
  electionbot load FILE.yaml                 load or update an election
  electionbot import voters FILE [--election CODE]
                                             import a voter list (.csv or .xlsx)
  electionbot import areas FILE --election CODE
                                             load a province's wards and areas from a table
  electionbot export results --election CODE --format csv|xlsx [--out FILE]
                                             one row per area: numbers, outcome, state
  electionbot export unreached --election CODE [--ward CODE] [--area CODE] [--out FILE]
                                             households no channel reached: the door-to-door list
  electionbot broadcast [--election CODE] [--audience all|areas|reporters] [--areas kp1,kp3]
                      (--text TEXT | --file FILE) [--yes] [--detach]
                                             send an announcement (progress on stderr)
  electionbot posters --election CODE --out DIR [--ward CODE] [--lang vi|en]
                                             A4 posters with a QR code per area, and links.csv
  electionbot purge --election CODE [--yes]  delete an election's voter list and lookups
                                             (Decree 13/2023), keeping its results
  electionbot healthcheck                    ask a running serve's /healthz (for Docker)

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

// Environ is the process's environment as Main takes it.
func Environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Main runs the command line args (without the program name) with these
// streams and environment, and returns the process's exit code: 0 done,
// 1 failed, 2 bad usage or configuration. An interrupt or SIGTERM cancels
// ctx for the command (serve drains and stops). It sets the process's
// default logger (slog) to LOG_LEVEL on stderr.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env map[string]string) int {
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
		err = cmdChat(ctx, cfg, rest, stdin, stdout, stderr)
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
	case "posters":
		err = cmdPosters(ctx, cfg, rest, stdout, stderr)
	case "purge":
		err = cmdPurge(ctx, cfg, rest, stdin, stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, cfg)
	default:
		err = usageErr("unknown command %q\n\n%s", cmd, usage)
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0 // the command printed its usage when asked for help
	}
	fmt.Fprintf(stderr, "electionbot %s: %s\n", cmd, describe(err))
	var ee *exitError
	if errors.As(err, &ee) {
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
