package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"electionbot/bot/outbox"
	"electionbot/models"
)

const stateOffset = "offset"

// maxUpdateAttempts is how often polling tries an update that fails while
// the database answers (a bug, not an outage) before skipping it.
const maxUpdateAttempts = 5

// Poll receives updates by long polling until ctx is done: getUpdates
// with the stored offset, each update handled in order, the offset stored
// after each batch. An update in flight when ctx is cancelled is finished
// first. A database outage holds the update until the database is back.
func (c *Channel) Poll(ctx context.Context) error {
	// A webhook left from an earlier run would make getUpdates fail.
	if _, err := c.do(ctx, Call{Method: "deleteWebhook", Params: map[string]string{}}); err != nil && ctx.Err() == nil {
		c.log.Warn("telegram: deleteWebhook", "err", err)
	}
	offset, err := c.loadOffset(ctx)
	for err != nil {
		c.log.Warn("telegram: cannot read the polling offset", "err", err)
		if outbox.Sleep(ctx, 2*time.Second) != nil {
			return nil
		}
		offset, err = c.loadOffset(ctx)
	}
	c.log.Info("telegram: polling", "offset", offset)
	failures := 0
	for ctx.Err() == nil {
		updates, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			wait := min(time.Duration(failures)*time.Second, 30*time.Second)
			c.log.Warn("telegram: getUpdates", "err", err, "retry_in", wait)
			outbox.Sleep(ctx, wait)
			continue
		}
		failures = 0
		for _, u := range updates {
			if !c.handlePolled(ctx, u) {
				break // stopping: this update is fetched again next time
			}
			offset = u.UpdateID + 1
		}
		if len(updates) > 0 {
			// The stored offset only saves refetching: processed updates
			// are recognised anyway.
			if err := c.store.SetChannelState(context.WithoutCancel(ctx), models.ChannelTelegram, stateOffset, strconv.Itoa(offset)); err != nil {
				c.log.Warn("telegram: cannot store the polling offset", "err", err)
			}
		}
	}
	c.log.Info("telegram: polling stopped", "offset", offset)
	return nil
}

func (c *Channel) loadOffset(ctx context.Context) (int, error) {
	v, err := c.store.ChannelState(ctx, models.ChannelTelegram, stateOffset)
	if err != nil || v == "" {
		return 0, err
	}
	return strconv.Atoi(v)
}

// handlePolled handles one update until it is stored, skipped (a poison
// update) or ctx is done; false means it was not handled because we stop.
func (c *Channel) handlePolled(ctx context.Context, u tgbotapi.Update) bool {
	for attempt := 1; ; attempt++ {
		// Not cancelled by ctx: an update in flight is finished.
		err := c.HandleUpdate(context.WithoutCancel(ctx), u)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		dbUp := c.store.SQL().PingContext(ctx) == nil
		if dbUp && attempt >= maxUpdateAttempts {
			c.log.Error("telegram: update skipped after repeated failures", "update_id", u.UpdateID, "err", err)
			return true
		}
		if !dbUp {
			attempt = 0 // an outage: wait for it, do not skip
		}
		if outbox.Sleep(ctx, min(time.Duration(attempt+1)*time.Second, 15*time.Second)) != nil {
			return false
		}
	}
}

func (c *Channel) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	allowed, _ := json.Marshal(AllowedUpdates)
	p := map[string]string{
		"offset":          strconv.Itoa(offset),
		"limit":           "100",
		"timeout":         strconv.Itoa(int(c.cfg.PollTimeout / time.Second)),
		"allowed_updates": string(allowed),
	}
	pctx, cancel := context.WithTimeout(ctx, c.cfg.PollTimeout+15*time.Second)
	defer cancel()
	resp, err := c.do(pctx, Call{Method: "getUpdates", Params: p})
	if err != nil {
		return nil, err
	}
	var updates []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		return nil, errors.New("telegram: getUpdates: " + err.Error())
	}
	return updates, nil
}
