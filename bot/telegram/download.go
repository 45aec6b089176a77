package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"electionbot/bot"
	"electionbot/bot/intake"
)

// A document sent to the bot is fetched before the update's transaction
// (a download never holds the database): getFile gives its path, then
// the file is read from the Bot API's file endpoint — the host of
// TELEGRAM_API_ENDPOINT, "/file/bot<token>/<path>" — at most
// bot.MaxFileSize bytes. Only the kinds the bot reads are fetched; any
// failure leaves Data nil and says why in Problem, for the handler to
// answer.

// fetchFile fills f.Data, or f.Problem.
func (c *Channel) fetchFile(ctx context.Context, f *bot.File) {
	f.Name = intake.Clean(f.Name, intake.MaxName)
	if err := f.Fetch(ctx, c.download); err != nil {
		c.log.Warn("telegram: document not fetched", "file", f.Name, "err", err)
	}
}

// download reads the file of a file_id.
func (c *Channel) download(ctx context.Context, fileID string) ([]byte, error) {
	api := fmt.Sprintf(c.cfg.Endpoint, c.cfg.Token, "getFile") + "?file_id=" + url.QueryEscape(fileID)
	body, err := c.get(ctx, api, 64<<10)
	if err != nil {
		return nil, err
	}
	var res struct {
		OK     bool `json:"ok"`
		Result struct {
			FilePath string `json:"file_path"`
			FileSize int64  `json:"file_size"`
		} `json:"result"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if !res.OK || res.Result.FilePath == "" {
		return nil, fmt.Errorf("getFile: %s", res.Description)
	}
	if res.Result.FileSize > bot.MaxFileSize {
		return nil, bot.ErrFileTooLarge
	}
	return c.get(ctx, FileURL(c.cfg.Endpoint, c.cfg.Token, res.Result.FilePath), bot.MaxFileSize)
}

// FileURL is where the Bot API serves a file: the endpoint pattern's
// "/bot%s/%s" becomes "/file/bot%s/%s".
func FileURL(endpoint, token, path string) string {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	pattern := strings.Replace(endpoint, "/bot%s/%s", "/file/bot%s/%s", 1)
	return fmt.Sprintf(pattern, token, path)
}

// get reads a URL's body, failing beyond max bytes.
func (c *Channel) get(ctx context.Context, u string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, redact(err, c.cfg.Token)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	data, err := bot.ReadAtMost(resp.Body, max)
	if err != nil && !errors.Is(err, bot.ErrFileTooLarge) {
		return nil, redact(err, c.cfg.Token)
	}
	return data, err
}

// redact keeps the token out of logged errors (it is in the URL).
func redact(err error, token string) error {
	if token == "" {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), token, "<token>"))
}
