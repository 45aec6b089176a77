package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"electionbot/bot/console"
	"electionbot/demo"
	"electionbot/locales"
	"electionbot/models"
)

// demoDatabase is where `chat --demo` keeps the Ka Long example;
// demoCityDatabase where `chat --demo-city` keeps the TP Móng Cái one.
const (
	demoDatabase     = "electionbot-demo.db"
	demoCityDatabase = "electionbot-demo-city.db"
)

func cmdChat(ctx context.Context, cfg *Config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stdout)
	useDemo := fs.Bool("demo", false, "load the Ka Long 2022 example into a fresh embedded database ("+demoDatabase+")")
	useCity := fs.Bool("demo-city", false, "load the TP Móng Cái example (Phường Ka Long, Phường Hải Hòa, Xã Hải Tiến) into a fresh embedded database ("+demoCityDatabase+")")
	keep := fs.Bool("keep", false, "with --demo or --demo-city: keep the demo database of an earlier run (to talk as another contact)")
	as := fs.String("as", "1", "console contact id: several residents and officials can share one database")
	admin := fs.Bool("admin", false, "make this contact a ward admin")
	nowFlag := fs.String("now", "", `pretend the clock is this local time, e.g. "2022-06-02 09:00" (Asia/Ho_Chi_Minh)`)
	lang := fs.String("lang", "", "language the contact starts in: vi or en (default DEFAULT_LANG)")
	if err := fs.Parse(args); err != nil {
		return &exitError{2, err}
	}
	if fs.NArg() > 0 {
		return usageErr("chat takes no arguments, got %q", fs.Arg(0))
	}
	if *useDemo && *useCity {
		return usageErr("give --demo or --demo-city, not both")
	}
	if *lang != "" && *lang != "vi" && *lang != "en" {
		return usageErr("--lang %q: must be vi or en", *lang)
	}
	clock := time.Now
	if *nowFlag != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", *nowFlag, models.VietnamTime)
		if err != nil {
			return usageErr("--now %q: want YYYY-MM-DD HH:MM", *nowFlag)
		}
		offset := time.Until(t)
		clock = func() time.Time { return time.Now().Add(offset) }
	}

	dbURL := cfg.DatabaseURL
	demoDB, demoCode, demoLoad := demoDatabase, demo.ElectionCode, demo.Load
	if *useCity {
		demoDB, demoCode, demoLoad = demoCityDatabase, demo.CityElectionCode, demo.LoadCity
	}
	if *useDemo || *useCity {
		dbURL = "sqlite://" + demoDB
		if !*keep {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(demoDB + suffix); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
		}
	}
	s, err := OpenStore(ctx, dbURL)
	if err != nil {
		return err
	}
	defer s.Close()
	s.Now = clock
	if *useDemo || *useCity {
		if _, err := s.ElectionByCode(ctx, demoCode); models.ErrorCode(err) == models.ENOTFOUND {
			if err := demoLoad(ctx, s); err != nil {
				return fmt.Errorf("load demo: %w", err)
			}
		} else if err != nil {
			return err
		}
	}
	if *admin {
		if err := grantConsoleAdmin(ctx, s, *as); err != nil {
			return err
		}
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return err
	}
	conv, err := conversation(cfg, bundle, clock, nil, nil)
	if err != nil {
		return err
	}
	tty := isTerminal(stdin)
	c := &console.Console{
		In: stdin, Out: stdout, Store: s,
		// Each line is answered in a transaction, as serve answers an update.
		Handler: conv,
		UserID:  *as, Lang: *lang,
		Echo: !tty, Prompt: tty,
		Text: func(l, id string) string {
			if l == "" {
				l = cfg.DefaultLang
			}
			text, err := i18n.NewLocalizer(bundle, l).Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil {
				return id
			}
			return text
		},
	}
	return c.Run(ctx)
}

// grantConsoleAdmin makes console contact id an admin of every ward (as
// serve's bootstrap admins are).
func grantConsoleAdmin(ctx context.Context, s *models.Store, id string) error {
	c, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: id})
	if err != nil {
		return err
	}
	// Like the bootstrap admins of serve: every ward.
	return s.Grant(ctx, &models.RoleGrant{ContactID: &c.ID, Role: models.RoleAdmin})
}

func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
