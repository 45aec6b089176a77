package handlers

import (
	"sort"
	"strings"
	"unicode"

	"electionbot/bot"
	"electionbot/models"
)

// What the bot says when it did not understand: the nearest command or
// question, offered as a button ("Có phải ông/bà muốn…?"), else the
// examples of the fallback.

// suggestMin is the least score (intents.yaml) at which a question is
// offered as what the resident may have meant.
const suggestMin = 0.5

// suggestedAction maps an intent to the action offered (the rules'
// parts to the rules).
var suggestedAction = map[action]action{
	actDate: actDate, actPlace: actPlace, actCheck: actCheck, actCandidates: actCandidates,
	actRules: actRules, actVoteRule: actRules, actStandRule: actRules, actWinRule: actRules, actMethodRule: actRules,
	actResult: actResult, actReminders: actReminders, actLang: actLang, actArea: actArea, actWard: actWard,
	actHelp: actHelp, actFamily: actFamily, actCancel: actCancel,
}

// actionCommands are the command shown for an offered action, by
// language (commands in routes).
var actionCommands = map[action][2]string{ // vi, en
	actDate: {"/ngaybau", "/date"}, actPlace: {"/diadiem", "/place"}, actCheck: {"/tracuu", "/check"},
	actCandidates: {"/ungcu", "/candidates"}, actRules: {"/quydinh", "/rules"}, actResult: {"/ketqua", "/result"},
	actReminders: {"/nhacnho", "/remind"}, actLang: {"/ngonngu", "/lang"}, actArea: {"/khupho", "/area"},
	actWard: {"/xa", "/ward"}, actHelp: {"/huongdan", "/help"}, actFamily: {"/tracuu", "/check"},
	actCancel: {"/huy", "/cancel"},
}

// suggest answers text nothing understood: the nearest question if one
// comes close, else the fallback.
func (t *turn) suggest(rest string) error {
	scores := t.conv.scorer.Scores(rest)
	best, bestScore := action(""), 0.0
	for _, name := range t.conv.scorer.Intents() {
		if sc := scores[name]; sc > bestScore+1e-9 {
			best, bestScore = action(name), sc
		}
	}
	a, ok := suggestedAction[best]
	if !ok || bestScore < suggestMin {
		return t.fallback()
	}
	return t.offer("suggest_text", a, nil)
}

// suggestCommand answers an unknown command with the nearest one: a typo
// of a command ("/ngaybao"), or a command made of the words of a question
// ("/kiemtra" is "kiểm tra": the voter list).
func (t *turn) suggestCommand(cmd string) error {
	typed := cmd
	cmd = foldedCommand(cmd)
	a := nearestCommand(cmd)
	if a == "" {
		a = commandWords(t.conv.scorer, cmd)
	}
	if a == "" {
		return t.fallback()
	}
	return t.offer("suggest_command", a, map[string]any{"Typed": "/" + typed})
}

// offer replies with the offered action as a button.
func (t *turn) offer(msgID string, a action, data map[string]any) error {
	what := t.tr("intent_"+string(a), nil)
	cmd := actionCommands[a][0]
	if t.lang == "en" {
		cmd = actionCommands[a][1]
	}
	d := map[string]any{"What": what, "Command": cmd}
	for k, v := range data {
		d[k] = v
	}
	t.reply(t.tr(msgID, d), &bot.Keyboard{Inline: true, Rows: [][]bot.Button{
		{{Text: capitalize(what), Data: "act:" + string(a)}},
	}})
	return nil
}

// nearestCommand is the residents' command within a typo of cmd (one
// edit for 4–7 letters, two for more); "" when none or a tie between
// actions.
func nearestCommand(cmd string) action {
	if len(cmd) < 4 || len(cmd) > 24 {
		return ""
	}
	limit := 1
	if len(cmd) >= 8 {
		limit = 2
	}
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	found, bestD := action(""), limit+1
	for _, name := range names {
		d := osaDistance(cmd, name, limit)
		switch {
		case d < bestD:
			found, bestD = commands[name], d
		case d == bestD && commands[name] != found:
			found = "" // two actions as near: offer none
		}
	}
	if bestD > limit {
		return ""
	}
	if _, ok := suggestedAction[found]; !ok {
		return ""
	}
	return suggestedAction[found]
}

// commandWords reads a command as the words of a question typed without
// spaces ("kiemtra", "danhsachcutri"): the command cut into the fewest
// Vietnamese syllables, scored as a question; "" below the threshold.
func commandWords(s *Scorer, cmd string) action {
	if len(cmd) < 4 || len(cmd) > 24 {
		return ""
	}
	words := syllables(cmd)
	if len(words) < 2 {
		return ""
	}
	name, _ := s.Best(strings.Join(words, " "))
	a, ok := suggestedAction[action(name)]
	if !ok {
		return ""
	}
	return a
}

// syllables cuts a folded word into the fewest Vietnamese syllables
// (vnSyllable); nil when it cannot be cut so.
func syllables(w string) []string {
	n := len(w)
	best := make([][]string, n+1) // best[i]: the cut of w[:i]
	ok := make([]bool, n+1)
	ok[0] = true
	for i := 1; i <= n; i++ {
		for j := max(0, i-7); j < i; j++ { // a syllable has at most 7 letters ("nghieng")
			if !ok[j] || !vnSyllable.MatchString(w[j:i]) {
				continue
			}
			if !ok[i] || len(best[j])+1 < len(best[i]) {
				best[i] = append(append([]string{}, best[j]...), w[j:i])
				ok[i] = true
			}
		}
	}
	if !ok[n] {
		return nil
	}
	return best[n]
}

// thanksEmoji says whether a message is only thanks or approval in
// emoji: 👍, 🙏, 👌, ❤️ (with skin tones and joiners).
func thanksEmoji(text string) bool {
	seen := false
	for _, r := range text {
		switch {
		case thanksRunes[r]:
			seen = true
		case unicode.IsSpace(r), r == 0xFE0F, r == 0x200D, r >= 0x1F3FB && r <= 0x1F3FF: // variation, joiner, skin tone
		default:
			return false
		}
	}
	return seen
}

var thanksRunes = map[rune]bool{
	'👍': true, '🙏': true, '👌': true, '❤': true, '♥': true, '🌹': true, '💐': true, '😊': true,
	'🙂': true, '☺': true, '🥰': true, '👏': true, '💯': true, '✅': true, '🤝': true, '😀': true, '😄': true,
}

// capitalize upper-cases the first letter (a description as a button).
func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// foldedCommand is a command word folded the way commands are written.
func foldedCommand(s string) string { return strings.ReplaceAll(models.Fold(s), " ", "") }
