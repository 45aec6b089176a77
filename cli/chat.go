package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// chatLogFile is the chat's log, in its files folder (unless -v).
const chatLogFile = "electionbot-chat.log"

// chatOptions are chat's flags.
type chatOptions struct {
	demo, city, keep, admin, verbose bool
	as, lang, files                  string
	now                              time.Time // zero: no demo time given
}

func parseChatFlags(args []string, stdout io.Writer) (*chatOptions, error) {
	var o chatOptions
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.demo, "demo", false, "load the Ka Long 2022 example into a fresh embedded database ("+demoDatabase+")")
	fs.BoolVar(&o.city, "demo-city", false, "load the TP Móng Cái example (Phường Ka Long, Phường Hải Hòa, Xã Hải Tiến) into a fresh embedded database ("+demoCityDatabase+")")
	fs.BoolVar(&o.keep, "keep", false, "with --demo or --demo-city: keep the demo database of an earlier run (to talk as another contact)")
	fs.StringVar(&o.as, "as", "1", "console contact id: several residents and officials can share one database")
	fs.BoolVar(&o.admin, "admin", false, "make this contact a ward admin")
	now := fs.String("now", "", `set the demo clock to this time: "2022-06-04 18:00" (Vietnam time) or RFC 3339; /gio moves it forward`)
	fs.StringVar(&o.lang, "lang", "", "language the contact starts in: vi or en (default DEFAULT_LANG)")
	fs.StringVar(&o.files, "files", "", "folder for charts, exports and the log (default: a new temporary folder)")
	fs.BoolVar(&o.verbose, "v", false, "log to stderr (LOG_LEVEL) instead of the files folder")
	if err := fs.Parse(args); err != nil {
		return nil, flagErr(err)
	}
	if fs.NArg() > 0 {
		return nil, usageErr("chat takes no arguments, got %q", fs.Arg(0))
	}
	if o.demo && o.city {
		return nil, usageErr("give --demo or --demo-city, not both")
	}
	if o.lang != "" && o.lang != "vi" && o.lang != "en" {
		return nil, usageErr("--lang %q: must be vi or en", o.lang)
	}
	if strings.TrimSpace(o.as) == "" {
		return nil, usageErr("--as: give a contact id")
	}
	if *now != "" {
		t, err := parseDemoTime(*now)
		if err != nil {
			return nil, usageErr("--now %v", err)
		}
		o.now = t
	}
	return &o, nil
}

func cmdChat(ctx context.Context, cfg *Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseChatFlags(args, stdout)
	if err != nil {
		return err
	}
	files, closeLog, err := chatFilesAndLog(cfg, o, stderr)
	if err != nil {
		return err
	}
	defer closeLog()

	dbURL := cfg.DatabaseURL
	demoDB, demoCode, demoLoad := demoDatabase, demo.ElectionCode, demo.Load
	if o.city {
		demoDB, demoCode, demoLoad = demoCityDatabase, demo.CityElectionCode, demo.LoadCity
	}
	if o.demo || o.city {
		dbURL = "sqlite://" + demoDB
		if !o.keep {
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
	clock := &demoClock{}
	if o.now.IsZero() {
		err = clock.refresh(ctx, s) // another chat's demo time, if any
	} else {
		err = clock.set(ctx, s, o.now)
	}
	if err != nil {
		return err
	}
	s.Now = clock.Now
	if o.demo || o.city {
		if _, err := s.ElectionByCode(ctx, demoCode); models.ErrorCode(err) == models.ENOTFOUND {
			if err := demoLoad(ctx, s); err != nil {
				return fmt.Errorf("load demo: %w", err)
			}
		} else if err != nil {
			return err
		}
	}
	if o.admin {
		if err := grantConsoleAdmin(ctx, s, o.as); err != nil {
			return err
		}
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return err
	}
	conv, err := conversation(cfg, bundle, clock.Now, nil, nil)
	if err != nil {
		return err
	}
	cs, err := newChatSession(ctx, cfg, s, clock, conv, o.demo || o.city)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := cs.start(runCtx); err != nil {
		return err
	}
	defer cs.stop()
	go clock.follow(runCtx, s, 200*time.Millisecond)

	text := chatText(cfg, bundle)
	lang := o.lang // the welcome's: the flag's, or a returning contact's
	if lang == "" {
		if lang, err = s.ContactLang(ctx, models.ChannelConsole, o.as); err != nil {
			return err
		}
	}
	tty := isTerminal(stdin)
	c := &console.Console{
		In: stdin, Out: stdout, Store: s, Intake: cs.intake,
		UserID: o.as, Lang: o.lang,
		Echo: !tty, Prompt: tty,
		DocumentDir: files,
		Text:        text,
		Local:       cs.clockCommand(text),
		Settle:      cs.settled,
		Log:         slog.Default(),
	}
	fmt.Fprintln(stdout, welcome(text, lang, o, clock, files))
	return c.Run(runCtx)
}

// chatFilesAndLog makes the files folder (--files, or a new temporary
// one) and sends the log there, or to stderr with -v: the conversation
// is not interleaved with log lines.
func chatFilesAndLog(cfg *Config, o *chatOptions, stderr io.Writer) (dir string, closeLog func(), err error) {
	dir = o.files
	if dir == "" {
		if dir, err = os.MkdirTemp("", "electionbot-chat-"); err != nil {
			return "", nil, err
		}
	} else if err = os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return "", nil, err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	if o.verbose {
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
		return dir, func() {}, nil
	}
	f, err := os.OpenFile(filepath.Join(dir, chatLogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", nil, err
	}
	// Several chat processes may share the folder: each line says whose.
	slog.SetDefault(slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})).With("as", o.as))
	return dir, func() { f.Close() }, nil
}

// chatText localises the console's own lines; lang "" is DEFAULT_LANG.
func chatText(cfg *Config, bundle *i18n.Bundle) func(lang, id string, data map[string]any) string {
	return func(lang, id string, data map[string]any) string {
		if lang == "" {
			lang = cfg.DefaultLang
		}
		text, err := i18n.NewLocalizer(bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
		if err != nil {
			return id
		}
		return text
	}
}

// welcome is the chat's first lines: who you are, how to talk, the demo
// time and where files go.
func welcome(text func(lang, id string, data map[string]any) string, lang string, o *chatOptions, clock *demoClock, files string) string {
	lines := []string{text(lang, "console_welcome", map[string]any{"ID": o.as, "Admin": o.admin})}
	if clock.on.Load() {
		lines = append(lines, text(lang, "console_welcome_clock", map[string]any{
			"Time": demoTimeText(text, lang, clock.Now()), "Move": o.demo || o.city}))
	}
	data := map[string]any{"Dir": files}
	if !o.verbose {
		data["Log"] = filepath.Join(files, chatLogFile)
	}
	lines = append(lines, text(lang, "console_welcome_files", data))
	return strings.Join(lines, "\n") + "\n"
}

// demoTimeText writes a demo time for the console: "19:00, Thứ bảy
// 04/06/2022".
func demoTimeText(text func(lang, id string, data map[string]any) string, lang string, t time.Time) string {
	t = t.In(models.VietnamTime)
	date := t.Format("02/01/2006")
	if lang == "en" {
		date = t.Format("2 January 2006")
	}
	return text(lang, "console_time", map[string]any{
		"Clock": t.Format("15:04"), "Weekday": text(lang, fmt.Sprintf("weekday_%d", t.Weekday()), nil), "Date": date,
	})
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
