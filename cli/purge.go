package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// cmdPurge is `purge --election CODE [--yes]`.
func cmdPurge(ctx context.Context, cfg *Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	yes := fs.Bool("yes", false, "delete without asking")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("purge takes no arguments, got %q", fs.Arg(0))
	case *election == "":
		return usageErr("give --election CODE")
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	preview, err := s.PurgeElection(ctx, *election, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s — %s\nto delete: %s\nkept: areas, candidates, tallies and their reviews (the results)\n",
		preview.Election.Code, preview.Election.Title, preview)
	if !*yes {
		if !isTerminal(stdin) {
			return &exitError{2, errors.New("nothing deleted: confirm with --yes (standard input is not a terminal)")}
		}
		fmt.Fprint(stderr, "Delete it for good? [y/N] ")
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" && a != "c" && a != "co" && a != "có" {
			return &exitError{2, errors.New("nothing deleted")}
		}
	}
	rep, err := s.PurgeElection(ctx, *election, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "purged %s\n", rep)
	return nil
}

// autoPurge is the automatic purge of housekeeping (PURGE_AFTER_DAYS): the
// elections due at now (models.PurgeDue) are purged, each logged.
func (sv *Server) autoPurge(ctx context.Context, now time.Time) {
	days := sv.cfg.PurgeAfterDays
	if days <= 0 {
		return
	}
	due, err := sv.store.PurgeDue(ctx, now, time.Duration(days)*24*time.Hour)
	if err != nil {
		if ctx.Err() == nil {
			sv.log.Warn("housekeeping: elections to purge", "err", err)
		}
		return
	}
	for _, code := range due {
		rep, err := sv.store.PurgeElection(ctx, code, false)
		if err != nil {
			sv.log.Error("housekeeping: purge", "election", code, "err", err)
			continue
		}
		sv.log.Warn("housekeeping: election purged (PURGE_AFTER_DAYS after its results were recognised)",
			"election", code, "days", days, "voters", rep.Voters, "phones", rep.Phones, "states", rep.States,
			"lookups", rep.LookupAudits, "replies", rep.Replies)
	}
}
