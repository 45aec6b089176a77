package handlers

import (
	"strconv"
	"strings"

	"electionbot/bot"
)

// Long texts for officials (a ward's results, its officials) split into
// messages under the channel's limit.

// maxMessage is the longest text put in one message: Telegram allows 4096
// characters; some room is kept for the channel's markup.
const maxMessage = 3500

// pages splits lines into texts of at most maxMessage characters (runes),
// never inside a line.
func pages(lines []string) []string {
	var out []string
	var b strings.Builder
	n := 0
	for _, l := range lines {
		ln := len([]rune(l)) + 1
		if n > 0 && n+ln > maxMessage {
			out = append(out, strings.TrimRight(b.String(), "\n"))
			b.Reset()
			n = 0
		}
		b.WriteString(l)
		b.WriteByte('\n')
		n += ln
	}
	if n > 0 {
		out = append(out, strings.TrimRight(b.String(), "\n"))
	}
	return out
}

// replyPages sends lines as as many messages as they need.
func (t *turn) replyPages(lines []string) {
	for _, p := range pages(lines) {
		t.reply(p, nil)
	}
}

// replyPage sends page n of lines (clamped to the pages there are), with
// "(trang n/N)" and the ◀ ▶ buttons of prefix when there are several; more
// buttons go below them.
func (t *turn) replyPage(lines []string, page int, prefix string, more ...[]bot.Button) {
	ps := pages(lines)
	page = max(1, min(page, len(ps)))
	text := ps[page-1]
	var kb *bot.Keyboard
	if len(ps) > 1 {
		text += "\n" + t.tr("off_page", map[string]any{"Page": page, "Total": len(ps)})
		var row []bot.Button
		if page > 1 {
			row = append(row, bot.Button{Text: t.tr("off_btn_prev", map[string]any{"Page": page - 1}), Data: prefix + strconv.Itoa(page-1)})
		}
		if page < len(ps) {
			row = append(row, bot.Button{Text: t.tr("off_btn_next", map[string]any{"Page": page + 1, "Total": len(ps)}), Data: prefix + strconv.Itoa(page+1)})
		}
		kb = &bot.Keyboard{Inline: true, Rows: [][]bot.Button{row}}
	}
	if len(more) > 0 {
		if kb == nil {
			kb = &bot.Keyboard{Inline: true}
		}
		kb.Rows = append(kb.Rows, more...)
	}
	t.reply(text, kb)
}
