package loadtest

import (
	"encoding/json"
	"fmt"
)

// TextUpdate is a Telegram update carrying a private text message from
// user (who is also the chat).
func TextUpdate(id int, user int64, text string) []byte {
	q, _ := json.Marshal(text)
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"date":1654387200,`+
		`"chat":{"id":%d,"type":"private","first_name":"An"},`+
		`"from":{"id":%d,"is_bot":false,"first_name":"An","language_code":"vi"},"text":%s}}`, id, id, user, user, q)
}

// Questions are what residents ask on election day, in the ways they
// write them: commands, Vietnamese with and without diacritics, English.
var Questions = []string{
	"/start",
	"/ngaybau",
	"Ngày bầu cử là ngày nào?",
	"bau cu ngay nao",
	"mấy giờ bắt đầu bầu?",
	"bỏ phiếu ở đâu",
	"ai là người ứng cử",
	"điều kiện ứng cử trưởng khu phố",
	"/help",
	"when is the election",
	"cảm ơn",
	"xin chào",
}

// QuestionUpdate is the i-th update of a Q&A load on the demo election (6
// khu phố kp1…kp6): users user0 … user0+users-1 first say /start with
// their khu phố (a deep link), then ask Questions in turn.
func QuestionUpdate(id int, i int, user0 int64, users int) []byte {
	return PlacedQuestionUpdate(id, i, user0, users, demoPlaces)
}

// demoPlaces are the demo ward's deep links, one per khu phố.
var demoPlaces = []string{"kp1", "kp2", "kp3", "kp4", "kp5", "kp6"}

// PlacedQuestionUpdate is the same Q&A load on any election: user u's
// first update is "/start " + places[u mod len(places)] (a ward's area
// code, or a poster's "a123", models.AreaPayload, for any ward), then the
// same Questions in the same order. The per-update row runs one stream
// on the 6-area ward and on the province this way.
func PlacedQuestionUpdate(id int, i int, user0 int64, users int, places []string) []byte {
	u := int64(i % users)
	if i < users {
		return TextUpdate(id, user0+u, "/start "+places[u%int64(len(places))])
	}
	return TextUpdate(id, user0+u, Questions[(i/users+i)%len(Questions)])
}
