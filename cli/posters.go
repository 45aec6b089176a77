package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"electionbot/bot/telegram"
	"electionbot/locales"
	"electionbot/models"
	"electionbot/posters"
)

// cmdPosters is `electionbot posters` (docs/design.md §5 "Posters").
// Nothing is written before the election, the ward and the bot's username
// are known; links.csv is written last, so its presence says every poster
// was written.
func cmdPosters(ctx context.Context, cfg *Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("posters", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (required)")
	out := fs.String("out", "", "directory to write the posters and links.csv into (required)")
	wardCode := fs.String("ward", "", "only the areas of this ward (its code)")
	lang := fs.String("lang", "vi", "language of the posters: vi or en")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("posters takes no arguments, got %q", fs.Arg(0))
	case *election == "" || *out == "":
		return usageErr("give --election CODE and --out DIR")
	case *lang != "vi" && *lang != "en":
		return usageErr("--lang %q: must be vi or en", *lang)
	case cfg.TelegramBotUsername == "" && cfg.TelegramToken == "":
		return usageErr("the QR codes link to https://t.me/<bot username>: set TELEGRAM_BOT_USERNAME (or TELEGRAM_TOKEN, to ask Telegram)")
	}

	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	e, areas, err := posterAreas(ctx, s, *election, *wardCode)
	if err != nil {
		return err
	}
	bot, err := botUsername(ctx, cfg)
	if err != nil {
		return err
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return err
	}
	loc := locales.NewLocalizers(bundle, locales.Languages[0])

	links := make([]posters.Link, len(areas))
	for i, a := range areas {
		links[i] = posters.NewLink(a, bot, cfg.ZaloOAID)
		if err := os.MkdirAll(filepath.Join(*out, links[i].WardCode), 0o755); err != nil {
			return err
		}
	}
	// Drawing and compressing a page is CPU work: one poster per core.
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, a := range areas {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			p, err := posters.Compose(loc, *lang, e, a, links[i], bot)
			if err != nil {
				return err
			}
			png, err := posters.Render(p)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", links[i].WardCode, a.Code, err)
			}
			if err := os.WriteFile(filepath.Join(*out, links[i].WardCode, a.Code+".png"), png, 0o644); err != nil {
				return err
			}
			if n := done.Add(1); n%100 == 0 && int(n) < len(areas) {
				fmt.Fprintf(stderr, "posters: %d/%d\n", n, len(areas))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := posters.WriteLinks(&buf, links); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "links.csv"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d posters of %s (%d wards) written to %s, links in %s\n", len(areas), e.Code,
		wardCount(links), *out, filepath.Join(*out, "links.csv"))
	return nil
}

// posterAreas are the election's areas with their wards and polling
// places, of one ward when wardCode is set.
func posterAreas(ctx context.Context, s *models.Store, code, wardCode string) (*models.Election, []*models.Area, error) {
	e, err := s.ElectionByCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	var w *models.Ward
	if wardCode != "" {
		if w, err = s.WardByCode(ctx, wardCode); err != nil {
			return nil, nil, err
		}
	}
	var areas []*models.Area
	if w != nil {
		areas, err = s.WardAreas(ctx, e.ID, w)
	} else {
		areas, err = s.Areas(ctx, e.ID)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(areas) == 0 && w != nil {
		return nil, nil, fmt.Errorf("ward %q has no areas in election %q", wardCode, code)
	}
	if len(areas) == 0 {
		return nil, nil, fmt.Errorf("election %q has no areas", code)
	}
	for _, a := range areas {
		// The codes become file names: a code that would leave DIR stops
		// the command before anything is written.
		if a.Ward == nil || !safeName(a.Ward.Code) || !safeName(a.Code) {
			return nil, nil, fmt.Errorf("area %d: ward and area codes must be plain file names to write posters", a.ID)
		}
	}
	return e, areas, nil
}

func safeName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`) && filepath.IsLocal(s)
}

// botUsername is TELEGRAM_BOT_USERNAME, or the username getMe gives for
// TELEGRAM_TOKEN.
func botUsername(ctx context.Context, cfg *Config) (string, error) {
	if cfg.TelegramBotUsername != "" {
		return posters.BotUsername(cfg.TelegramBotUsername)
	}
	self, err := telegram.GetMe(ctx, cfg.TelegramToken, cfg.TelegramAPIEndpoint, apiClient())
	if err != nil {
		return "", fmt.Errorf("%w; or set TELEGRAM_BOT_USERNAME", err)
	}
	return posters.BotUsername(self.Username)
}

func wardCount(links []posters.Link) int {
	seen := map[string]bool{}
	for _, l := range links {
		seen[l.WardCode] = true
	}
	return len(seen)
}
