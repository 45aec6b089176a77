package models

// The two voter file formats: UTF-8 CSV and the first sheet of an XLSX.

import (
	"bufio"
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

// parseVoterCSV reads a UTF-8 CSV voter file (BOM and CRLF tolerated) into
// p; the error lists the bad lines.
func parseVoterCSV(r io.Reader, p *voterParser) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(2); len(b) == 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return Errorf(EINVALID, "the file is UTF-16 text; save it as CSV UTF-8")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err == io.EOF {
		return Errorf(EINVALID, "the file is empty: it needs a header and voter rows")
	}
	if err != nil {
		return csvError(err)
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
			return Wrap(EINVALID, err, "read voter file")
		}
		line, _ := cr.FieldPos(0)
		p.row(line, rec)
		if p.nread%progressEvery == 0 && p.ctx != nil {
			if err := p.ctx.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters")
			}
		}
	}
	return p.finish()
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return Errorf(EINVALID, "line %d: %v", pe.Line, pe.Err)
	}
	return Wrap(EINVALID, err, "read voter file")
}

// parseVoterXLSX reads the first sheet of an XLSX voter file into p; line
// numbers are the sheet's row numbers.
func parseVoterXLSX(r io.Reader, p *voterParser) error {
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
		if p.nread%progressEvery == 0 && p.ctx != nil {
			if err := p.ctx.Err(); err != nil {
				return Wrap(EINTERNAL, err, "import voters")
			}
		}
	}
	if err := rows.Err(); err != nil {
		return Wrap(EINVALID, err, "read sheet %q", sheet)
	}
	if !header {
		return Errorf(EINVALID, "the first sheet %q is empty: it needs a header and voter rows", sheet)
	}
	return p.finish()
}
