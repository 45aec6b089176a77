package zalo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"electionbot/bot"
	"electionbot/bot/intake"
)

// A file a user sends (user_send_file) is fetched from the URL of the
// signed event before the update's transaction, at most bot.MaxFileSize
// bytes, and only when it is a kind the bot reads; any failure leaves
// Data nil and says why in Problem, for the handler to answer.

// fetchFile fills f.Data, or f.Problem.
func (c *Channel) fetchFile(ctx context.Context, f *bot.File) {
	f.Name = intake.Clean(f.Name, intake.MaxName)
	if err := f.Fetch(ctx, c.download); err != nil {
		c.log.Warn("zalo: file not fetched", "file", f.Name, "err", err)
	}
}

// download reads an http(s) URL's body, failing beyond bot.MaxFileSize.
func (c *Channel) download(ctx context.Context, ref string) ([]byte, error) {
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("zalo: file URL %q", ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("zalo: file: HTTP %d", resp.StatusCode)
	}
	return bot.ReadAtMost(resp.Body, bot.MaxFileSize)
}
