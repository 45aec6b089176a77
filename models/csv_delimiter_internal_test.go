package models

import (
	"bufio"
	"strings"
	"testing"
)

// Excel writes "CSV" with the list separator of the machine's locale: a
// Vietnamese Windows writes ";", "Text (Tab delimited)" a tab; "CSV UTF-8"
// starts with a byte order mark.
func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		name, head string
		want       rune
	}{
		{"comma", "khu_pho,so_ho,ho_ten,nam_sinh,dia_chi\nkp1,1,An,1961,x\n", ','},
		{"semicolon from Excel VN locale", "khu_pho;so_ho;ho_ten;nam_sinh;dia_chi\r\nkp1;1;An;1961;\"Số 1, đường A\"\r\n", ';'},
		{"tab", "khu_pho\tso_ho\tho_ten\tnam_sinh\tdia_chi\n", '\t'},
		{"semicolon with BOM", "\uFEFFKhu phố;Số hộ;Họ tên;Năm sinh;Địa chỉ\n", ';'},
		{"commas in quoted headers do not count", "\"a,b,c\";\"d,e\";f\n", ';'},
		{"semicolons of data lines do not count", "khu_pho,so_ho,ho_ten\nkp1,1,\"A;B;C;D\"\n", ','},
		{"one column", "khu_pho\nkp1\n", ','},
		{"no newline", "khu_pho;so_ho", ';'},
		{"empty", "", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.head))
			skipBOM(br)
			if got := detectDelimiter(br); got != tt.want {
				t.Errorf("delimiter %q, want %q", got, tt.want)
			}
			rest, _ := br.ReadString(0)
			if want := strings.TrimPrefix(tt.head, "\uFEFF"); rest != want {
				t.Errorf("the reader moved: %q left, want %q", rest, want)
			}
		})
	}
}
