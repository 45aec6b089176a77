package models

// CSV as Excel writes it: "CSV UTF-8" with a byte order mark, and the
// list separator of the machine's locale — ";" on a Vietnamese (or most
// European) Windows, where "," is the decimal mark — or a tab for "Text
// (Tab delimited)".

import (
	"bufio"
	"bytes"
)

// utf8BOM is the byte order mark Excel's "CSV UTF-8" starts with.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// skipBOM drops a UTF-8 byte order mark at the start of br: a quoted
// first header ("\uFEFF\"khu_pho\"") would otherwise be a bare quote.
func skipBOM(br *bufio.Reader) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
}

// detectDelimiter is the separator of the header line at the start of
// br: whichever of ',', ';' and tab it has most of outside quotes
// (',' when it has none: a one-column file). It only peeks: br is left
// where it was.
func detectDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := headerEnd(head); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best, n := byte(','), 0
	for _, c := range []byte{',', ';', '\t'} { // a tie goes to the first
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

// headerEnd is the index of the newline ending the first line, outside
// quotes (a header cell may hold a newline), or -1.
func headerEnd(b []byte) int {
	quoted := false
	for i, c := range b {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			return i
		}
	}
	return -1
}
