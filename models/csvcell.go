package models

import (
	"encoding/csv"
	"io"
	"regexp"
)

// Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts
// with = + - @ (or a tab or carriage return before one) as a formula:
// "=HYPERLINK(…)" leaks data on a click, "+cmd|' /C calc'!A0" ran
// programs in older Excel. Names in the exports come from chat users (a
// reporter's display name) and from election files (candidates), so every
// CSV the bot writes for people to open goes through CSVWriter, which
// makes such a cell text by putting an apostrophe before it (OWASP "CSV
// injection"). XLSX cells are written as strings and need nothing.
// The generators of test voter lists (demo, internal/loadtest) write
// their own synthetic data for the importer and are left alone.

// plainNumber is a cell a spreadsheet reads as a number only: "-5",
// "+84912345678", "21.53". It cannot be a formula, and an apostrophe
// would turn it into text.
var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// SafeCSVCell is s as a cell no spreadsheet runs: s itself, or "'" + s
// when s starts with = + - @, a tab or a carriage return and is not a
// plain number.
func SafeCSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if plainNumber.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// CSVWriter is a csv.Writer whose every cell goes through SafeCSVCell.
type CSVWriter struct {
	w   *csv.Writer
	buf []string
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, its cells made safe.
func (c *CSVWriter) Write(record []string) error {
	c.buf = c.buf[:0]
	for _, s := range record {
		c.buf = append(c.buf, SafeCSVCell(s))
	}
	return c.w.Write(c.buf)
}

// WriteAll writes the records and flushes.
func (c *CSVWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := c.Write(r); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// Flush writes what is buffered.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error is the error of an earlier Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
