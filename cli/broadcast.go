package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"electionbot/bot"
	"electionbot/bot/outbox"
	"electionbot/bot/telegram"
	"electionbot/broadcast"
	"electionbot/locales"
	"electionbot/models"
)

// cmdBroadcast is `electionbot broadcast`: the same announcement as
// /thongbao, from the command line. It shows the preview and the number of
// recipients, asks to confirm (unless --yes), queues the broadcast, and
// follows it to the end with progress on stderr and the report on stdout.
// With TELEGRAM_TOKEN it sends too, as one more replica (its share of
// BROADCAST_RATE comes from the same lease as serve's); without it, a
// running serve sends. --detach returns once it is queued.
func cmdBroadcast(ctx context.Context, cfg *Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("broadcast", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	election := fs.String("election", "", "election code (default: the current election)")
	audience := fs.String("audience", "", "all, areas or reporters (default: all; areas with --areas)")
	areaCodes := fs.String("areas", "", "comma-separated area codes (kp1,kp3): only these areas (of --ward when the election has several wards)")
	wardCode := fs.String("ward", "", "only this ward's people (its code)")
	city := fs.String("city", "", "only this city's or district's people (its name, as in the election file)")
	text := fs.String("text", "", "the announcement")
	file := fs.String("file", "", "read the announcement from FILE (- for standard input)")
	yes := fs.Bool("yes", false, "send without asking")
	detach := fs.Bool("detach", false, "queue it and return (a running serve sends it)")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() > 0 {
		return usageErr("broadcast takes no arguments, got %q (the text goes in --text)", fs.Arg(0))
	}
	body := *text
	switch {
	case *text != "" && *file != "":
		return usageErr("give --text or --file, not both")
	case *file == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return err
		}
		body = string(b)
	case *file != "":
		b, err := os.ReadFile(*file)
		if err != nil {
			return &exitError{2, fmt.Errorf("cannot read announcement file %s: %w", *file, err)}
		}
		body = string(b)
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return usageErr("the announcement is empty: give --text or --file")
	}
	aud := *audience
	switch {
	case aud == "" && *areaCodes != "":
		aud = models.AudienceAreas
	case aud == "":
		aud = models.AudienceAll
	case aud != models.AudienceAll && aud != models.AudienceAreas && aud != models.AudienceReporters:
		return usageErr("--audience %q: must be all, areas or reporters", aud)
	}
	if (aud == models.AudienceAreas) != (*areaCodes != "") {
		return usageErr("--areas goes with --audience areas")
	}
	if *wardCode != "" && *city != "" {
		return usageErr("give --ward or --city, not both")
	}

	s, err := OpenStore(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer s.Close()
	var el *models.Election
	if *election != "" {
		el, err = s.ElectionByCode(ctx, *election)
	} else {
		el, err = s.CurrentElection(ctx)
	}
	if err != nil {
		return err
	}
	b := &models.Broadcast{ElectionID: el.ID, Kind: models.BroadcastAnnouncement, Audience: aud, Body: body, Source: "cli"}
	speaker, err := broadcastScope(ctx, s, el, b, *wardCode, *city)
	if err != nil {
		return err
	}
	var names []string
	if aud == models.AudienceAreas {
		areas, err := s.Areas(ctx, el.ID)
		if err != nil {
			return err
		}
		byCode := map[string]*models.Area{}
		var codes []string
		for _, a := range areas {
			if b.WardID != nil && a.WardID != *b.WardID {
				continue
			}
			if byCode[a.Code] != nil {
				return usageErr("--areas: %s has several wards with area %s: give --ward", el.Code, a.Code)
			}
			byCode[a.Code] = a
			codes = append(codes, a.Code)
		}
		var ids []int64
		for _, c := range strings.Split(*areaCodes, ",") {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			a := byCode[c]
			if a == nil {
				return usageErr("--areas: %q is not an area of %s (%s)", c, el.Code, strings.Join(codes, ", "))
			}
			ids = append(ids, a.ID)
			names = append(names, a.Name)
		}
		b.SetAreas(ids)
	}
	if err := s.CreateBroadcast(ctx, b); err != nil {
		return err
	}
	cnt, err := s.CountAudience(ctx, b)
	if err != nil {
		return err
	}
	texts, err := broadcast.NewTexts(cfg.DefaultLang, slog.Default())
	if err != nil {
		return err
	}
	lang := cfg.DefaultLang
	who := map[string]string{models.AudienceAll: "everyone", models.AudienceReporters: "the election teams (reporters)"}[aud]
	if len(names) > 0 {
		who = strings.Join(names, ", ")
	}
	fmt.Fprintf(stderr, "%s — %s\nto: %s: %s recipients", el.Code, el.Title, who, locales.Number(lang, cnt.Reachable))
	if cnt.Unreachable > 0 {
		fmt.Fprintf(stderr, " (%s who blocked the bot are skipped)", locales.Number(lang, cnt.Unreachable))
	}
	fmt.Fprintf(stderr, "\n-----\n%s\n\n%s\n-----\n", texts.Header(lang, speaker), body)
	if cnt.Reachable == 0 {
		_ = s.CancelBroadcast(ctx, b.ID)
		return fmt.Errorf("nobody to send it to: not sent")
	}
	if !*yes {
		if !isTerminal(stdin) {
			_ = s.CancelBroadcast(ctx, b.ID)
			return &exitError{2, errors.New("not sent: confirm with --yes (standard input is not a terminal)")}
		}
		fmt.Fprintf(stderr, "Send to %s recipients? [y/N] ", locales.Number(lang, cnt.Reachable))
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" && a != "c" && a != "co" && a != "có" {
			_ = s.CancelBroadcast(ctx, b.ID)
			return fmt.Errorf("not sent")
		}
	}
	if b, err = s.QueueBroadcast(ctx, b.ID, nil); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "broadcast #%d queued\n", b.ID)
	if *detach {
		fmt.Fprintf(stdout, "broadcast #%d queued for %d recipients\n", b.ID, cnt.Reachable)
		return nil
	}

	var sender *broadcast.Broadcaster
	if cfg.TelegramToken != "" {
		var ob *outbox.Outbox
		if ob, sender, err = startBroadcastSender(ctx, cfg, s); err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ob.Stop(sctx)
		}()
	} else {
		fmt.Fprintln(stderr, "no TELEGRAM_TOKEN here: a running `electionbot serve` sends it (Ctrl-C stops watching, not the broadcast)")
	}
	return followBroadcast(ctx, s, sender, texts, lang, b, stdout, stderr)
}

// followBroadcast prints the progress until the broadcast is done, then the
// report. With a sender of its own it also advances the broadcast (there
// may be no serve).
func followBroadcast(ctx context.Context, s *models.Store, sender *broadcast.Broadcaster, texts *broadcast.Texts, lang string,
	b *models.Broadcast, stdout, stderr io.Writer) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, lastChange := -1, time.Now()
	warned := false
	for {
		if sender != nil {
			if err := sender.Tick(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("broadcast: tick", "err", err)
			}
		}
		cur, err := s.Broadcast(context.WithoutCancel(ctx), b.ID)
		if err != nil {
			return err
		}
		st, err := s.BroadcastStats(context.WithoutCancel(ctx), b.ID)
		if err != nil {
			return err
		}
		if cur.Status == models.BroadcastDone {
			fmt.Fprintln(stderr, texts.ProgressText(lang, cur, st.Finished(), st.Total))
			fmt.Fprintln(stdout, texts.ReportText(lang, cur, st))
			return nil
		}
		total := st.Total
		if !cur.FannedOut {
			if cnt, err := s.CountAudience(ctx, cur); err == nil {
				total = max(total, cnt.Reachable+cnt.Unreachable)
			}
		}
		if done := st.Finished(); done != last {
			fmt.Fprintln(stderr, texts.ProgressText(lang, cur, done, total))
			last, lastChange, warned = done, time.Now(), false
		} else if sender == nil && !warned && time.Since(lastChange) > 30*time.Second {
			fmt.Fprintln(stderr, "nothing sent for 30 s: is `electionbot serve` running with TELEGRAM_TOKEN?")
			warned = true
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "stopped following broadcast #%d; what is not sent yet goes out with the next serve or broadcast\n", b.ID)
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// startBroadcastSender is this process as one more sender: an outbox that
// works only the broadcast queue, through the Telegram channel, and the
// broadcaster that advances the broadcasts.
func startBroadcastSender(ctx context.Context, cfg *Config, s *models.Store) (*outbox.Outbox, *broadcast.Broadcaster, error) {
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bc, err := broadcast.New(broadcast.Config{Store: s, DefaultLang: cfg.DefaultLang, Logger: quiet})
	if err != nil {
		return nil, nil, err
	}
	ob, err := outbox.New(ctx, outbox.Config{
		Store: s, Rate: cfg.BroadcastRate, ChatLimit: telegram.ChatLimit, Logger: quiet,
		Jobs: bc.Jobs(), OnlyJobs: true,
	})
	if err != nil {
		return nil, nil, err
	}
	bc.Connect(ob)
	tg, err := telegram.New(ctx, telegram.Config{
		Token: cfg.TelegramToken, Endpoint: cfg.TelegramAPIEndpoint, Store: s, Outbox: ob,
		Handler: bot.HandlerFunc(func(context.Context, *models.Store, bot.Incoming) ([]bot.Outgoing, error) {
			return nil, nil // this process receives no updates
		}),
		DefaultLang: cfg.DefaultLang, HTTPClient: apiClient(), Logger: quiet,
	})
	if err != nil {
		return nil, nil, err
	}
	ob.Register(models.ChannelTelegram, tg.Sender())
	bc.RegisterChannel(models.ChannelTelegram, telegram.BroadcastChannel{})
	if err := ob.Start(ctx); err != nil {
		return nil, nil, err
	}
	return ob, bc, nil
}

// apiClient makes the channels' API calls. The outbox sends many at once
// (a broadcast: up to 4 × 32): the default transport keeps only 2 idle
// connections per host, so most calls would open a new TLS connection.
func apiClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128
	return &http.Client{Timeout: 60 * time.Second, Transport: tr}
}

// broadcastScope sets b's scope from --ward or --city (checked against
// the election) and returns who speaks in its header: the ward, the city,
// or the election's province (its one ward for a one-ward election).
func broadcastScope(ctx context.Context, s *models.Store, el *models.Election, b *models.Broadcast, wardCode, city string) (string, error) {
	ws, err := s.ElectionWards(ctx, el.ID)
	if err != nil {
		return "", err
	}
	switch {
	case wardCode != "":
		for _, w := range ws {
			if w.Code == wardCode {
				b.WardID = &w.ID
				return w.Name, nil
			}
		}
		return "", usageErr("--ward %q is not a ward of %s", wardCode, el.Code)
	case city != "":
		for _, w := range ws {
			if models.Fold(w.City) == models.Fold(city) {
				b.City = w.City
				return w.City, nil
			}
		}
		return "", usageErr("--city %q is not a city of %s", city, el.Code)
	case len(ws) == 1:
		return ws[0].Name, nil
	case el.Province != "":
		return el.Province, nil
	}
	return el.Title, nil
}
