package results_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"electionbot/results"
)

// An officials' link is valid at most 7 days (issue 20): a signed expiry
// beyond the cap — "until 9999" — is refused, a ward-bound one too.
func TestVerifyAdminRefusesBeyondTheCap(t *testing.T) {
	now := time.Date(2022, 6, 5, 4, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		exp  time.Time
		want error
	}{
		{"12 hours", now.Add(12 * time.Hour), nil},
		{"7 days", now.Add(results.MaxAdminLinkTTL), nil},
		{"7 days and a second", now.Add(results.MaxAdminLinkTTL + time.Second), results.ErrTooLong},
		{"until 9999", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), results.ErrTooLong},
		{"expired", now.Add(-time.Second), results.ErrExpired},
	}
	for _, c := range cases {
		exp := strconv.FormatInt(c.exp.Unix(), 10)
		q := query(t, results.SignAdminLink("https://kq.example.vn", "ka-long-2022", testKey, c.exp))
		if _, err := results.VerifyAdmin("ka-long-2022", exp, q.Get("sig"), testKey, now); err != c.want {
			t.Errorf("%s: VerifyAdmin = %v, want %v", c.name, err, c.want)
		}
		q = query(t, results.SignWardAdminLink("https://kq.example.vn", "qn-2022", "ka-long", testKey, c.exp))
		if _, _, err := results.VerifyAdminScope("qn-2022", "ka-long", exp, q.Get("sig"), testKey, now); err != c.want {
			t.Errorf("%s: VerifyAdminScope = %v, want %v", c.name, err, c.want)
		}
	}
}

// /trangketqua's links: 12 hours by default, never beyond the cap, bound to
// the ward given; without a base or a key the missing setting is named.
func TestOfficialsPageLinks(t *testing.T) {
	now := time.Date(2022, 6, 5, 4, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	link, until, missing := results.OfficialsPage("https://kq.example.vn/", testKey, 0, clock)("qn-2022", "ka-long")
	if missing != "" || !until.Equal(now.Add(results.DefaultAdminLinkTTL)) {
		t.Fatalf("default: %q %v %q", link, until, missing)
	}
	q := query(t, link)
	if _, bound, err := results.VerifyAdminScope("qn-2022", "ka-long", q.Get("exp"), q.Get("sig"), testKey, now); err != nil || !bound || q.Get("ward") != "ka-long" {
		t.Fatalf("%s: bound %v, err %v", link, bound, err)
	}
	if _, until, _ := results.OfficialsPage("https://kq.example.vn", testKey, 30*24*time.Hour, clock)("qn-2022", ""); !until.Equal(now.Add(results.MaxAdminLinkTTL)) {
		t.Errorf("30 days asked: until %v, want the 7-day cap", until)
	}
	if l, _, m := results.OfficialsPage(" ", testKey, 0, clock)("qn-2022", ""); l != "" || m != "PUBLIC_BASE_URL" {
		t.Errorf("no base: %q %q", l, m)
	}
	if l, _, m := results.OfficialsPage("https://kq.example.vn", nil, 0, clock)("qn-2022", ""); l != "" || m != "RESULTS_LINK_KEY" {
		t.Errorf("no key: %q %q", l, m)
	}
}

func query(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
