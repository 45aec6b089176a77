package telegram

import (
	"context"
	"fmt"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// GetMe asks the Bot API once who the bot is, for a command that needs
// only its username (the posters' links) and must not wait like New.
// endpoint "" is DefaultEndpoint; client nil, a client with a 60 s timeout.
func GetMe(ctx context.Context, token, endpoint string, client *http.Client) (Self, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	bot, err := tgbotapi.NewBotAPIWithClient(token, endpoint, ctxClient{client, ctx})
	if err != nil {
		return Self{}, fmt.Errorf("telegram: getMe: %w (check TELEGRAM_TOKEN and TELEGRAM_API_ENDPOINT)", err)
	}
	return Self{ID: bot.Self.ID, Username: bot.Self.UserName}, nil
}
