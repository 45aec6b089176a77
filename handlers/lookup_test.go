package handlers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

func TestParseNameYear(t *testing.T) {
	cases := []struct {
		text  string
		names []string // nil = not a name lookup
		year  int
	}{
		{"nguyen van an 1961", []string{"nguyen van an"}, 1961},
		{"Nguyễn Văn An sinh năm 1961", []string{"nguyen van an"}, 1961},
		{"Nguyễn Văn An, 1961", []string{"nguyen van an"}, 1961},
		{"tôi tên là Nguyễn Văn An sinh năm 1961", []string{"nguyen van an"}, 1961},
		{"an nguyen van, 1961", []string{"an nguyen van"}, 1961}, // exact only: will not match
		{"1961 nguyen van an", []string{"nguyen van an"}, 1961},
		{"my name is Nguyen Van An born in 1961", []string{"nguyen van an"}, 1961},
		// "nam" folded is both "năm" (year) and the given name Nam: try both.
		{"nguyen van an nam 1961", []string{"nguyen van an", "nguyen van an nam"}, 1961},
		{"Nguyễn Văn Nam 1975", []string{"nguyen van nam"}, 1975},
		{"an 1961", nil, 0},                 // one word is not a full name
		{"nguyen van an", nil, 0},           // no year
		{"nguyen van an 2021", nil, 0},      // too young to vote
		{"nguyen van an 1961 1962", nil, 0}, // two years
		{"nguyen van 3 an 1961", nil, 0},    // digits in the name
	}
	for _, c := range cases {
		q, ok := parseNameYear(c.text, 2005)
		if c.names == nil {
			if ok {
				t.Errorf("parseNameYear(%q) = %+v, want no lookup", c.text, q)
			}
			continue
		}
		if !ok || fmt.Sprint(q.Names) != fmt.Sprint(c.names) || q.Year != c.year {
			t.Errorf("parseNameYear(%q) = %+v, %v; want %v %d", c.text, q, ok, c.names, c.year)
		}
	}
}

func TestMaskedAnswerOnTheList(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	got := text(hs.send("nguyen van an 1961"))
	for _, want := range []string{"Ng*** V** An, sinh 1961", "hộ số 17", "Khu phố 1", "Nhà văn hóa khu phố 1", "Chủ nhật, 05/06/2022", "07:00", "11:00"} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %q:\n%s", want, got)
		}
	}
	// Never the full name, the address or the phone.
	for _, leak := range []string{"Nguyễn Văn An", "12 ngõ 3", "0912345678", "+84912345678"} {
		if strings.Contains(got, leak) {
			t.Errorf("answer leaks %q:\n%s", leak, got)
		}
	}
	if got := models.MaskName("Trần Thị Hoa"); got != "T*** T** Hoa" {
		t.Errorf("MaskName = %q", got)
	}
}

func TestNoPartialNameMatch(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	for _, q := range []string{"nguyen van 1961", "van an 1961", "nguyen an 1961", "nguyen van a 1961", "nguyen van an 1960"} {
		got := text(hs.send(q))
		if !strings.Contains(got, "Không tìm thấy") || strings.Contains(got, "Ng*** V** An") {
			t.Errorf("%q matched: %s", q, got)
		}
	}
}

func TestNotFoundSaysWhatToDo(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	got := text(hs.send("Lê Văn Tám 1960"))
	for _, want := range []string{"Nhà văn hóa khu phố 1", "Trưởng khu phố", "Tổ bầu cử khu phố", "hoặc UBND phường.", "Xin báo càng sớm càng tốt", "đại diện của mỗi hộ"} {
		if !strings.Contains(got, want) {
			t.Errorf("not-found lacks %q:\n%s", want, got)
		}
	}
	hs.clk.t = at(2022, 6, 5, 8, 0)
	if got := text(hs.send("Lê Văn Tám 1960")); !strings.Contains(got, "Hôm nay là ngày bầu cử") {
		t.Errorf("on the day the deadline is not said to be past:\n%s", got)
	}
}

// The limit counts audited lookups: the 11th within 10 minutes is refused
// with the local time to retry, and allowed again once the window passed.
func TestRateLimit(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	start := hs.clk.t // 09:00 local
	for i := 0; i < 10; i++ {
		hs.clk.t = start.Add(time.Duration(i) * 30 * time.Second)
		if got := text(hs.send(fmt.Sprintf("nguyen van an %d", 1950+i))); strings.Contains(got, "thử lại") {
			t.Fatalf("lookup %d refused: %s", i+1, got)
		}
	}
	hs.clk.t = start.Add(5 * time.Minute)
	got := text(hs.send("nguyen van an 1961"))
	if !strings.Contains(got, "thử lại sau 09:10") {
		t.Fatalf("11th lookup = %q, want a refusal with 09:10", got)
	}
	if n := len(hs.store.audits); n != 10 {
		t.Fatalf("%d audit events, want 10 (a refused lookup is not a lookup)", n)
	}
	// Phone lookups count too.
	if got := text(hs.do(bot.Incoming{Contact: &bot.SharedContact{Phone: "0912345678", Own: true}})); !strings.Contains(got, "09:10") {
		t.Fatalf("phone lookup over the limit = %q", got)
	}
	hs.clk.t = start.Add(10*time.Minute + time.Second)
	if got := text(hs.send("nguyen van an 1961")); !strings.Contains(got, "Ng*** V** An") {
		t.Fatalf("after the window = %q, want an answer", got)
	}
	// English, and an odd second rounds the shown time up.
	hs2 := newHarness(t)
	hs2.lang = "en"
	hs2.send("kp1")
	hs2.clk.t = at(2022, 6, 2, 14, 3).Add(20 * time.Second)
	for i := 0; i < 10; i++ {
		hs2.send("nguyen van an 1961")
	}
	if got := text(hs2.send("nguyen van an 1961")); !strings.Contains(got, "try again after 14:14") {
		t.Fatalf("en refusal = %q", got)
	}
}

func TestLookupLimitConfigurable(t *testing.T) {
	st := newFakeStore()
	clk := &clock{t: at(2022, 6, 2, 9, 0)}
	h, err := New(Config{Stores: st.stores, Now: clk.Now, LookupLimit: 2, LookupWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, store: st, clk: clk, h: h, user: "9"}
	hs.send("kp1")
	hs.send("nguyen van an 1961")
	hs.send("nguyen van an 1961")
	if got := text(hs.send("nguyen van an 1961")); !strings.Contains(got, "2 lần trong 60 phút") || !strings.Contains(got, "10:00") {
		t.Fatalf("3rd lookup with limit 2/h = %q", got)
	}
}

// Every lookup is audited with the contact and whether it matched, never
// with the searched name.
func TestLookupAudited(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	hs.send("Nguyễn Văn An 1961")
	hs.send("Lê Văn Tám 1960")
	if len(hs.store.audits) != 2 {
		t.Fatalf("%d audit events, want 2", len(hs.store.audits))
	}
	c := hs.store.contact("console", "1")
	for i, ev := range hs.store.audits {
		if ev.Action != ActionLookup || ev.ContactID == nil || *ev.ContactID != c.ID || ev.At.IsZero() {
			t.Errorf("event %d = %+v", i, ev)
		}
		all := strings.ToLower(ev.Subject + " " + ev.Detail)
		for _, leak := range []string{"nguyen", "nguyễn", "tam", "1961", "1960"} {
			if strings.Contains(all, leak) {
				t.Errorf("event %d holds %q: %+v", i, leak, ev)
			}
		}
	}
	if !hs.store.audits[0].OK || hs.store.audits[1].OK {
		t.Errorf("matched flags = %v, %v; want true, false", hs.store.audits[0].OK, hs.store.audits[1].OK)
	}
}

func TestPhoneNormalisation(t *testing.T) {
	for _, phone := range []string{"0912345678", "+84 912 345 678", "+84912345678", "84912345678", "0912.345.678"} {
		t.Run(phone, func(t *testing.T) {
			hs := newHarness(t)
			got := text(hs.do(bot.Incoming{Contact: &bot.SharedContact{Phone: phone, Own: true}}))
			if !strings.Contains(got, "Ng*** V** An, sinh 1961 — hộ số 17, Khu phố 1") {
				t.Fatalf("phone %s = %q", phone, got)
			}
			c := hs.store.contact("console", "1")
			if c.Phone == nil || *c.Phone != "+84912345678" {
				t.Fatalf("contact phone = %v", c.Phone)
			}
			if c.AreaID == nil || *c.AreaID != 1 {
				t.Fatalf("area not remembered from the list: %v", c.AreaID)
			}
		})
	}
	hs := newHarness(t)
	if got := text(hs.do(bot.Incoming{Contact: &bot.SharedContact{Phone: "0900000000", Own: true}})); !strings.Contains(got, "chưa có trong danh sách") {
		t.Fatalf("unknown phone = %q", got)
	}
	if got := text(hs.do(bot.Incoming{Contact: &bot.SharedContact{Phone: "12ab", Own: true}})); !strings.Contains(got, "không đúng dạng") {
		t.Fatalf("bad phone = %q", got)
	}
}

func TestForwardedContactRefused(t *testing.T) {
	hs := newHarness(t)
	got := text(hs.do(bot.Incoming{Contact: &bot.SharedContact{Phone: "0912345678", Own: false}}))
	if !strings.Contains(got, "chính ông/bà") || strings.Contains(got, "Ng*** V** An") {
		t.Fatalf("forwarded contact = %q", got)
	}
	if len(hs.store.audits) != 0 {
		t.Fatalf("a forwarded contact was looked up: %+v", hs.store.audits)
	}
	if c := hs.store.contact("console", "1"); c.Phone != nil {
		t.Fatalf("a forwarded phone was stored on the contact: %s", *c.Phone)
	}
}

// Several namesakes: the bot asks the household number and answers for
// that household only; a wrong number reveals nothing.
func TestSeveralMatches(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	got := text(hs.send("Trần Thị Hoa 1970"))
	if !strings.Contains(got, "có 2 người") || strings.Contains(got, "125") || strings.Contains(got, "126") {
		t.Fatalf("several = %q", got)
	}
	got = text(hs.send("99"))
	if !strings.Contains(got, "không khớp") || strings.Contains(got, "T*** T** Hoa") {
		t.Fatalf("wrong household = %q", got)
	}
	// The pending question survives a restart: a new Conversation on the store.
	h2, err := New(Config{Stores: hs.store.stores, Now: hs.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	hs.h = h2
	got = text(hs.send("số hộ 126"))
	if !strings.Contains(got, "T*** T** Hoa, sinh 1970 — hộ số 126") || strings.Contains(got, "125") {
		t.Fatalf("household 126 = %q", got)
	}
	if c := hs.store.contact("console", "1"); c.State != "" {
		t.Fatalf("state after the answer = %q, want cleared", c.State)
	}
	if n := len(hs.store.audits); n != 3 {
		t.Fatalf("%d audits, want 3 (household answers count as lookups)", n)
	}
}

// A name sent before the area is known waits for the area, then is looked
// up in it.
func TestLookupWaitsForArea(t *testing.T) {
	hs := newHarness(t)
	hs.replyHas("Nguyễn Văn An sinh năm 1961", "khu phố nào")
	hs.replyHas("Khu phố 1", "Ng*** V** An, sinh 1961")
}

func TestFamilyMemberQuestion(t *testing.T) {
	hs := newHarness(t)
	for _, q := range []string{"vợ tôi có được bầu không", "con toi di bau duoc khong"} {
		if got := text(hs.send(q)); !strings.Contains(got, "một người đại diện") {
			t.Errorf("%q = %q", q, got)
		}
	}
	hs.lang = "en"
	hs2 := newHarness(t)
	hs2.lang = "en"
	if got := text(hs2.send("can my wife vote?")); !strings.Contains(got, "one representative") {
		t.Errorf("en family = %q", got)
	}
}

func TestCheckButtonOffersContactSharing(t *testing.T) {
	hs := newHarness(t)
	out := hs.send("🔎 Tra cứu danh sách cử tri")
	kb := out[len(out)-1].Keyboard
	if kb == nil || !kb.Rows[0][0].RequestContact {
		t.Fatalf("check keyboard = %+v, want a contact button", kb)
	}
	// Waiting for a name: a name without year asks for the year.
	hs.send("kp1")
	hs.send("/tracuu")
	if got := text(hs.send("Nguyen Van An")); !strings.Contains(got, "năm sinh") {
		t.Fatalf("name without year = %q", got)
	}
}

func TestHouseholdNumber(t *testing.T) {
	for in, want := range map[string]string{
		"126": "126", "so 126": "126", "ho so 12a": "12a", "household no 7": "7", "nha toi so 5 a": "5",
		"khu 2": "", "ngay bau cu": "", "": "", "12 13": "",
	} {
		if got := householdNumber(in); got != want {
			t.Errorf("householdNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// While a household number is awaited no keyboard is shown, so a channel
// mapping digits to buttons passes the number through.
func TestSeveralMatchesRemovesKeyboard(t *testing.T) {
	hs := newHarness(t)
	hs.send("kp1")
	out := hs.send("tran thi hoa 1970")
	if last := out[len(out)-1]; last.Keyboard != nil || !last.RemoveKeyboard {
		t.Fatalf("several matches reply = %+v, want the keyboard removed", last)
	}
}

// Given names that read like "thanks" (Thanh, Thành, Thắng) or "cancel"
// (Huy) are names when a birth year follows: the lookup runs.
func TestNamesThatLookLikeWordsAreLookedUp(t *testing.T) {
	for _, q := range []string{"Nguyễn Văn Thanh 1961", "nguyen van thanh 1961", "Trần Quốc Thắng 1965", "Phạm Thành 1958", "Lê Quang Huy 1970", "Đỗ Đức Huy 1980"} {
		hs := newHarness(t)
		hs.send("kp1")
		got := text(hs.send(q))
		if !strings.Contains(got, "Không tìm thấy") {
			t.Errorf("%q was not looked up:\n%s", q, got)
		}
	}
	// Without a year they keep their meaning.
	hs := newHarness(t)
	if got := text(hs.send("cam on")); strings.Contains(got, "Không tìm thấy") {
		t.Errorf("thanks became a lookup: %s", got)
	}
}
