package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"electionbot/models"
)

func init() {
	register(&command{name: "export unreached",
		synopsis: "--election CODE [--ward CODE] [--area CODE] [--broadcast ID] [--out FILE]",
		summary:  "households no channel reached: the door-to-door list (CSV, names masked)",
		help: `Lists the households of the voter list that the latest broadcast to
households (or --broadcast ID) reached by no channel: ward, area, household
number, masked name, address and why (no_channel, unreachable, failed,
ceiling, uncertain: a ZNS whose sender stopped mid-call, perhaps received,
not sent again; its delivery receipt takes it off). Households that opted
out are left off. CSV on standard output unless --out.
`,
		run: func(ctx context.Context, cfg *Config, args []string, std stdio) error {
			return cmdExportUnreached(ctx, cfg, args, std.out, std.err)
		}})
}

// cmdExportUnreached is `electionbot export unreached --election CODE
// [--ward CODE] [--area CODE] [--broadcast ID] [--out FILE]`: the
// door-to-door list of the households no channel reached in the latest
// broadcast that went to households (or the one given), as CSV
// (models.WriteUnreachedCSV: ward, area, household number, masked name,
// address, reason) — what the tổ trưởng takes from door to door.
func cmdExportUnreached(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export unreached", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	ward := fs.String("ward", "", "only this ward's households (its code)")
	area := fs.String("area", "", "only this area's households (its code; with --ward when several wards have it)")
	bcID := fs.Int64("broadcast", 0, "this broadcast (default: the latest that went to households)")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if *election == "" {
		return usageErr("export unreached needs --election CODE")
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "" {
		return exportUnreached(ctx, s, unreachedQuery{*election, *ward, *area, *bcID}, stdout, stderr)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".unreached-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := exportUnreached(ctx, s, unreachedQuery{*election, *ward, *area, *bcID}, tmp, stderr); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

// unreachedQuery is what export unreached lists.
type unreachedQuery struct {
	election, ward, area string
	broadcast            int64 // 0: the latest that went to households
}

// exportUnreached writes the door-to-door list of q as CSV to w, the
// count to stderr.
func exportUnreached(ctx context.Context, s *models.Store, q unreachedQuery, w, stderr io.Writer) error {
	election, ward, area, bcID := &q.election, &q.ward, &q.area, &q.broadcast
	e, err := s.ElectionByCode(ctx, *election)
	if err != nil {
		return err
	}
	all, err := s.Areas(ctx, e.ID)
	if err != nil {
		return err
	}
	byID := map[int64]*models.Area{}
	var ids []int64
	for _, a := range all {
		if (*ward != "" && (a.Ward == nil || a.Ward.Code != *ward)) || (*area != "" && a.Code != *area) {
			continue
		}
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	if len(ids) == 0 {
		return models.Errorf(models.ENOTFOUND, "election %s has no area %s%s", *election, *ward, *area)
	}
	var bc *models.Broadcast
	if *bcID > 0 {
		bc, err = s.Broadcast(ctx, *bcID)
		if err == nil && bc.ElectionID != e.ID {
			err = models.Errorf(models.ENOTFOUND, "broadcast %d is not of election %s", *bcID, *election)
		}
	} else {
		bc, err = s.LatestReachBroadcast(ctx, e.ID)
	}
	if err != nil {
		return err
	}
	hs, err := s.UnreachedHouseholds(ctx, bc.ID, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "broadcast #%d: %d households not reached\n", bc.ID, len(hs))
	return models.WriteUnreachedCSV(w, hs, byID)
}
