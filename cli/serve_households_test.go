package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"electionbot/bot/sms/smstest"
	"electionbot/bot/telegram/telegramtest"
	"electionbot/bot/zalo/zalotest"
	"electionbot/bot/zns/znstest"
	"electionbot/demo"
	"electionbot/locales"
	"electionbot/models"
)

// The households of issue 19's end-to-end test, by index: chat (a
// Telegram contact, user firstHouseholdUser+i, shared the list's phone),
// on Zalo, not on Zalo, no phone.
type householdMix struct{ chat, zalo, offZalo, noPhone int }

func (m householdMix) total() int { return m.chat + m.zalo + m.offZalo + m.noPhone }

const firstHouseholdUser = 600000

func householdPhone(i int) string { return fmt.Sprintf("8498%07d", i) }

// seedHouseholds loads the demo election a month from now, replaces its
// voter list with the mix's households and creates the chat households'
// Telegram contacts; the phones not on Zalo are told to nf.
func seedHouseholds(t *testing.T, s *models.Store, mix householdMix, nf *znstest.Server) *models.Election {
	t.Helper()
	ctx := context.Background()
	day := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	f, err := models.ParseElectionFile(bytes.Replace(demo.Election(), []byte("date: 2022-06-05"), []byte("date: "+day), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadElection(ctx, f); err != nil {
		t.Fatal(err)
	}
	e, err := s.ElectionByCode(ctx, f.Election.Code)
	if err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB(ctx).Exec("DELETE FROM voters").Error; err != nil {
		t.Fatal(err)
	}
	var vs []*models.Voter
	for i := 0; i < mix.total(); i++ {
		v := &models.Voter{AreaID: areas[i%len(areas)].ID, HouseholdNo: strconv.Itoa(i + 1),
			FullName: "Trần Thị Hộ " + strconv.Itoa(i+1), NameFolded: "tran thi ho", BirthYear: 1965,
			Address: "Tổ " + strconv.Itoa(i%12+1) + ", số nhà " + strconv.Itoa(i+1)}
		if i < mix.chat+mix.zalo+mix.offZalo {
			p := "+" + householdPhone(i)
			v.Phone = &p
		}
		if i >= mix.chat+mix.zalo && i < mix.chat+mix.zalo+mix.offZalo {
			nf.NotOnZalo(householdPhone(i))
		}
		vs = append(vs, v)
	}
	if err := s.DB(ctx).CreateInBatches(vs, 500).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var cs []*models.Contact
	for i := 0; i < mix.chat; i++ {
		id := strconv.Itoa(firstHouseholdUser + i)
		area := vs[i].AreaID
		cs = append(cs, &models.Contact{Channel: models.ChannelTelegram, ExternalID: id, ChatID: id, Lang: "vi",
			AreaID: &area, Reachable: true, Phone: vs[i].Phone, CreatedAt: now, UpdatedAt: now})
	}
	if len(cs) > 0 {
		if err := s.DB(ctx).CreateInBatches(cs, 500).Error; err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// householdsDelivered counts what the fakes delivered to each household:
// Telegram messages containing text, ZNS accepted, SMS sent (a repeated
// idempotency key is not sent again by the gateway).
func householdsDelivered(mix householdMix, fake *telegramtest.Server, nf *znstest.Server, sf *smstest.Server, text string) (map[string]int, []int) {
	by := map[string]int{}
	per := make([]int, mix.total())
	for i := range per {
		if i < mix.chat {
			for _, c := range fake.Sent(int64(firstHouseholdUser + i)) {
				if strings.Contains(c.Get("text"), text) {
					by["telegram"]++
					per[i]++
				}
			}
		}
		if i >= mix.chat+mix.zalo+mix.offZalo {
			continue
		}
		n := len(nf.Sent(householdPhone(i)))
		by["zns"] += n
		per[i] += n
		for _, c := range sf.Sent(householdPhone(i)) {
			if c.Sent() {
				by["sms"]++
				per[i]++
			}
		}
	}
	return by, per
}

// TestServeHouseholds is issue 19's end-to-end test through serve, the
// fake Bot API, Zalo, ZNS and SMS gateway: 1,000 households (300 with a
// Telegram contact, 400 on Zalo, 200 not on Zalo, 100 without a phone);
// the ward admin's /thongbao preview shows the count and cost per
// channel and is refused above the ceiling until the admin raises it; the
// announcement reaches 300 by Telegram, 400 by ZNS, 200 by SMS, nobody
// twice; the ledger, /thongbao trangthai and the unreached export (in chat
// and by the command) agree with the fakes' logs.
func TestServeHouseholds(t *testing.T) {
	t.Parallel()
	eachStore(t, testServeHouseholds)
}

func testServeHouseholds(t *testing.T, s *models.Store) {
	ctx := context.Background()
	mix := householdMix{chat: 300, zalo: 400, offZalo: 200, noPhone: 100}
	fake, zf, nf, sf := telegramtest.New(t), zalotest.New(t), znstest.New(t), smstest.New(t)
	nf.SetToken(func() string { a, _ := zf.Tokens(); return a })
	e := seedHouseholds(t, s, mix, nf)
	env := webhookEnv()
	maps.Copy(env, reachEnv(zf, nf, sf))
	maps.Copy(env, map[string]string{
		"ADMIN_TELEGRAM_IDS": "111", "QUIET_HOURS": "off", "BROADCAST_COST_CEILING_VND": "100000",
		"BROADCAST_RATE": "300", "ZNS_RATE": "300", "SMS_RATE": "300", "SMS_MAX_GSM": "1530",
	})
	h := startServe(t, s, fake, env, nil)
	upd := 100
	post := func(body string) {
		t.Helper()
		upd++
		if code := h.post(body, testSecret); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
	}
	adminSaid := func(text string) int {
		n := 0
		for _, c := range fake.Sent(111) {
			if strings.Contains(c.Get("text"), text) {
				n++
			}
		}
		return n
	}
	waitAdmin := func(what, text string) {
		t.Helper()
		fake.WaitFor(t, what, func([]telegramtest.Call) bool { return adminSaid(text) > 0 })
	}
	vnd := func(n int) string { return locales.Number("vi", n) }

	post(textUpdate(upd, 111, "/thongbao"))
	fake.WaitSent(t, 111, 1)
	post(callbackUpdate(upd, 111, 2, inlineData(t, fake, 111, "Mọi người")))
	fake.WaitSent(t, 111, 2)
	body := "Kính mời các hộ gia đình dự họp bầu Trưởng khu phố sáng Chủ nhật."
	post(textUpdate(upd, 111, body))
	// No phone known off Zalo yet: 600 ZNS estimated at 300 đ.
	waitAdmin("the preview", "Tin ZNS: 600 × 300 đ")
	for _, want := range []string{"Hộ gia đình trong danh sách cử tri: " + vnd(1000), "Qua Telegram/Zalo (miễn phí): 300",
		"Không có số điện thoại (cần đến tận nhà): 100", "Chi phí ước tính: " + vnd(180000) + " đ",
		"vượt mức trần " + vnd(100000) + " đ", "/thongbao tran 180000"} {
		if adminSaid(want) != 1 {
			t.Errorf("the preview does not say %q:\n%s", want, fake.Sent(111)[2].Get("text"))
		}
	}
	if strings.Contains(fake.Sent(111)[2].Get("reply_markup"), "✅ Gửi") {
		t.Fatal("a preview above the ceiling offers to send")
	}
	// A ceiling that is not an amount is answered and changes nothing;
	// "khan" marks the draft urgent and shows it again, still refused.
	post(textUpdate(upd, 111, "/thongbao tran abc"))
	waitAdmin("the ceiling's usage", "Xin ghi mức trần bằng số tiền")
	post(textUpdate(upd, 111, "/thongbao khan"))
	waitAdmin("urgent", "được đánh dấu khẩn")
	fake.WaitFor(t, "the preview again", func([]telegramtest.Call) bool { return adminSaid("vượt mức trần "+vnd(100000)+" đ") == 2 })
	// ZNS falls through to SMS for the 200 off Zalo: raise the ceiling to
	// what that costs.
	post(textUpdate(upd, 111, "/thongbao tran 300.000"))
	waitAdmin("the ceiling raised", "Mức trần chi phí của thông báo: "+vnd(300000)+" đ")
	post(callbackUpdate(upd, 111, 4, inlineData(t, fake, 111, "Gửi")))
	// 1,000 households at the fakes' pace: minutes on a loaded machine.
	if !waitWithin(t, 5*time.Minute, func() bool { return adminSaid("hộ gia đình đã nhận: 900/"+vnd(1000)) > 0 }) {
		by, _ := householdsDelivered(mix, fake, nf, sf, "họp bầu Trưởng khu phố")
		t.Fatalf("no households' report after 5 minutes; delivered %v", by)
	}

	by, per := householdsDelivered(mix, fake, nf, sf, "họp bầu Trưởng khu phố")
	want := map[string]int{"telegram": 300, "zns": 400, "sms": 200}
	if !maps.Equal(by, want) {
		t.Errorf("delivered %v, want %v", by, want)
	}
	for i, n := range per {
		if want := map[bool]int{true: 1, false: 0}[i < 900]; n != want {
			t.Errorf("household %d got %d messages, want %d", i+1, n, want)
		}
	}
	if d := sf.Duplicates(); d != 0 {
		t.Errorf("%d SMS sent again with the same key", d)
	}
	bc, err := s.LatestReachBroadcast(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	as, err := s.ReachAttempts(ctx, bc.ID)
	if err != nil {
		t.Fatal(err)
	}
	ledger := map[string]int{}
	var cost int
	for _, a := range as {
		if a.Outcome == models.ReachSent {
			ledger[a.Channel]++
			cost += a.CostVND
		}
	}
	if !maps.Equal(ledger, want) || cost != 400*300+200*800 {
		t.Errorf("ledger sent %v, cost %d; fakes %v", ledger, cost, by)
	}
	if !strings.Contains(fake.Sent(111)[len(fake.Sent(111))-1].Get("text"), "Chi phí: "+vnd(280000)+" đ") &&
		adminSaid("Chi phí: "+vnd(280000)+" đ") != 1 {
		t.Errorf("the report does not give the cost")
	}

	// /thongbao trangthai: reached / not reached by area.
	post(textUpdate(upd, 111, "/thongbao trangthai"))
	waitAdmin("the status", "Hộ gia đình — thông báo #")
	if adminSaid("• Khu phố 1: đã nhận") != 1 {
		t.Errorf("the status has no line for Khu phố 1")
	}

	// The door-to-door list in chat (a CSV document) and by the command.
	post(textUpdate(upd, 111, "/thongbao chuaden"))
	var doc []byte
	fake.WaitFor(t, "the unreached list", func([]telegramtest.Call) bool {
		for _, c := range fake.Sent(111) {
			if f := c.Files["document"]; len(f) > 0 {
				doc = f
				return true
			}
		}
		return false
	})
	var out, errOut bytes.Buffer
	if err := exportUnreached(ctx, s, unreachedQuery{election: e.Code}, &out, &errOut); err != nil {
		t.Fatalf("export unreached: %v (%s)", err, errOut.String())
	}
	for name, data := range map[string][]byte{"chat": doc, "command": out.Bytes()} {
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) != 101 || strings.Join(rows[0], ",") != strings.Join(models.UnreachedHeader, ",") {
			t.Fatalf("%s: %d rows, header %v", name, len(rows), rows[0])
		}
		for _, r := range rows[1:] {
			no, _ := strconv.Atoi(r[2])
			if no <= 900 || r[5] != models.ReachNoChannel || !strings.Contains(r[3], "*") || r[4] == "" {
				t.Errorf("%s: row %v is not a household without a phone, masked, with its address", name, r)
			}
		}
	}
}
