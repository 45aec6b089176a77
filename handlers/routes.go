package handlers

import (
	"strings"

	"electionbot/models"
)

// dispatch is the routing table: an update goes to the first line that
// takes it, in this order. "x, else y" means x may decline the update (its
// feature is off — a nil store in Stores — or the update is not for it),
// and y is tried next. The officials' commands and "o:" buttons go to
// officials, which checks the chat, the election and the roles, then hands
// them to tallies and results.
func (t *turn) dispatch() error {
	in := t.in
	switch {
	case in.Contact != nil: // a designation waiting for the shared phone, else a lookup by it
		if taken, err := t.officials.claimPhone(in.Contact); taken || err != nil {
			return err
		}
		return t.lookup.byPhone(in.Contact)
	case in.Location != nil: // the nearest polling places
		return t.residents.nearby(in.Location)
	case in.PhotoRef != "": // a reporter's signed minutes, else read on
		if taken, err := t.tallies.photo(); taken || err != nil {
			return err
		}
	case in.File != nil: // a voter list, an areas table, an election file (files.go)
		return t.files.received(in.File)
	}
	text := strings.TrimSpace(in.Text)
	if in.Callback != "" { // an inline button, else its data is read as text
		if taken, err := t.button(in.Callback); taken || err != nil {
			return err
		}
		text = in.Callback
	}
	if text == "" {
		return t.fallback()
	}
	if thanksEmoji(text) { // 👍, 🙏
		return t.run(actThanks, "")
	}
	if strings.HasPrefix(text, "/") { // a command, else the nearest one offered
		cmd, arg, _ := strings.Cut(text[1:], " ")
		cmd, _, _ = strings.Cut(cmd, "@") // /start@ElectionBot in groups
		cmd = strings.ToLower(cmd)
		if taken, err := t.command(cmd, strings.TrimSpace(arg)); taken || err != nil {
			return err
		}
		return t.suggestCommand(cmd)
	}
	folded := models.Fold(text)
	if a, ok := t.conv.buttons[folded]; ok { // a button of the menu
		return t.run(a, "")
	}
	if t.st.Await == awaitFile { // "đồng ý" to a checked file, else read on
		if taken, err := t.files.typed(folded); taken || err != nil {
			return err
		}
	}
	if taken, err := t.broadcasts.await(text); taken || err != nil { // the areas or text of /thongbao
		return err
	}
	if taken, err := t.tallies.text(text); taken || err != nil { // a tally in one message, a form's answer
		return err
	}
	return t.freeText(folded)
}

// button routes an inline button by the prefix of its data; false for
// data of no feature.
func (t *turn) button(data string) (bool, error) {
	kind, rest, ok := strings.Cut(data, ":")
	if !ok {
		return false, nil
	}
	switch kind {
	case "o":
		return true, t.orFallback(t.officials.callback(rest))
	case "area":
		return true, t.residents.chooseAreaByID(rest)
	case "place":
		return true, t.residents.placeButton(rest)
	case "act":
		return true, t.run(action(rest), "")
	case "bc":
		return true, t.orFallback(t.broadcasts.callback(rest))
	case "rem":
		return true, t.reminders.callback(rest)
	case "see":
		return true, t.residents.seeArea(rest)
	case "ward":
		return true, t.residents.wardButton(rest)
	case "keep":
		return true, t.keep()
	case "file":
		return true, t.files.callback(rest)
	}
	return false, nil
}

// command routes a command word (lower case, without "/").
func (t *turn) command(cmd, arg string) (bool, error) {
	switch {
	case stopCommands[cmd]:
		return true, t.reminders.stopAll()
	case broadcastCommands[cmd]:
		return t.broadcasts.command(arg)
	case fileCommands[cmd]:
		return true, t.files.templates()
	case officialCommands[cmd] != "":
		return t.officials.command(officialCommands[cmd], arg)
	case commands[cmd] != "":
		return true, t.run(commands[cmd], arg)
	}
	return false, nil
}

// freeText reads typed text that is neither a command nor a button.
func (t *turn) freeText(folded string) error {
	if id, ok := models.ParseAreaPayload(folded); ok { // a poster's code typed: "a123"
		if placed, err := t.residents.choosePlace(id); placed || err != nil {
			if err != nil {
				return err
			}
			a, err := t.myArea()
			if err != nil || a == nil {
				return err
			}
			return t.residents.areaChosen(a)
		}
	}
	if phone := typedPhone(t.in.Text); phone != "" { // never looked up: only a shared number is
		return t.lookup.phoneTyped()
	}
	t.followLanguage(t.in.Text)
	switch t.st.Await { // the answer the bot is waiting for
	case awaitWard:
		if taken, err := t.residents.wardAnswer(folded); taken || err != nil {
			return err
		}
	case awaitHousehold:
		if no := householdNumber(folded); no != "" {
			return t.lookup.householdAnswer(no)
		}
	case awaitYear:
		if y, ok := yearOnly(folded, t.nowYear()); ok {
			return t.lookup.yearAnswer(y)
		}
	case awaitArea:
		folded = areaAnswer(folded) // a bare number: "1", "IV", "hai"
	}
	rest, taken, err := t.residents.wardInText(folded) // a ward named: placed there, or answered for once
	if taken || err != nil {
		return err
	}
	if rest == folded { // a ward that is none: said so
		if taken, err := t.residents.wardUnknown(folded); taken || err != nil {
			return err
		}
	}
	rest, taken, err = t.residents.areaInText(rest) // an area: chosen, or answered for once; the rest is read on
	if taken || err != nil {
		return err
	}
	if taken, err := t.lookup.nameInText(rest); taken || err != nil { // a name and a birth year
		return err
	}
	if name := namedLookup(rest); name != "" { // "tra cứu Nguyễn Văn An": which year?
		return t.lookup.askYearFor(name)
	}
	if intent, _ := t.conv.scorer.Best(rest); intent != "" { // intents.yaml
		return t.runIntent(action(intent), rest)
	}
	awaited := t.st.Await == awaitName || t.st.Await == awaitYear
	if name := nameWithoutYear(rest, awaited); name != "" { // "nguyen van an": which year?
		return t.lookup.askYearFor(name)
	}
	switch { // nothing understood
	case t.st.Await == awaitHousehold:
		return t.lookup.askHousehold()
	case t.adopted != nil: // "khu 2 ..." and nothing else: the area is noted, and said
		t.out[len(t.out)-1].Keyboard = t.menu()
		return t.reminders.offer(t.adopted)
	case rest != folded && t.dirty:
		return t.orFallback(t.residents.areaNoted())
	}
	return t.suggest(rest)
}

// orFallback answers with the fallback when a route declined.
func (t *turn) orFallback(taken bool, err error) error {
	if !taken && err == nil {
		return t.fallback()
	}
	return err
}
