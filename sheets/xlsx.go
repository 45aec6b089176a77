// Package sheets reads and writes XLSX workbooks for models (voter lists
// in, results out). Importing it registers the format with models; it is
// kept out of models so that the conversation does not link excelize
// (which links net/http).
package sheets

import (
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"electionbot/models"
)

func init() {
	models.RegisterSheetFormat(models.ExportXLSX, models.SheetFormat{Open: Open, Write: Write})
}

// Open reads the first sheet of an XLSX workbook.
func Open(r io.Reader) (models.SheetRows, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, models.Wrap(models.EINVALID, err, "not a readable XLSX file")
	}
	names := f.GetSheetList()
	if len(names) == 0 {
		f.Close()
		return nil, models.Errorf(models.EINVALID, "the XLSX file has no sheet")
	}
	rows, err := f.Rows(names[0])
	if err != nil {
		f.Close()
		return nil, models.Wrap(models.EINVALID, err, "read sheet %q", names[0])
	}
	return &sheetRows{f: f, rows: rows, name: names[0]}, nil
}

type sheetRows struct {
	f    *excelize.File
	rows *excelize.Rows
	name string
}

func (s *sheetRows) Name() string               { return s.name }
func (s *sheetRows) Next() bool                 { return s.rows.Next() }
func (s *sheetRows) Columns() ([]string, error) { return s.rows.Columns() }
func (s *sheetRows) Err() error                 { return s.rows.Error() }

func (s *sheetRows) Close() error {
	s.rows.Close()
	return s.f.Close()
}

// Write writes table to one sheet named name; the first row is a bold,
// frozen header, and the cells number accepts are stored as numbers.
func Write(w io.Writer, name string, table [][]string, number func(header, v string) bool) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return models.Wrap(models.EINTERNAL, err, "xlsx sheet")
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return models.Wrap(models.EINTERNAL, err, "xlsx writer")
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return models.Wrap(models.EINTERNAL, err, "xlsx style")
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return models.Wrap(models.EINTERNAL, err, "xlsx panes")
	}
	for i, line := range table {
		cells := make([]any, len(line))
		for j, v := range line {
			switch {
			case i == 0:
				cells[j] = excelize.Cell{StyleID: bold, Value: v}
			case number != nil && number(table[0][j], v):
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					cells[j] = n
					continue
				}
				cells[j] = v
			default:
				cells[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return models.Wrap(models.EINTERNAL, err, "xlsx row %d", i+1)
		}
	}
	if err := sw.Flush(); err != nil {
		return models.Wrap(models.EINTERNAL, err, "xlsx flush")
	}
	if _, err := f.WriteTo(w); err != nil {
		return models.Wrap(models.EINTERNAL, err, "write xlsx")
	}
	return nil
}
