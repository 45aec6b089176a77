// Package cli is the electionbot command line: the commands (serve, chat,
// migrate, load, import, export, broadcast, posters, purge, healthcheck),
// their flags and exit codes, and the configuration read from the
// environment. The main package at the repository root only calls Main;
// the load command (cmd/electionbot-bench) builds the serve wiring through
// NewServer.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"electionbot/models"
)

// exitError carries a process exit code (2: bad usage or configuration).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func (e *exitError) Unwrap() error { return e.err }

// usageError is a mistake in the command line itself (a missing argument,
// an unknown flag): Main prints the command's usage line after it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErr is a bad command line: exit 2 with the command's usage.
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: &usageError{msg: fmt.Sprintf(format, args...)}}
}

// flagErr is usageErr for what flag.FlagSet.Parse returned. The flag sets
// print nothing themselves (io.Discard): Main says it once.
func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		// Main answers -h and --help before a command runs; -help and
		// help inside a flag value end up here: the same answer.
		return err
	}
	return usageErr("%v", err)
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
// 1 failed, 2 bad usage or configuration. `-h`, `--help` (anywhere among
// a command's arguments) and `help [COMMAND]` print the usage on stdout
// and exit 0 before anything else is read: no configuration, no database.
// An interrupt or SIGTERM cancels ctx for the command (serve drains and
// stops). It sets the process's default logger (slog) to LOG_LEVEL on
// stderr.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env map[string]string) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, topUsage())
		return 2
	case args[0] == "-h" || args[0] == "--help" || args[0] == "-help":
		fmt.Fprint(stdout, topUsage())
		return 0
	case args[0] == "help":
		return help(args[1:], stdout, stderr)
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		if group := commandsUnder(args[0]); len(group) > 0 {
			if wantsHelp(args[1:]) {
				fmt.Fprint(stdout, groupUsage(group))
				return 0
			}
			what := args[0]
			if len(args) > 1 {
				what += " " + args[1]
			}
			fmt.Fprintf(stderr, "electionbot: unknown command %q\n\n%s", what, groupUsage(group))
			return 2
		}
		fmt.Fprintf(stderr, "electionbot: unknown command %q\n\n%s", args[0], topUsage())
		return 2
	}
	if wantsHelp(rest) {
		fmt.Fprint(stdout, cmd.helpText())
		return 0
	}
	cfg, err := LoadConfig(env)
	if err != nil {
		fmt.Fprintf(stderr, "electionbot: configuration: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	slog.SetDefault(newLogger(stderr, cfg.LogLevel, cmd.name))
	err = cmd.run(ctx, cfg, rest, stdio{in: stdin, out: stdout, err: stderr})
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, cmd.helpText())
		return 0
	}
	fmt.Fprintf(stderr, "electionbot %s: %s\n", cmd.name, describe(err))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s(electionbot %s --help tells more)\n", cmd.usageLine(), cmd.name)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// help is `electionbot help [COMMAND…]`.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, topUsage())
		return 0
	}
	if cmd, rest := lookup(args); cmd != nil && len(rest) == 0 {
		fmt.Fprint(stdout, cmd.helpText())
		return 0
	}
	if group := commandsUnder(args[0]); len(group) > 0 && len(args) == 1 {
		fmt.Fprint(stdout, groupUsage(group))
		return 0
	}
	fmt.Fprintf(stderr, "electionbot help: unknown command %q\n\n%s", strings.Join(args, " "), topUsage())
	return 2
}

// wantsHelp reports whether a command's arguments ask for its usage: -h,
// -help or --help before a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// describe prints an error for an operator: the message of a models.Error
// (which already names the field or line) or the error itself. When a
// file could not be opened or read, the operating system's reason ("open
// nofile.yaml: no such file or directory") follows the message if it does
// not say it already.
func describe(err error) string {
	var me *models.Error
	if !errors.As(err, &me) {
		return err.Error()
	}
	msg := me.Message
	var pe *fs.PathError
	switch {
	case me.Err != nil && me.Code == models.EINTERNAL:
		msg += ": " + me.Err.Error()
	case errors.As(me.Err, &pe) && !strings.Contains(msg, pe.Err.Error()):
		msg += ": " + pe.Error()
	}
	return msg
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
