package handlers

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/models"
)

// fakeStore is an in-memory Store: the Ka Long 2022 shape in miniature.
type fakeStore struct {
	mu       sync.Mutex
	election *models.Election
	areas    []*models.Area
	voters   []*models.Voter
	tallies  []*models.Tally
	contacts map[string]*models.Contact
	audits   []models.AuditEvent
	nextID   int64
	saves    int
	failAll  error // returned by every call when set
}

func ptr[T any](v T) *T { return &v }

func newFakeStore() *fakeStore {
	loc := models.VietnamTime
	el := &models.Election{
		ID: 1, Code: "ka-long-2022", WardID: ptr(int64(1)),
		Title: "Bầu cử Trưởng khu phố nhiệm kỳ 2022–2025",
		Date:  "2022-06-05", Opens: "07:00", Closes: "11:00",
		Timezone: "Asia/Ho_Chi_Minh", Rules: models.RulesNQLT2008, Method: models.MethodSecret,
		OpensAt:  time.Date(2022, 6, 5, 7, 0, 0, 0, loc).UTC(),
		ClosesAt: time.Date(2022, 6, 5, 11, 0, 0, 0, loc).UTC(),
		Ward:     &models.Ward{ID: 1, Code: "ka-long", Name: "Phường Ka Long", City: "TP Móng Cái", Province: "Quảng Ninh"},
	}
	f := &fakeStore{election: el, contacts: map[string]*models.Contact{}, nextID: 100}
	names := [][]string{
		{"Nguyễn Văn An", "Trần Thị Bình"},
		{"Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"},
		{"Vũ Thị Giang", "Đỗ Văn Hải"},
		{"Bùi Văn Khánh", "Đặng Thị Lan"},
		{"Ngô Văn Minh", "Dương Thị Nga"},
		{"Lý Văn Phúc", "Trịnh Thị Quỳnh"},
	}
	for i := 1; i <= 6; i++ {
		a := &models.Area{
			ID: int64(i), ElectionID: 1, WardID: 1, Ward: el.Ward, Code: "kp" + itoa(i), Name: "Khu phố " + itoa(i),
			Unit: models.UnitKhuPho, Households: 300 + i,
			PollingPlace: &models.PollingPlace{ID: int64(i), AreaID: int64(i),
				Name: "Nhà văn hóa khu phố " + itoa(i), Address: itoa(10*i) + " đường Trần Phú, Phường Ka Long"},
		}
		if i != 6 { // area 6 has no coordinates
			a.PollingPlace.Lat, a.PollingPlace.Lon = ptr(21.53+float64(i)/1000), ptr(107.96+float64(i)/1000)
		}
		for j, n := range names[i-1] {
			a.Candidates = append(a.Candidates, &models.Candidate{ID: int64(10*i + j + 1), AreaID: int64(i), BallotNo: j + 1, Name: n, NameFolded: models.Fold(n)})
		}
		f.areas = append(f.areas, a)
	}
	add := func(area int64, no, name string, year int, phone string) {
		v := &models.Voter{ID: int64(len(f.voters) + 1), AreaID: area, HouseholdNo: no, FullName: name,
			NameFolded: models.Fold(name), BirthYear: year, Address: "12 ngõ 3, " + no}
		if phone != "" {
			p, err := models.NormalizePhone(phone)
			if err != nil {
				panic(err)
			}
			v.Phone = &p
		}
		f.voters = append(f.voters, v)
	}
	add(1, "17", "Nguyễn Văn An", 1961, "0912345678")
	add(1, "42", "Nguyễn Văn Bình", 1961, "")
	add(1, "125", "Trần Thị Hoa", 1970, "")
	add(1, "126", "Trần Thị Hoa", 1970, "")
	add(1, "55", "Nguyễn Văn Nam", 1975, "")
	add(2, "8", "Lê Thị Mai", 1958, "0987654321")
	return f
}

func itoa(i int) string { return strconv.Itoa(i) }

func (f *fakeStore) CurrentElection(ctx context.Context) (*models.Election, error) {
	if f.failAll != nil {
		return nil, f.failAll
	}
	if f.election == nil {
		return nil, models.Errorf(models.ENOTFOUND, "no election")
	}
	e := *f.election
	return &e, nil
}

func (f *fakeStore) Areas(ctx context.Context, electionID int64) ([]*models.Area, error) {
	if f.failAll != nil {
		return nil, f.failAll
	}
	return f.areas, nil
}

// The fake has one ward (the election's, when there is one).
func (f *fakeStore) Wards(ctx context.Context) ([]*models.Ward, error) {
	if f.failAll != nil {
		return nil, f.failAll
	}
	if f.election == nil {
		return nil, nil
	}
	return []*models.Ward{f.election.Ward}, nil
}

func (f *fakeStore) WardsNamed(ctx context.Context, names []string) ([]*models.Ward, error) {
	ws, err := f.Wards(ctx)
	var out []*models.Ward
	for _, w := range ws {
		for _, n := range names {
			if models.WardFolded(w.Name) == n {
				out = append(out, w)
				break
			}
		}
	}
	return out, err
}

func (f *fakeStore) ManyWards(ctx context.Context) (bool, error) {
	ws, err := f.Wards(ctx)
	return len(ws) > 1, err
}

func (f *fakeStore) Ward(ctx context.Context, id int64) (*models.Ward, error) {
	if f.failAll != nil {
		return nil, f.failAll
	}
	if f.election == nil || f.election.Ward.ID != id {
		return nil, models.Errorf(models.ENOTFOUND, "ward %d", id)
	}
	return f.election.Ward, nil
}

func (f *fakeStore) AreaWard(ctx context.Context, areaID int64) (*models.Ward, error) {
	a, err := f.Area(ctx, areaID)
	if err != nil {
		return nil, err
	}
	return a.Ward, nil
}

func (f *fakeStore) ElectionForWard(ctx context.Context, w *models.Ward) (*models.Election, error) {
	e, err := f.CurrentElection(ctx)
	if err != nil {
		return nil, err
	}
	e.Ward = w
	return e, nil
}

func (f *fakeStore) WardAreas(ctx context.Context, electionID int64, w *models.Ward) ([]*models.Area, error) {
	return f.Areas(ctx, electionID)
}

func (f *fakeStore) PlacesNear(ctx context.Context, lat, lon, radiusKm float64, limit int) ([]models.PlaceNear, error) {
	var out []models.PlaceNear
	for _, a := range f.areas {
		if pp := a.PollingPlace; pp != nil && pp.Lat != nil {
			if d := models.DistanceKm(lat, lon, *pp.Lat, *pp.Lon); d <= radiusKm {
				out = append(out, models.PlaceNear{Area: a, DistanceKm: d})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DistanceKm < out[j].DistanceKm })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (f *fakeStore) Area(ctx context.Context, id int64) (*models.Area, error) {
	if f.failAll != nil {
		return nil, f.failAll
	}
	for _, a := range f.areas {
		if a.ID == id {
			return a, nil
		}
	}
	return nil, models.Errorf(models.ENOTFOUND, "area %d", id)
}

func (f *fakeStore) EnsureContact(ctx context.Context, c *models.Contact) (*models.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failAll != nil {
		return nil, f.failAll
	}
	k := c.Channel + "/" + c.ExternalID
	if got, ok := f.contacts[k]; ok {
		cp := *got
		return &cp, nil
	}
	f.nextID++
	nc := *c
	nc.ID = f.nextID
	if nc.Lang == "" {
		nc.Lang = "vi"
	}
	f.contacts[k] = &nc
	cp := nc
	return &cp, nil
}

func (f *fakeStore) SaveContact(ctx context.Context, c *models.Contact) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := *c
	f.contacts[c.Channel+"/"+c.ExternalID] = &cp
	f.saves++
	return nil
}

func (f *fakeStore) Audit(ctx context.Context, ev *models.AuditEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audits = append(f.audits, *ev)
	return nil
}

func (f *fakeStore) CountAudit(ctx context.Context, contactID int64, action string, since time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for _, ev := range f.audits {
		if ev.ContactID != nil && *ev.ContactID == contactID && ev.Action == action && !ev.At.Before(since) {
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) OldestAuditSince(ctx context.Context, contactID int64, action string, since time.Time) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out time.Time
	for _, ev := range f.audits {
		if ev.ContactID != nil && *ev.ContactID == contactID && ev.Action == action && !ev.At.Before(since) {
			if out.IsZero() || ev.At.Before(out) {
				out = ev.At
			}
		}
	}
	if out.IsZero() {
		return out, models.Errorf(models.ENOTFOUND, "none")
	}
	return out, nil
}

func (f *fakeStore) FindVoters(ctx context.Context, areaID int64, nameFolded string, birthYear int) ([]*models.Voter, error) {
	var out []*models.Voter
	for _, v := range f.voters {
		if v.AreaID == areaID && v.NameFolded == nameFolded && v.BirthYear == birthYear {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].HouseholdNo < out[j].HouseholdNo })
	return out, nil
}

func (f *fakeStore) FindVotersByPhone(ctx context.Context, electionID int64, phone string) ([]*models.Voter, error) {
	var out []*models.Voter
	for _, v := range f.voters {
		if v.Phone != nil && *v.Phone == phone {
			out = append(out, v)
		}
	}
	return out, nil
}

func (f *fakeStore) AcceptedTally(ctx context.Context, areaID int64) (*models.Tally, error) {
	var best *models.Tally
	for _, t := range f.tallies {
		if t.AreaID == areaID && t.Status == models.TallyAccepted && (best == nil || t.Version > best.Version) {
			best = t
		}
	}
	if best == nil {
		return nil, models.Errorf(models.ENOTFOUND, "no accepted tally")
	}
	return best, nil
}

// stores binds the residents' features to the fake; the others are off.
func (f *fakeStore) stores(*models.Store) Stores {
	return Stores{Core: f, Residents: f, Lookup: f}
}

func (f *fakeStore) contact(channel, id string) *models.Contact {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.contacts[channel+"/"+id]
}

// clock is a settable injected clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// at is a local Vietnam time.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, models.VietnamTime)
}

type harness struct {
	t     *testing.T
	store *fakeStore
	clk   *clock
	h     *Conversation
	user  string
	lang  string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st := newFakeStore()
	clk := &clock{t: at(2022, 6, 2, 9, 0)}
	h, err := New(Config{Stores: st.stores, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, store: st, clk: clk, h: h, user: "1"}
}

// send sends a text and returns the replies; it fails the test on an error
// or on no reply.
func (hs *harness) send(text string) []bot.Outgoing {
	hs.t.Helper()
	return hs.do(bot.Incoming{Text: text})
}

func (hs *harness) do(in bot.Incoming) []bot.Outgoing {
	hs.t.Helper()
	if in.Channel == "" {
		in.Channel = models.ChannelConsole
	}
	if in.UserID == "" {
		in.UserID, in.ChatID = hs.user, hs.user
	}
	if in.Lang == "" {
		in.Lang = hs.lang
	}
	out, err := hs.h.Handle(context.Background(), nil, in)
	if err != nil {
		hs.t.Fatalf("Handle(%+v): %v", in, err)
	}
	if len(out) == 0 {
		hs.t.Fatalf("Handle(%+v): no reply", in)
	}
	return out
}

// replyHas sends a text and fails the test unless the reply contains
// want; it returns the reply's text.
func (hs *harness) replyHas(msg, want string) string {
	hs.t.Helper()
	got := text(hs.send(msg))
	if !strings.Contains(got, want) {
		hs.t.Fatalf("%q = %q, want %q in it", msg, got, want)
	}
	return got
}

// text joins the texts of the replies.
func text(out []bot.Outgoing) string {
	s := ""
	for _, o := range out {
		if o.Text != "" {
			if s != "" {
				s += "\n"
			}
			s += o.Text
		}
	}
	return s
}

// newFakeCommuneStore is the fake as a commune (xã) with thôn: the same
// voters and candidates, under the Law of 2022 (whose texts name the
// committee and the interim head); Thôn 6 has no polling place yet.
func newFakeCommuneStore() *fakeStore {
	f := newFakeStore()
	w := &models.Ward{ID: 2, Code: "hai-tien", Name: "Xã Hải Tiến", City: "TP Móng Cái", Province: "Quảng Ninh", Kind: models.WardCommune}
	el := f.election
	el.Code, el.WardID, el.Ward = "hai-tien-2022", ptr(w.ID), w
	el.Title = "Bầu cử Trưởng thôn nhiệm kỳ 2022–2025"
	el.Rules = models.RulesLuat2022
	for _, a := range f.areas {
		n := itoa(int(a.ID))
		a.WardID, a.Ward, a.Unit = w.ID, w, models.UnitThon
		a.Code, a.Name = "thon"+n, "Thôn "+n
		a.PollingPlace.Name = "Nhà văn hóa thôn " + n
		a.PollingPlace.Address = "Thôn " + n + ", Xã Hải Tiến"
	}
	f.areas[5].PollingPlace = nil
	return f
}

// newHarnessWith is newHarness on a given fake.
func newHarnessWith(t *testing.T, st *fakeStore) *harness {
	t.Helper()
	clk := &clock{t: at(2022, 6, 2, 9, 0)}
	h, err := New(Config{Stores: st.stores, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, store: st, clk: clk, h: h, user: "1"}
}
