package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"electionbot/bot/telegram/telegramtest"
	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
	"electionbot/results"
)

// TestPurgeElection is the retention of issue 17 (Decree 13/2023):
// residents look themselves up by name and by phone, one abandons a
// lookup; `electionbot purge --election CODE --yes` then leaves no voter
// name, phone or address of the election in any text column of any table,
// and the results page is the same before and after.
func TestPurgeElection(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		if err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		e, err := s.ElectionByCode(ctx, demo.ElectionCode)
		if err != nil {
			t.Fatal(err)
		}
		areas, err := s.Areas(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var voters []*models.Voter
		if err := s.DB(ctx).Order("id").Find(&voters).Error; err != nil || len(voters) < 100 {
			t.Fatalf("%d voters, %v", len(voters), err)
		}
		var withPhone *models.Voter
		for _, v := range voters {
			if v.Phone != nil && v.AreaID == areas[0].ID && withPhone == nil {
				withPhone = v
			}
		}
		// Two areas recognised: the results page has numbers to show.
		rep, err := s.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "reporter", DisplayName: "Tổ bầu cử"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range areas[:2] {
			att := a.Households - 5
			tl := &models.Tally{AreaID: a.ID, Version: 1, ReporterID: rep.ID, Method: models.MethodSecret, Households: a.Households,
				Attending: att, Issued: &att, Returned: &att, Valid: &att, Invalid: new(int), Status: models.TallyAccepted,
				CreatedAt: time.Date(2022, 6, 5, 5, 0, 0, 0, time.UTC),
				Votes:     []models.TallyVote{{CandidateID: a.Candidates[0].ID, Votes: att - 20}}}
			if err := s.DB(ctx).Create(tl).Error; err != nil {
				t.Fatal(err)
			}
		}

		// Residents use the bot.
		fake := telegramtest.New(t)
		env := webhookEnv()
		env["LOOKUP_COOLDOWN"] = "0s"
		h := startServe(t, s, fake, env, nil)
		upd := 0
		post := func(body string) {
			t.Helper()
			upd++
			if code := h.post(body, testSecret); code != 200 {
				t.Fatalf("webhook: %d", code)
			}
		}
		say := func(user int64, text string) { post(textUpdate(13000+upd, user, text)) }
		say(201, "kp1")
		say(201, fmt.Sprintf("%s %d", voters[0].FullName, voters[0].BirthYear))
		post(fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":202,"type":"private"},`+
			`"from":{"id":202,"is_bot":false,"first_name":"B"},"contact":{"phone_number":%q,"first_name":"B","user_id":202}}}`,
			13000+upd, *withPhone.Phone))
		say(203, fmt.Sprintf("%s %d", voters[1].FullName, voters[1].BirthYear)) // the area is asked: abandoned
		h.waitAllSent()
		if c := h.contact(202); c.Phone == nil || *c.Phone != *withPhone.Phone {
			t.Fatalf("the phone lookup did not verify the phone: %+v", c)
		}

		// What must go: every name, phone and address of the list that is
		// not also public (a candidate's name, a polling place's address).
		var needles []string
		for _, v := range voters {
			needles = append(needles, v.FullName, v.Address)
			if v.Phone != nil {
				needles = append(needles, *v.Phone, strings.TrimPrefix(*v.Phone, "+84"))
			}
		}
		public := map[string]bool{}
		for _, hit := range testdb.FindText(t, s, needles, "candidates", "polling_places", "areas", "wards", "elections") {
			public[hit.Needle] = true
		}
		personal := needles[:0]
		for _, n := range needles {
			if !public[n] && strings.TrimSpace(n) != "" {
				personal = append(personal, n)
			}
		}
		t.Logf("%d names, phones and addresses to purge (%d also public: candidates, polling places)", len(personal), len(public))
		if hits := testdb.FindText(t, s, personal, "contacts"); len(hits) < 2 {
			t.Fatalf("before the purge the contacts hold a phone and a pending lookup: %+v", hits)
		}
		page := func() string {
			t.Helper()
			rs, err := results.New(s, []byte("k"), results.Options{Now: func() time.Time { return time.Date(2022, 6, 6, 9, 0, 0, 0, time.UTC) }})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			rs.Register(mux)
			var b strings.Builder
			for _, path := range []string{"/results/" + demo.ElectionCode, "/results/" + demo.ElectionCode + ".json"} {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != 200 {
					t.Fatalf("%s: %d", path, rec.Code)
				}
				b.WriteString(rec.Body.String())
			}
			return b.String()
		}
		before := page()

		dbURL := storeURL(t, s)
		run := func(stdin string, args ...string) (int, string, string) {
			var out, errb bytes.Buffer
			code := Main(ctx, args, strings.NewReader(stdin), &out, &errb, map[string]string{"DATABASE_URL": dbURL, "LOG_LEVEL": "warn"})
			return code, out.String(), errb.String()
		}
		// Without --yes and nobody to confirm: nothing deleted.
		if code, _, stderr := run("y\n", "purge", "--election", demo.ElectionCode); code != 2 || !strings.Contains(stderr, "confirm with --yes") {
			t.Fatalf("without --yes: %d %s", code, stderr)
		}
		if n := h.count("voters"); n != int64(len(voters)) {
			t.Fatalf("%d voters left after a refused purge, want %d", n, len(voters))
		}
		if code, _, stderr := run("", "purge", "--election", "no-such"); code != 1 || !strings.Contains(stderr, "no-such") {
			t.Fatalf("unknown election: %d %s", code, stderr)
		}
		code, stdout, stderr := run("", "purge", "--election", demo.ElectionCode, "--yes")
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("purged %s: %d voters", demo.ElectionCode, len(voters))) ||
			!strings.Contains(stderr, "kept: areas, candidates, tallies") {
			t.Fatalf("purge: %d\n%s\n%s", code, stdout, stderr)
		}
		t.Log(strings.TrimSpace(stdout))

		if hits := testdb.FindText(t, s, personal); len(hits) > 0 {
			for i, hit := range hits {
				if i < 10 {
					t.Errorf("left after the purge: %s.%s has %q: %q", hit.Table, hit.Column, hit.Needle, hit.Value)
				}
			}
			t.Fatalf("%d values left", len(hits))
		}
		if after := page(); after != before {
			t.Errorf("the results page changed with the purge")
		}
		var lookups int64
		s.DB(ctx).Model(&models.AuditEvent{}).Where("action LIKE 'eligibility.%'").Count(&lookups)
		if lookups != 0 {
			t.Errorf("%d lookup audit events left", lookups)
		}
		// Purging again finds nothing more.
		if code, stdout, _ := run("", "purge", "--election", demo.ElectionCode, "--yes"); code != 0 || !strings.Contains(stdout, ": 0 voters") {
			t.Errorf("second purge: %d %s", code, stdout)
		}
	})
}

// TestPurgeHelp: `purge --help` prints its usage and exits 0 without
// opening the database.
func TestPurgeHelp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"purge", "--help"}, strings.NewReader(""), &out, &errb,
		map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "x.db")})
	if code != 0 || !strings.Contains(out.String(), "usage: electionbot purge --election CODE [--yes]") {
		t.Fatalf("purge --help: %d\n%s\n%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("purge --help touched the database folder: %v", err)
	}
	if code := Main(context.Background(), []string{"purge"}, strings.NewReader(""), &out, &errb,
		map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(dir, "x.db")}); code != 2 {
		t.Fatalf("purge without --election: exit %d, want 2", code)
	}
}
