package models

// Writing a parsed voter list: COPY on PostgreSQL, batched inserts on
// SQLite, with progress lines for large files.

import (
	"context"
	"electionbot/locales"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeProgress reports rows written every progressEvery rows (files of
// 100,000+ rows only).
type writeProgress struct {
	w     io.Writer
	total int
	done  int
}

func (wp *writeProgress) add(n int) {
	before := wp.done
	wp.done += n
	if wp.w == nil || wp.total < progressEvery {
		return
	}
	if wp.done/progressEvery > before/progressEvery || (wp.done == wp.total && wp.total%progressEvery != 0) {
		fmt.Fprintf(wp.w, "import: %s/%s rows written\n", locales.Number("en", wp.done), locales.Number("en", wp.total))
	}
}

// voterCopySource feeds the parsed rows to pgx CopyFrom.
type voterCopySource struct {
	p    *voterParser
	i    int
	vals []any
	prog *writeProgress
}

func (c *voterCopySource) Next() bool {
	if c.i >= len(c.p.rows) {
		return false
	}
	r := &c.p.rows[c.i]
	c.i++
	c.vals[0] = c.p.areas[r.area].ID
	c.vals[1] = c.p.recField(r, recHousehold)
	c.vals[2] = c.p.recField(r, recName)
	c.vals[3] = c.p.recField(r, recFolded)
	c.vals[4] = int32(r.year)
	c.vals[5] = c.p.recField(r, recAddress)
	if r.lens[recPhone] > 0 {
		c.vals[6] = c.p.recField(r, recPhone)
	} else {
		c.vals[6] = nil
	}
	if c.i%10_000 == 0 || c.i == len(c.p.rows) {
		c.prog.add(c.i - c.prog.done)
	}
	return true
}

func (c *voterCopySource) Values() ([]any, error) { return c.vals, nil }

func (c *voterCopySource) Err() error { return nil }

var voterCopyColumns = []string{"area_id", "household_no", "full_name", "name_folded", "birth_year", "address", "phone"}

// copyVotersPG replaces the voters of the areas ids with the parsed rows in
// one pgx transaction, with COPY; it returns the old voters' count per area.
func (s Registry) copyVotersPG(ctx context.Context, p *voterParser, ids []int64) (map[int64]int, error) {
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "import voters: connection")
	}
	defer conn.Close()
	replaced := make(map[int64]int)
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return Errorf(EINTERNAL, "import voters: driver connection is %T, not pgx", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: begin")
		}
		defer tx.Rollback(context.Background()) // no-op after Commit

		// Lock the areas: two imports of one area run one after the other,
		// and an area deleted meanwhile is noticed.
		var locked int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT id FROM areas WHERE id = ANY($1) ORDER BY id FOR UPDATE) a", ids).Scan(&locked); err != nil {
			return Wrap(EINTERNAL, err, "import voters: lock areas")
		}
		if locked != len(ids) {
			return Errorf(ECONFLICT, "the election's areas changed during the import; try again")
		}
		rows, err := tx.Query(ctx, "WITH d AS (DELETE FROM voters WHERE area_id = ANY($1) RETURNING area_id) SELECT area_id, count(*) FROM d GROUP BY area_id", ids)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: delete old lists")
		}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return Wrap(EINTERNAL, err, "import voters: delete old lists")
			}
			replaced[id] = int(n)
		}
		if err := rows.Err(); err != nil {
			return Wrap(EINTERNAL, err, "import voters: delete old lists")
		}
		src := &voterCopySource{p: p, vals: make([]any, len(voterCopyColumns)), prog: &writeProgress{w: p.progress, total: len(p.rows)}}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"voters"}, voterCopyColumns, src)
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: copy")
		}
		if int(n) != len(p.rows) {
			return Errorf(EINTERNAL, "import voters: copied %d rows of %d", n, len(p.rows))
		}
		if err := tx.Commit(ctx); err != nil {
			return Wrap(EINTERNAL, err, "import voters: commit")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// insertVotersBatched replaces the voters of the areas ids with the parsed
// rows in one GORM transaction, with multi-row INSERTs (SQLite, or a store
// already in a transaction).
func (s Registry) insertVotersBatched(ctx context.Context, p *voterParser, ids []int64) (map[int64]int, error) {
	replaced := make(map[int64]int)
	err := s.InTx(ctx, func(tx *Store) error {
		db := tx.DB(ctx)
		for start := 0; start < len(ids); start += areaIDsPerClause {
			chunk := ids[start:min(start+areaIDsPerClause, len(ids))]
			if tx.dialect == DialectPostgres {
				// Serialise imports of the same area (SQLite has one writer anyway).
				if err := db.Exec("SELECT id FROM areas WHERE id IN ? ORDER BY id FOR UPDATE", chunk).Error; err != nil {
					return Wrap(EINTERNAL, err, "import voters: lock areas")
				}
			}
			rows, err := db.Raw("SELECT area_id, COUNT(*) FROM voters WHERE area_id IN ? GROUP BY area_id", chunk).Rows()
			if err != nil {
				return Wrap(EINTERNAL, err, "import voters: count old lists")
			}
			for rows.Next() {
				var id, n int64
				if err := rows.Scan(&id, &n); err != nil {
					rows.Close()
					return Wrap(EINTERNAL, err, "import voters: count old lists")
				}
				replaced[id] = int(n)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters: count old lists")
			}
			if err := db.Exec("DELETE FROM voters WHERE area_id IN ?", chunk).Error; err != nil {
				return Wrap(EINTERNAL, err, "import voters: delete old lists")
			}
		}

		pool := db.Statement.ConnPool
		prog := &writeProgress{w: p.progress, total: len(p.rows)}
		full, err := pool.PrepareContext(ctx, insertVotersSQL(tx.dialect, insertBatchRows))
		if err != nil {
			return Wrap(EINTERNAL, err, "import voters: prepare insert")
		}
		defer full.Close()
		args := make([]any, 0, insertBatchRows*len(voterCopyColumns))
		for start := 0; start < len(p.rows); start += insertBatchRows {
			batch := p.rows[start:min(start+insertBatchRows, len(p.rows))]
			args = args[:0]
			for i := range batch {
				r := &batch[i]
				var phone any
				if r.lens[recPhone] > 0 {
					phone = string(p.recField(r, recPhone))
				}
				// Strings, not []byte: SQLite would store []byte as BLOBs.
				args = append(args, p.areas[r.area].ID, string(p.recField(r, recHousehold)), string(p.recField(r, recName)),
					string(p.recField(r, recFolded)), int(r.year), string(p.recField(r, recAddress)), phone)
			}
			if len(batch) == insertBatchRows {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = pool.ExecContext(ctx, insertVotersSQL(tx.dialect, len(batch)), args...)
			}
			if err != nil {
				return Wrap(EINTERNAL, err, "import voters: insert")
			}
			prog.add(len(batch))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replaced, nil
}

// insertVotersSQL is a multi-row INSERT of n voters.
func insertVotersSQL(dialect string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO voters (")
	b.WriteString(strings.Join(voterCopyColumns, ", "))
	b.WriteString(") VALUES ")
	ncol := len(voterCopyColumns)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range ncol {
			if j > 0 {
				b.WriteByte(',')
			}
			if dialect == DialectPostgres {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(i*ncol + j + 1))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
