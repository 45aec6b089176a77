package telegram_test

import (
	"context"
	"strings"
	"testing"

	"electionbot/bot/telegram"
	"electionbot/bot/telegram/telegramtest"
)

func TestGetMe(t *testing.T) {
	fake := telegramtest.New(t)
	self, err := telegram.GetMe(context.Background(), telegramtest.Token, fake.Endpoint(), nil)
	if err != nil || self.Username != telegramtest.Bot.Username || self.ID != telegramtest.Bot.ID {
		t.Fatalf("GetMe = %+v, %v", self, err)
	}
	_, err = telegram.GetMe(context.Background(), "123:wrong", fake.Endpoint(), nil)
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_TOKEN") {
		t.Fatalf("wrong token: %v", err)
	}
}
