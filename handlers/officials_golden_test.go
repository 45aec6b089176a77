package handlers

import (
	"bytes"
	"path/filepath"
	"testing"

	"electionbot/bot"
	"electionbot/internal/testdb"
)

// officialsScript is election day for the officials of Ka Long: the admin
// (1) invites a reporter (2), designates another (3) by phone; both report
// Khu phố 1 and disagree; the admin looks, accepts, rejects; results,
// reminders and the export. lines: user, then the message; "#" lines are
// actions on the harness.
func officialsScript(o *offHarness, lang string) {
	en := lang == "en"
	pick := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	o.send("1", "/help")
	out := o.send("1", "/moi kp1")
	code := inviteCode.FindString(mine("1", out))
	o.send("2", "/start "+code)
	o.send("4", "/start "+code) // used
	o.send("1", "/chidinh kp1 0912 345 678")
	o.do("3", bot.Incoming{Contact: &bot.SharedContact{Phone: "+84912345678", Own: true}})
	viewer := inviteCode.FindString(mine("1", o.send("1", "/moi xem")))
	o.send("5", "/start "+viewer)
	o.send("1", "/vaitro")

	// A resident tries to send a tally; a reporter of kp1 tries kp2.
	o.send("4", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35")
	o.send("2", "KQ KP2 TD 200 PR 200 TV 200 HL 195 KHL 5 UV1 150 UV2 40 UV3 5")

	// Inconsistent, then a message with an unreadable part, confirmed.
	out = o.send("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 5 UV1 250 UV2 35")
	o.press("2", out, "❌")
	out = o.send("2", pick("kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35, ghi chú 7",
		"KQ KP1 attending 290 issued 290 returned 289 valid 285 invalid 4 Nguyen Van An 250 Tran Thi Binh 35 remark 7"))
	o.press("2", out, "✅")
	o.do("2", bot.Incoming{PhotoRef: "AgACAgUAAxkBAAIBQ2"})

	// The second reporter disagrees: both reporters and the admin are told.
	out = o.send("3", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")
	o.press("3", out, "✅")
	o.send("1", "/ketqua")
	o.send("1", "/ketqua kp1")
	o.send("1", "/anh kp1")
	o.send("1", pick("/tuchoi kp1 v2 đếm nhầm phiếu của người số 1", "/tuchoi kp1 v2 ballots of no. 1 miscounted"))
	o.send("1", "/congnhan kp1 1")
	o.send("1", "/congnhan kp1")

	// Khu phố 2 by the guided form: its reporter was invited too.
	code = inviteCode.FindString(mine("1", o.send("1", "/moi kp2")))
	o.send("3", "/start "+code)
	out = o.send("3", "/baocao kp2")
	out = o.press("3", out, pick("Giơ tay", "Show of hands"))
	o.send("3", "200")
	o.send("3", "abc")
	o.send("3", "120")
	o.send("3", "50")
	o.send("3", "30")
	// NĐ 59/2023: someone nominated at the meeting, not on the list.
	out = o.send("3", "Lê Văn Tám 5")
	out = o.press("3", out, "✏️")
	out = o.press("3", out, "1.")
	out = o.send("3", "115")
	o.press("3", out, "✅")

	// A later, different report of recognised kp1: kept for the ward's
	// review, residents still see the recognised result; the ward
	// withdraws the recognition (with its reason) and recognises it.
	out = o.send("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 245 UV2 40")
	o.press("2", out, "✅")
	o.send("1", "/ketqua")
	o.send("1", "/ketqua kp1")
	o.send("1", "/tuchoi kp1 v3 sai")
	o.send("1", "/huycongnhan kp1")
	o.send("1", pick("/huycongnhan kp1 biên bản ghi nhầm số phiếu", "/huycongnhan kp1 the minutes were miscounted"))
	o.send("1", "/congnhan kp1")

	o.send("6", "/start "+inviteCode.FindString(mine("1", o.send("1", "/moi kp3"))))
	o.send("5", "/ketqua")
	out = o.send("1", "/chuabao")
	o.press("1", out, "🔔")
	o.send("1", "/xuat")
	o.send("1", "/thuhoi kp1 0912345678")
	o.send("3", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 240 UV2 45")
}

// TestGoldenOfficials holds every reply of the officials' scripted
// conversation in Vietnamese and English (go test ./handlers -run
// GoldenOfficials -update after an intended change of wording).
func TestGoldenOfficials(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			o := newOffHarnessLang(t, testdb.SQLite(t), lang)
			o.log = &bytes.Buffer{}
			officialsScript(o, lang)
			checkGolden(t, filepath.Join("testdata", "officials_"+lang+".golden"), o.log.Bytes())
		})
	}
}
