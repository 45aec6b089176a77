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
	u := int64(i % users)
	if i < users {
		return TextUpdate(id, user0+u, fmt.Sprintf("/start kp%d", 1+u%6))
	}
	return TextUpdate(id, user0+u, Questions[(i/users+i)%len(Questions)])
}
