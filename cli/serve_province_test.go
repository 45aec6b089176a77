package cli

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// provinceServe is serve (webhook mode, the real handlers) on a store
// loaded with the test province (testdb.ProvinceYAML), before its day.
type provinceServe struct {
	*harness
	t      *testing.T
	update atomic.Int64
}

func startProvince(t *testing.T, s *models.Store, env map[string]string) *provinceServe {
	now := time.Date(2025, 6, 5, 9, 0, 0, 0, models.VietnamTime)
	s.Now = func() time.Time { return now }
	testdb.LoadProvince(t, s)
	fake := telegramtest.New(t)
	full := webhookEnv()
	for k, v := range env {
		full[k] = v
	}
	p := &provinceServe{harness: startServe(t, s, fake, full, nil), t: t}
	p.update.Store(5000)
	return p
}

// send posts an update and returns the texts sent to the user because of
// it (every reply queued by then has been sent).
func (p *provinceServe) send(user int64, update string) string {
	p.t.Helper()
	before := len(p.fake.Sent(user))
	if code := p.post(update, testSecret); code != 200 {
		p.t.Fatalf("webhook = %d for %s", code, update)
	}
	p.waitAllSent()
	var b strings.Builder
	for _, c := range p.fake.Sent(user)[before:] {
		b.WriteString(c.Get("text") + c.Get("reply_markup") + "\n")
	}
	return b.String()
}

// texts is what a user was sent from message `from` on, without the
// keyboards (whose buttons are the same for every place).
func (p *provinceServe) texts(user int64, from int) string {
	var b strings.Builder
	for _, c := range p.fake.Sent(user)[from:] {
		b.WriteString(c.Get("text") + "\n")
	}
	return b.String()
}

func (p *provinceServe) say(user int64, text string) string {
	p.t.Helper()
	return p.send(user, textUpdate(int(p.update.Add(1)), user, text))
}

func (p *provinceServe) location(user int64, lat, lon float64) string {
	p.t.Helper()
	id := p.update.Add(1)
	return p.send(user, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1749100000,`+
		`"chat":{"id":%d,"type":"private"},"from":{"id":%d,"is_bot":false,"first_name":"B","language_code":"vi"},`+
		`"location":{"latitude":%f,"longitude":%f}}}`, id, id, user, user, lat, lon))
}

func (p *provinceServe) press(user int64, data string) string {
	p.t.Helper()
	id := int(p.update.Add(1))
	return p.send(user, callbackUpdate(id, user, 1, data))
}

// placedIn is the contact's ward code and area code.
func (p *provinceServe) placedIn(user int64) (string, string) {
	p.t.Helper()
	c := p.contact(user)
	ctx := context.Background()
	var ward, area string
	if c.WardID != nil {
		w, err := p.store.Ward(ctx, *c.WardID)
		if err != nil {
			p.t.Fatal(err)
		}
		ward = w.Code
	}
	if c.AreaID != nil {
		a, err := p.store.Area(ctx, *c.AreaID)
		if err != nil {
			p.t.Fatal(err)
		}
		area = a.Code
	}
	return ward, area
}

func (p *provinceServe) areaID(ward, code string) int64 {
	p.t.Helper()
	var a models.Area
	err := p.store.DB(context.Background()).Joins("JOIN wards ON wards.id = areas.ward_id").
		Where("wards.code = ? AND areas.code = ?", ward, code).Take(&a).Error
	if err != nil {
		p.t.Fatal(err)
	}
	return a.ID
}

func wants(t *testing.T, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(got, s) {
			t.Errorf("reply lacks %q:\n%s", s, got)
		}
	}
}

func refuses(t *testing.T, got string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(got, s) {
			t.Errorf("reply has %q:\n%s", s, got)
		}
	}
}

// TestServeProvince is issue 14's "done when" through the real serve
// wiring (webhook, intake, handlers, outbox, the fake Bot API), on both
// databases: one bot for five wards in three cities.
func TestServeProvince(t *testing.T) {
	eachStore(t, func(t *testing.T, s *models.Store) {
		p := startProvince(t, s, nil)

		// Residents of each ward get their own place — "kp1" is in two wards.
		wants(t, p.say(101, "/start"), "xã, phường hay thị trấn nào")
		wants(t, p.say(101, "phuong ka long"), "Phường Ka Long (TP Móng Cái)", "Khu phố 1")
		p.say(101, "kp1")
		got := p.say(101, "bo phieu o dau")
		wants(t, got, "Nhà văn hóa khu phố 1", "Hùng Vương")
		refuses(t, got, "Hồng Hải")
		got = p.say(102, "toi o hong hai, bo phieu o dau")
		wants(t, got, "Phường Hồng Hải (TP Hạ Long)", "Nhà văn hóa khu 1 Hồng Hải")
		refuses(t, got, "Hùng Vương")
		if w, a := p.placedIn(102); w != "hong-hai" || a != "kp1" {
			t.Errorf("102 placed in %s/%s", w, a)
		}

		// A shared location: the nearest places, one pressed.
		got = p.location(103, 21.4851, 107.8950)
		wants(t, got, "Nơi bỏ phiếu gần ông/bà nhất", "Nhà văn hóa thôn 2")
		got = p.press(103, fmt.Sprintf("place:%d", p.areaID("hai-tien", "thon-2")))
		wants(t, got, "Thôn 2")
		if w, a := p.placedIn(103); w != "hai-tien" || a != "thon-2" {
			t.Errorf("103 placed in %s/%s", w, a)
		}

		// A poster's link.
		got = p.say(104, fmt.Sprintf("/start a%d", p.areaID("tan-lap-hh", "thon-1")))
		wants(t, got, "Xã Tân Lập", "Thôn Đồng Tâm")
		if w, a := p.placedIn(104); w != "tan-lap-hh" || a != "thon-1" {
			t.Errorf("104 placed in %s/%s", w, a)
		}

		// Voter lists with ward_code: each ward's lookups find its own.
		rep, err := s.ImportVoters(context.Background(), strings.NewReader(provinceVoters), "csv",
			models.ImportOptions{ElectionCode: testdb.ProvinceCode})
		if err != nil || rep.Rows != 4 {
			t.Fatalf("import voters: %+v, %v", rep, err)
		}
		wants(t, p.say(101, "nguyen van an 1961"), "Ng*** V** An, sinh 1961")
		wants(t, p.say(101, "nguyen van an 1975"), "Không tìm thấy người có họ tên và năm sinh này")
		wants(t, p.say(102, "nguyen van an 1975"), "Ng*** V** An, sinh 1975")
		// The phone on a voter list places a newcomer in that household's ward.
		got = p.send(105, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":9,"date":1749100000,`+
			`"chat":{"id":105,"type":"private"},"from":{"id":105,"is_bot":false,"first_name":"H","language_code":"vi"},`+
			`"contact":{"phone_number":"+84987654321","first_name":"H","user_id":105}}}`, p.update.Add(1)))
		wants(t, got, "P*** T** Hoa, sinh 1980", "Thôn 1")
		if w, a := p.placedIn(105); w != "hai-tien" || a != "thon-1" {
			t.Errorf("105 placed in %s/%s", w, a)
		}

		// A xã is spoken of as such: thôn, xã, Trưởng thôn — never khu phố
		// or phường.
		from := len(p.fake.Sent(103))
		for _, q := range []string{"/start", "ngay bau cu", "bo phieu o dau", "nguoi ung cu", "quy dinh", "/help", "/khupho"} {
			p.say(103, q)
		}
		xa := p.texts(103, from)
		wants(t, xa, "Xã Hải Tiến", "Trưởng thôn", "Thôn 2", "thôn")
		refuses(t, strings.ToLower(xa), "khu phố", "phường")

		// A ward's admin is refused on another ward's tally, broadcast
		// and export.
		p.say(201, "/start")
		ad := p.contact(201)
		kaLong, err := s.WardByCode(context.Background(), "ka-long")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(context.Background(), &models.RoleGrant{ContactID: &ad.ID, Role: models.RoleAdmin, WardID: &kaLong.ID}); err != nil {
			t.Fatal(err)
		}
		wants(t, p.say(201, "/congnhan thon-3"), "Phường Ka Long không có \"thon-3\"")
		wants(t, p.say(201, "/thongbao toan tinh"), "chỉ gửi được thông báo trong phạm vi Phường Ka Long")
		p.say(201, "/xuat csv")
		docs := p.fake.Calls("sendDocument")
		if len(docs) != 1 {
			t.Fatalf("%d documents sent", len(docs))
		}
		csv := string(docs[0].Files["document"])
		if !strings.Contains(csv, "ka-long") || strings.Contains(csv, "hai-tien") || strings.Contains(csv, "hong-hai") {
			t.Errorf("a ward admin's export holds other wards:\n%s", csv)
		}

		// The province's page rolls up by city and ward; a ward's drills down.
		code, page := p.get("/results/" + testdb.ProvinceCode)
		if code != 200 {
			t.Fatalf("results page = %d", code)
		}
		wants(t, page, "TP Móng Cái", "TP Hạ Long", "Huyện Đầm Hà", "Phường Ka Long", "Xã Hải Tiến", "?ward=hai-tien")
		refuses(t, page, "Nhà văn hóa thôn 1")
		code, page = p.get("/results/" + testdb.ProvinceCode + "?ward=hai-tien")
		if code != 200 {
			t.Fatalf("ward page = %d", code)
		}
		wants(t, page, "Thôn 1", "Thôn 2")
		refuses(t, page, "Khu phố 1")
	})
}

// provinceVoters is a voter file of the test province: area codes repeat
// across wards, so each row names its ward.
const provinceVoters = `ward_code,area_code,household_no,full_name,birth_year,address,phone
ka-long,kp1,1,Nguyễn Văn An,1961,12 Hùng Vương,0912345678
ka-long,kp2,5,Lê Thị Mai,1958,5 Trần Phú,
hong-hai,kp1,1,Nguyễn Văn An,1975,3 Nguyễn Văn Cừ,
hai-tien,thon-1,7,Phạm Thị Hoa,1980,Thôn 1,0987654321
`
