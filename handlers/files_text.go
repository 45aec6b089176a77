package handlers

// The texts of files sent in chat: the summary of a checked file, and its
// problems by line in the admin's language (the imports' English reasons
// read into Vietnamese: fileReasons).

import (
	"regexp"
	"strconv"
	"strings"

	"electionbot/models"
)

// maxFileProblems are the problems shown; the rest are counted.
const maxFileProblems = 10

// summary says what the file would do (or did): per area of a voter
// list its households, replaced or new; for an areas table or an
// election file its areas, wards, candidates and what changes.
func (fl *files) summary(pf *models.PendingFile, rep *models.FileReport) string {
	data := map[string]any{"Name": pf.Name, "Election": rep.Election}
	var b strings.Builder
	switch {
	case rep.Voters != nil:
		b.WriteString(fl.tr("files_sum_voters", data))
		for _, a := range rep.Voters.Areas {
			name := a.Code
			if a.Ward != "" {
				name = a.Ward + "/" + a.Code
			}
			d := map[string]any{"Area": name, "Households": a.Households, "Replaced": a.Replaced, "Expected": a.Expected}
			b.WriteString("\n")
			if a.Replaced > 0 {
				b.WriteString(fl.tr("files_sum_area_replaced", d))
			} else {
				b.WriteString(fl.tr("files_sum_area_new", d))
			}
			if a.Expected != a.Households {
				b.WriteString("\n" + fl.tr("files_sum_area_expected", d))
			}
		}
	case rep.Load != nil:
		l := rep.Load
		data["Areas"], data["Wards"], data["Candidates"], data["Changes"] = l.Areas, l.Wards, l.Candidates, l.Changes
		if pf.Kind == models.KindAreas {
			b.WriteString(fl.tr("files_sum_areas", data))
		} else {
			b.WriteString(fl.tr("files_sum_election", data))
		}
		switch {
		case l.Created:
			b.WriteString("\n" + fl.tr("files_sum_created", data))
		case l.Changes > 0:
			b.WriteString("\n" + fl.tr("files_sum_changes", data))
		}
		if len(l.Removed) > 0 {
			b.WriteString("\n" + fl.tr("files_sum_removed", map[string]any{"Areas": strings.Join(l.Removed, ", ")}))
		}
	}
	return b.String()
}

var (
	lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)
	moreRE = regexp.MustCompile(`^… and (\d+) more`)
)

// problemsText lists a refused file's problems: at most maxFileProblems,
// then how many more.
func (fl *files) problemsText(pf *models.PendingFile, msg string) string {
	var lines []string
	more := 0
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if m := moreRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			more += n
			continue
		}
		if len(lines) == maxFileProblems {
			more++
			continue
		}
		if m := lineRE.FindStringSubmatch(l); m != nil {
			lines = append(lines, fl.tr("files_problem_line", map[string]any{"Line": m[1], "Reason": fl.reason(pf.Kind, m[2])}))
		} else {
			lines = append(lines, "• "+fl.reason(pf.Kind, l))
		}
	}
	var b strings.Builder
	b.WriteString(fl.tr("files_problems_head", map[string]any{"Name": pf.Name}))
	for _, l := range lines {
		b.WriteString("\n" + l)
	}
	if more > 0 {
		b.WriteString("\n" + fl.tr("files_problems_more", map[string]any{"N": more}))
	}
	b.WriteString("\n" + fl.tr("files_problems_tail", nil))
	return b.String()
}

// fileReason is one of the imports' reasons, read into a message id
// whose data are the pattern's groups (V, N, M).
type fileReason struct {
	re   *regexp.Regexp
	id   string
	keys []string
}

var fileReasons = []fileReason{
	{regexp.MustCompile(`^(\w+) is empty$`), "files_why_empty", []string{"Col"}},
	{regexp.MustCompile(`^birth_year "(.*)" is not a year$`), "files_why_not_year", []string{"V"}},
	{regexp.MustCompile(`^birth_year "(.*)" is before (\d+)$`), "files_why_year_before", []string{"V", "N"}},
	{regexp.MustCompile(`^birth_year "(.*)" makes the voter under (\d+) in (\d+)`), "files_why_under_age", []string{"V", "N", "M"}},
	{regexp.MustCompile(`^area_code "(.*)" is not an area of`), "files_why_no_area", []string{"V"}},
	{regexp.MustCompile(`^ward_code "(.*)" is not (?:a|the) ward of`), "files_why_no_ward", []string{"V"}},
	{regexp.MustCompile(`^household_no "(.*)" of (\S+) is already on line (\d+)$`), "files_why_dup_household", []string{"V", "Area", "N"}},
	{regexp.MustCompile(`^has (\d+) fields, the header has (\d+)$`), "files_why_fields", []string{"N", "M"}},
	{regexp.MustCompile(`^(\w+) is longer than (\d+) characters$`), "files_why_too_long", []string{"Col", "N"}},
	{regexp.MustCompile(`^full_name "(.*)" has no letters$`), "files_why_no_letters", []string{"V"}},
	{regexp.MustCompile(`^phone "(.*)"`), "files_why_phone", []string{"V"}},
	{regexp.MustCompile(`^(\w+) "(.*)" is not a whole number$`), "files_why_not_number", []string{"Col", "V"}},
	{regexp.MustCompile(`^header: missing column (.*?);`), "files_why_missing_columns", []string{"Cols"}},
	{regexp.MustCompile(`^the header names neither`), "files_why_unknown_header", nil},
	{regexp.MustCompile(`^the file is UTF-16 text`), "files_why_utf16", nil},
	{regexp.MustCompile(`^the file has a header but no`), "files_why_no_rows", nil},
	{regexp.MustCompile(`^(\w+) is not valid UTF-8`), "files_why_not_utf8", []string{"Col"}},
}

// The columns' Vietnamese headers, by the file's kind.
var (
	voterColumnsVI = map[string]string{"area_code": "Khu phố", "household_no": "Số hộ", "full_name": "Họ tên",
		"birth_year": "Năm sinh", "address": "Địa chỉ", "phone": "Số điện thoại", "ward_code": "Mã xã"}
	areaColumnsVI = map[string]string{"city": "Thành phố", "ward_code": "Mã xã", "ward": "Xã", "ward_kind": "Loại xã",
		"area_code": "Mã khu", "area": "Khu", "unit": "Loại", "households": "Số hộ", "polling_place": "Nơi bỏ phiếu",
		"address": "Địa chỉ", "lat": "Vĩ độ", "lon": "Kinh độ", "candidates": "Người ứng cử", "electorate": "Cử tri"}
)

// reason reads one English reason in the admin's language; one it does
// not know is shown as the import says it.
func (fl *files) reason(kind, why string) string {
	if fl.lang == "en" {
		return why
	}
	cols := voterColumnsVI
	if kind == models.KindAreas {
		cols = areaColumnsVI
	}
	for _, r := range fileReasons {
		m := r.re.FindStringSubmatch(why)
		if m == nil {
			continue
		}
		data := map[string]any{}
		for i, k := range r.keys {
			v := m[i+1]
			if k == "Col" {
				if vi, ok := cols[v]; ok {
					v = vi
				}
			}
			if k == "Cols" {
				v = missingColumnsVI(v, cols)
			}
			data[k] = v
		}
		return fl.tr(r.id, data)
	}
	return why
}

// missingColumnsVI turns "area_code (or khu_pho), full_name (or ho_ten)"
// into the Vietnamese headers.
func missingColumnsVI(s string, cols map[string]string) string {
	var out []string
	for _, part := range strings.Split(s, ", ") {
		en, _, _ := strings.Cut(part, " ")
		if vi, ok := cols[en]; ok {
			en = vi
		}
		out = append(out, en)
	}
	return strings.Join(out, ", ")
}
