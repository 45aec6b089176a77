package models

import "testing"

func TestPhone84(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"0912 345 678", "84912345678"},
		{"+84.912.345.678", "84912345678"},
		{"84912345678", "84912345678"},
		{"(024) 3825 1234", "842438251234"},
		{"+1 202 555 0100", ""}, // not Vietnamese
		{"abc", ""},
		{"", ""},
	} {
		got, err := Phone84(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("Phone84(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestUnaccent(t *testing.T) {
	for in, want := range map[string]string{
		"Họp bầu Trưởng khu phố 1, ngày 05/6!": "Hop bau Truong khu pho 1, ngay 05/6!",
		"Đường Đỗ Đức Dục\nđi thẳng":           "Duong Do Duc Duc\ndi thang",
		"Ông/bà NGUYỄN VĂN AN":                 "Ong/ba NGUYEN VAN AN",
		"plain ASCII {ok}":                     "plain ASCII {ok}",
	} {
		if got := Unaccent(in); got != want {
			t.Errorf("Unaccent(%q) = %q, want %q", in, got, want)
		}
	}
}
