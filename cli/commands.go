package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// stdio are the streams a command reads and writes.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one entry of the command line. Adding a command is adding
// one: a line in commands below, or register(&command{…}) from an init
// function in the command's own file. Main answers --help from the entry
// alone (nothing is read, no database opened), and prints usageLine after
// a usage error.
type command struct {
	// name is the words that select it: "load", "import voters".
	name string
	// synopsis is its arguments, after "electionbot <name> ", on one line
	// or several (continuation lines start with spaces).
	synopsis string
	// summary says what it does, in one line.
	summary string
	// help, if any, is the rest of what --help prints: the details, the
	// flags.
	help string
	run  func(ctx context.Context, cfg *Config, args []string, std stdio) error
}

// commands in the order the usage lists them.
var commands = []*command{
	{name: "serve", summary: "run the bot (Telegram, Zalo, the results page and /healthz on LISTEN_ADDR)",
		help: serveHelp,
		run: func(ctx context.Context, cfg *Config, args []string, _ stdio) error {
			return cmdServe(ctx, cfg, args)
		}},
	{name: "chat", synopsis: "[--demo|--demo-city] [--keep] [--as ID] [--admin] [--now TIME] [--lang vi|en] [--files DIR] [-v]",
		summary: "talk to the bot in this terminal", help: chatHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdChat(ctx, cfg, args, std.in, std.out, std.err)
		}},
	{name: "migrate", summary: "apply the database migrations (DATABASE_URL)",
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdMigrate(ctx, cfg, args, std.out)
		}},
	{name: "load", synopsis: "FILE.yaml", summary: "load or update an election from its file; says what changed",
		help: loadHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdLoad(ctx, cfg, args, std.out)
		}},
	{name: "import voters", synopsis: "FILE.csv|FILE.xlsx [--election CODE]", summary: "import a voter list",
		help: importVotersHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdImportVoters(ctx, cfg, args, std.out, std.err)
		}},
	{name: "import areas", synopsis: "FILE.csv|FILE.xlsx --election CODE",
		summary: "load a province's wards and areas from a table", help: importAreasHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdImportAreas(ctx, cfg, args, std.out, std.err)
		}},
	{name: "export results", synopsis: "--election CODE [--ward CODE] [--format csv|xlsx] [--out FILE]",
		summary: "one row per area as the officials see it: numbers, outcome, state and review (CSV or XLSX)", help: exportResultsHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdExportResults(ctx, cfg, args, std.out, std.err)
		}},
	{name: "broadcast", synopsis: broadcastSynopsis, summary: "send an announcement (progress on stderr)",
		help: broadcastHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdBroadcast(ctx, cfg, args, std.in, std.out, std.err)
		}},
	{name: "posters", synopsis: "--election CODE --out DIR [--ward CODE] [--lang vi|en]",
		summary: "A4 posters with a QR code per area, and links.csv", help: postersHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdPosters(ctx, cfg, args, std.out, std.err)
		}},
	{name: "purge", synopsis: "--election CODE [--yes]",
		summary: "delete an election's voter list and lookups (Decree 13/2023), keeping its results", help: purgeHelp,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdPurge(ctx, cfg, args, std.in, std.out, std.err)
		}},
	{name: "healthcheck", summary: "ask a running serve's /healthz (for Docker's HEALTHCHECK); exit 0 when healthy",
		run: func(ctx context.Context, cfg *Config, args []string, _ stdio) error {
			if len(args) > 0 {
				return usageErr("healthcheck takes no arguments, got %q", args[0])
			}
			return cmdHealthcheck(ctx, cfg)
		}},
}

// register adds a command from its own file (in an init function), after
// those of the table.
func register(c *command) {
	for _, o := range commands {
		if o.name == c.name {
			panic("cli: command " + c.name + " registered twice")
		}
	}
	commands = append(commands, c)
}

// lookup finds the command args name (its longest match) and the
// arguments that follow its name.
func lookup(args []string) (*command, []string) {
	var best *command
	n := 0
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) <= n || len(words) > len(args) {
			continue
		}
		match := true
		for i, w := range words {
			if args[i] != w {
				match = false
				break
			}
		}
		if match {
			best, n = c, len(words)
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, args[n:]
}

// commandsUnder are the commands whose name starts with the word group
// and has more words ("import" → import voters, import areas).
func commandsUnder(group string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	return out
}

// usageLine is "usage: electionbot <name> <synopsis>\n".
func (c *command) usageLine() string {
	line := "usage: electionbot " + c.name
	if c.synopsis != "" {
		line += " " + c.synopsis
	}
	return line + "\n"
}

// helpText is what `electionbot <name> --help` prints.
func (c *command) helpText() string {
	s := c.usageLine() + "\n" + capitalise(c.summary) + ".\n"
	if c.help != "" {
		s += "\n" + strings.TrimLeft(c.help, "\n")
	}
	return s
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

const usageHead = `electionbot — bầu cử Trưởng thôn / Trưởng khu phố

Usage:
`

const usageTail = `
electionbot COMMAND --help (or electionbot help COMMAND) tells more about each.
Environment: DATABASE_URL (default sqlite://electionbot.db), TELEGRAM_TOKEN,
LISTEN_ADDR, DEFAULT_LANG, … (see README.md).
`

// topUsage lists every command.
func topUsage() string {
	return usageHead + listing(commands) + usageTail
}

// groupUsage lists the commands of a group ("import", "export").
func groupUsage(cs []*command) string {
	return "Usage:\n" + listing(cs) + "\nelectionbot COMMAND --help tells more about each.\n"
}

// listing is one entry per command: its usage, then what it does.
func listing(cs []*command) string {
	var b strings.Builder
	for _, c := range cs {
		line := "  electionbot " + c.name
		if c.synopsis != "" {
			line += " " + c.synopsis
		}
		fmt.Fprintf(&b, "%s\n      %s\n", line, c.summary)
	}
	return b.String()
}

// commandNames are the names of every command, sorted (for the tests).
func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return names
}
