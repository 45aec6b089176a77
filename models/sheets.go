package models

import (
	"io"
	"sync"
)

// XLSX is read and written by package electionbot/sheets, which registers
// itself here when imported (as image formats register with package
// image): models does not link excelize, and so neither does the
// conversation (excelize links net/http). A program that imports or
// exports XLSX imports sheets; without it an XLSX is refused as
// unsupported.

// SheetFormat reads and writes one spreadsheet format other than CSV.
type SheetFormat struct {
	// Open reads the first sheet of a workbook.
	Open func(r io.Reader) (SheetRows, error)
	// Write writes table as one sheet named name: the first row a bold,
	// frozen header; the cells number(header, value) accepts as numbers.
	Write func(w io.Writer, name string, table [][]string, number func(header, v string) bool) error
}

// SheetRows are the rows of one sheet, read in order. Row numbers count
// from 1 as the spreadsheet shows them.
type SheetRows interface {
	Name() string
	Next() bool
	Columns() ([]string, error)
	Err() error
	Close() error
}

var sheetFormats sync.Map // name → SheetFormat

// RegisterSheetFormat makes format (ExportXLSX) readable and writable.
func RegisterSheetFormat(format string, f SheetFormat) { sheetFormats.Store(format, f) }

func sheetFormat(format string) (SheetFormat, error) {
	if f, ok := sheetFormats.Load(format); ok {
		return f.(SheetFormat), nil
	}
	return SheetFormat{}, Errorf(EINVALID, "%s files are not supported by this program", format)
}
