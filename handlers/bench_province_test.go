package handlers_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"electionbot/bot"
	"electionbot/handlers"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// benchProvince is an election of `wards` wards with `per` areas each
// (a xã's thôn for even wards, a phường's khu phố for odd ones), all with
// two candidates and a polling place: 1 × 6 is Ka Long's shape, 177 wards
// averaging 8.2 areas is Quảng Ninh's 1,452.
func benchProvince(wards, areas int) *models.ElectionFile {
	f := &models.ElectionFile{
		Election: models.FileElection{Code: "bench-2025", Title: "Bầu cử Trưởng thôn, Tổ trưởng tổ dân phố",
			Date: "2025-06-08", Opens: "07:00", Closes: "11:00", Rules: models.RulesNQLT2008, Method: models.MethodSecret},
		Province: "Quảng Ninh",
	}
	for w := 0; w < wards; w++ {
		name, unit := fmt.Sprintf("Phường Số %d", w+1), "Khu phố"
		if w%2 == 0 {
			name, unit = fmt.Sprintf("Xã Số %d", w+1), "Thôn"
		}
		fw := models.FileWard{Code: "w" + strconv.Itoa(w+1), Name: name, City: fmt.Sprintf("Huyện %d", w%13+1)}
		n := areas / wards
		if w < areas%wards {
			n++
		}
		for a := 0; a < n; a++ {
			lat, lon := 21.0+float64(w)/100, 107.0+float64(a)/1000
			fw.Areas = append(fw.Areas, models.FileArea{Code: "a" + strconv.Itoa(a+1),
				Name: fmt.Sprintf("%s %d", unit, a+1), Households: 200 + a,
				PollingPlace: models.FilePollingPlace{Name: fmt.Sprintf("Nhà văn hóa %s %d", unit, a+1), Lat: &lat, Lon: &lon},
				Candidates:   []string{fmt.Sprintf("Nguyễn Văn %d", a+1), fmt.Sprintf("Trần Thị %d", a+1)}})
		}
		f.Wards = append(f.Wards, fw)
	}
	return f
}

// BenchmarkResidentMessage is the cost of answering one resident's
// message (a placed resident asks where to vote) on the real store: it
// must not grow with the number of wards and areas in the deployment
// (docs/design.md §4). Ka Long's ward of 6 areas (areas=6); a ward of 8
// areas alone (areas=8) and as the last of Quảng Ninh's 177 wards
// (areas=1452): the last two must cost the same, and differ from the first
// only by the two areas more of the resident's own ward. Figures in
// BENCHMARKS.md. PostgreSQL with TEST_DATABASE_URL, else SQLite.
func BenchmarkResidentMessage(b *testing.B) {
	for _, shape := range []struct{ wards, areas int }{{1, 6}, {1, 8}, {177, 1452}} {
		b.Run(fmt.Sprintf("areas=%d", shape.areas), func(b *testing.B) {
			s := testdb.SQLite(b)
			if os.Getenv("TEST_DATABASE_URL") != "" {
				s = testdb.Postgres(b)
			}
			ctx := context.Background()
			now := time.Date(2025, 6, 5, 9, 0, 0, 0, models.VietnamTime)
			clock := func() time.Time { return now }
			s.Now = clock
			if _, err := s.LoadElection(ctx, benchProvince(shape.wards, shape.areas)); err != nil {
				b.Fatal(err)
			}
			h, err := handlers.New(handlers.Config{Stores: handlers.StoresOf, Now: clock})
			if err != nil {
				b.Fatal(err)
			}
			// 50 residents, each placed in an area of the last ward.
			const residents = 50
			wardName := benchProvince(shape.wards, shape.areas).Wards[shape.wards-1].Name
			for i := 0; i < residents; i++ {
				for _, text := range []string{wardName, "khu 1"} {
					in := bot.Incoming{Channel: models.ChannelConsole, UserID: strconv.Itoa(i), ChatID: strconv.Itoa(i), Text: text}
					if _, err := handle(ctx, s, h, in); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			stmts := s.Statements()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				u := strconv.Itoa(i % residents)
				in := bot.Incoming{Channel: models.ChannelConsole, UserID: u, ChatID: u, Text: "bo phieu o dau"}
				out, err := handle(ctx, s, h, in)
				if err != nil || len(out) == 0 {
					b.Fatal(out, err)
				}
			}
			// Inside BEGIN … COMMIT, which are not counted.
			b.ReportMetric(float64(s.Statements()-stmts)/float64(b.N), "stmts/op")
		})
	}
}

// handle answers in a transaction, as serve does.
func handle(ctx context.Context, s *models.Store, h *handlers.Conversation, in bot.Incoming) ([]bot.Outgoing, error) {
	var out []bot.Outgoing
	err := s.InTx(ctx, func(tx *models.Store) error {
		var err error
		out, err = h.Handle(ctx, tx, in)
		return err
	})
	return out, err
}
