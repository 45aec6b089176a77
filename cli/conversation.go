package cli

import (
	"fmt"
	"strings"
	"time"

	"electionbot/handlers"
	"electionbot/locales"
	"electionbot/models"
	"electionbot/results"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// conversation builds the conversation (package handlers) with the
// configuration's language and lookup limits, its stores bound to each
// update's transaction: serve's for every channel, chat's for the
// console. inviteLink may be nil (invites shown as "/start <code>"); the
// catalogs' bundle draws the charts.
func conversation(cfg *Config, bundle *i18n.Bundle, now func() time.Time, inviteLink func(channel, code string) string, onLookup func(string)) (*handlers.Conversation, error) {
	return handlers.New(handlers.Config{
		Stores:       handlers.StoresOf,
		InviteLink:   inviteLink,
		Charts:       results.Charts{Bundle: bundle},
		Now:          now,
		DefaultLang:  cfg.DefaultLang,
		LookupLimit:  cfg.LookupLimit,
		LookupWindow: cfg.LookupWindow,
		// Officials' links to the results page, valid a day (of their ward
		// for a ward's official).
		ResultsLink: results.OfficialsLinks(cfg.PublicBaseURL, []byte(cfg.ResultsLinkKey), officialsLinkTTL, now),
		// Residents' link to the public page (no key: unsigned).
		PublicResultsLink: results.OfficialsLinks(cfg.PublicBaseURL, nil, 0, now),
		// /trangketqua: the officials' view of their scope, 12 hours.
		OfficialsPageLink: results.OfficialsPage(cfg.PublicBaseURL, []byte(cfg.ResultsLinkKey), officialsLinkTTL, now),
		Budget:            cfg.lookupBudget(),
		OnLookup:          onLookup,
		Templates:         templateDocuments, // templates.go
		Reach:             cfg.reachPlan(),   // /thongbao's households (config_households.go)
	})
}

// officialsLinkTTL is how long an officials' results link given in chat
// stays valid (results.MaxAdminLinkTTL at most).
const officialsLinkTTL = results.DefaultAdminLinkTTL

// newConversation is serve's conversation, on the wall clock, counting
// its lookups in onLookup. Built once: the catalogs load, or serve fails
// at start.
func newConversation(cfg *Config, inviteLink func(channel, code string) string, onLookup func(string)) (*handlers.Conversation, error) {
	bundle, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	return conversation(cfg, bundle, time.Now, inviteLink, onLookup)
}

// telegramInviteLink makes an official's invite a deep link to the bot
// on Telegram (https://t.me/<bot>?start=<code>); elsewhere, or without
// the bot's username, the invite is shown as the command "/start <code>".
func telegramInviteLink(botUsername string) func(channel, code string) string {
	botUsername = strings.TrimPrefix(strings.TrimSpace(botUsername), "@")
	return func(channel, code string) string {
		if botUsername == "" || channel != models.ChannelTelegram {
			return ""
		}
		return fmt.Sprintf("https://t.me/%s?start=%s", botUsername, code)
	}
}
