package models_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"electionbot/demo"
	"electionbot/internal/testdb"
	"electionbot/models"
)

// benchAreas is the Quảng Ninh shape at 1 M rows: 1,452 areas (the
// province's elections of 2022) of 688–689 households, 1,000,000 in all.
func benchAreas() ([]demo.GenArea, []models.Area) {
	const nAreas, total = 1452, 1_000_000
	var gen []demo.GenArea
	var areas []models.Area
	for i := range nAreas {
		n := total / nAreas
		if i < total%nAreas {
			n++
		}
		code := fmt.Sprintf("kp%d", i+1)
		gen = append(gen, demo.GenArea{Code: code, Households: n})
		areas = append(areas, models.Area{Code: code, Households: n})
	}
	return gen, areas
}

// BenchmarkImportVotersPostgres1M imports a generated 1,000,000-row CSV
// (1,452 areas) into PostgreSQL: "fresh" into an empty voters table,
// "replace" over the same areas' existing lists (1 M rows deleted, 1 M
// inserted). Needs TEST_DATABASE_URL. With BENCH_VOTERS_TABLE_CSV=path it
// also writes the imported table rows there as CSV (for a psql \copy
// comparison; see BENCHMARKS.md).
func BenchmarkImportVotersPostgres1M(b *testing.B) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		b.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	gen, areas := benchAreas()
	var data bytes.Buffer
	if err := demo.GenerateVoters(&data, gen, 2022); err != nil {
		b.Fatal(err)
	}
	s := testdb.Postgres(b)
	seedImportElection(b, s, areas...)
	opts := models.ImportOptions{ElectionCode: importElection}
	importOnce := func(b *testing.B) {
		rep, err := s.ImportVoters(ctx, bytes.NewReader(data.Bytes()), "csv", opts)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rows != 1_000_000 {
			b.Fatalf("%d rows imported", rep.Rows)
		}
	}
	b.Run("fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			if err := s.DB(ctx).Exec("TRUNCATE voters").Error; err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			importOnce(b)
		}
		b.ReportMetric(1e6*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("replace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			importOnce(b)
		}
		b.ReportMetric(1e6*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	if path := os.Getenv("BENCH_VOTERS_TABLE_CSV"); path != "" {
		dumpVotersTable(b, s, path)
	}
}

func dumpVotersTable(b *testing.B, s *models.Store, path string) {
	ctx := context.Background()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().PgConn().CopyTo(ctx, f,
			"COPY (SELECT area_id, household_no, full_name, name_folded, birth_year, address, phone FROM voters ORDER BY id) TO STDOUT (FORMAT csv)")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkImportVotersSQLite100k imports 100,000 generated rows (100
// areas of 1,000) into the embedded SQLite, replacing the previous import
// after the first iteration.
func BenchmarkImportVotersSQLite100k(b *testing.B) {
	var gen []demo.GenArea
	var areas []models.Area
	for i := range 100 {
		code := fmt.Sprintf("kp%d", i+1)
		gen = append(gen, demo.GenArea{Code: code, Households: 1000})
		areas = append(areas, models.Area{Code: code, Households: 1000})
	}
	var data bytes.Buffer
	if err := demo.GenerateVoters(&data, gen, 2022); err != nil {
		b.Fatal(err)
	}
	s := testdb.SQLite(b)
	seedImportElection(b, s, areas...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ImportVoters(context.Background(), bytes.NewReader(data.Bytes()), "csv", models.ImportOptions{ElectionCode: importElection}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(1e5*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
