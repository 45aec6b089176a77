package models

// The two formats of a table file (a voter list, an areas table): UTF-8
// CSV and the first sheet of an XLSX.

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// excelDroppedZero reports whether an XLSX phone is a Vietnamese mobile
// number typed into a number cell, which loses its leading 0 (912345678).
func excelDroppedZero(s string) bool {
	if len(s) != 9 || !strings.ContainsRune("35789", rune(s[0])) {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// tableSink receives the rows of a table file — a voter list, an areas
// table — as CSV or XLSX: the header row, then each data row with its line
// (the CSV line, or the sheet's row number).
type tableSink interface {
	header(fields []string) error
	row(line int, rec []string)
	bad(line int, format string, args ...any) // a line refused
	rowsRead() int                            // data rows taken so far (blank rows are not)
}

// parseVoterCSV reads a UTF-8 CSV voter file (BOM and CRLF tolerated) into
// p; the error lists the bad lines.
func parseVoterCSV(r io.Reader, p *voterParser) error {
	if err := readCSVTable(p.ctx, r, p, "voter"); err != nil {
		return err
	}
	return p.finish()
}

// parseVoterXLSX reads the first sheet of an XLSX voter file into p; line
// numbers are the sheet's row numbers.
func parseVoterXLSX(r io.Reader, p *voterParser) error {
	if err := readXLSXTable(p.ctx, r, p, "voter"); err != nil {
		return err
	}
	return p.finish()
}

// readCSVTable reads a UTF-8 CSV table (BOM and CRLF tolerated; the
// header line's ',', ';' or tab separates the cells: csv_delimiter.go) into p. A
// CSV syntax error is a bad line of p; what names the rows in messages
// ("voter", "area"). ctx, if not nil, is checked every progressEvery rows.
func readCSVTable(ctx context.Context, r io.Reader, p tableSink, what string) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(2); len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return Errorf(EINVALID, "the file is UTF-16 text; save it as CSV UTF-8")
	}
	skipBOM(br)
	cr := csv.NewReader(br)
	cr.Comma = detectDelimiter(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err == io.EOF {
		return Errorf(EINVALID, "the file is empty: it needs a header and %s rows", what)
	}
	if err != nil {
		return csvError(err, what)
	}
	if err := p.header(rec); err != nil {
		return err
	}
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.bad(pe.Line, "%v", pe.Err)
				break
			}
			var me *Error
			if errors.As(err, &me) {
				return me // the reader's own (the file is too large)
			}
			return Wrap(EINVALID, err, "read %s file", what)
		}
		line, _ := cr.FieldPos(0)
		p.row(line, rec)
		if err := checkCtx(ctx, p, what); err != nil {
			return err
		}
	}
	return nil
}

// checkCtx stops a long read when ctx is done (every progressEvery rows).
func checkCtx(ctx context.Context, p tableSink, what string) error {
	if ctx == nil || p.rowsRead()%progressEvery != 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return Wrap(EINTERNAL, err, "import %ss", what)
	}
	return nil
}

func csvError(err error, what string) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Errorf(EINVALID, "line %d: %v", pe.Line, pe.Err)
	}
	return Wrap(EINVALID, err, "read %s file", what)
}

// readXLSXTable reads the first sheet of an XLSX table into p: the first
// non-blank row is the header; line numbers are the sheet's row numbers.
func readXLSXTable(ctx context.Context, r io.Reader, p tableSink, what string) error {
	xlsx, err := sheetFormat(ExportXLSX)
	if err != nil {
		return err
	}
	rows, err := xlsx.Open(r)
	if err != nil {
		return err
	}
	defer rows.Close()
	sheet := rows.Name()
	n, header := 0, false
	for rows.Next() {
		n++
		rec, err := rows.Columns()
		if err != nil {
			return Wrap(EINVALID, err, "read sheet %q row %d", sheet, n)
		}
		if !header {
			if strings.TrimSpace(strings.Join(rec, "")) == "" {
				continue
			}
			if err := p.header(rec); err != nil {
				return err
			}
			header = true
			continue
		}
		p.row(n, rec)
		if err := checkCtx(ctx, p, what); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return Wrap(EINVALID, err, "read sheet %q", sheet)
	}
	if !header {
		return Errorf(EINVALID, "the first sheet %q is empty: it needs a header and %s rows", sheet, what)
	}
	return nil
}
