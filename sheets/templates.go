package sheets

// The templates an official fills in (`/maufile`, `electionbot templates
// --out DIR`): the voter list and the areas table as XLSX — the accepted
// Vietnamese headers (docs/design.md §5), one sample row, and a sheet
// "Hướng dẫn" explaining each column — and the election file, which is
// YAML, with Vietnamese comments. The samples agree with each other:
// loading the election file, then the areas table, then the voter list
// as they are succeeds (templates_test.go).

import (
	"bytes"
	_ "embed"

	"github.com/xuri/excelize/v2"

	"electionbot/models"
)

// Template is one file to fill in.
type Template struct {
	Name string // file name: mau_danh_sach_cu_tri.xlsx, …
	MIME string
	Data []byte
	Kind string // models.KindVoters, KindAreas, KindElection
}

// MIMEXLSX is the media type of an XLSX workbook.
const MIMEXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

//go:embed mau_cuoc_bau.yaml
var electionTemplate []byte

// templateColumn is one column of a table template: its header, whether
// it must be filled, what it means and the sample row's value.
type templateColumn struct {
	header, required, meaning, sample string
}

var voterTemplate = []templateColumn{
	{"Mã xã", "Khi cuộc bầu cử có nhiều xã, phường", "Mã của xã, phường (như trong tệp cuộc bầu cử), ví dụ xa-mau", "xa-mau"},
	{"Khu phố", "Có", "Mã thôn, tổ dân phố (khu phố) của hộ, như trong tệp cuộc bầu cử, ví dụ thon-1", "thon-1"},
	{"Số hộ", "Có", "Số thứ tự của hộ trong danh sách của thôn, tổ dân phố; không trùng trong một thôn", "1"},
	{"Họ tên", "Có", "Họ và tên người đại diện hộ gia đình (cử tri)", "Nguyễn Văn An"},
	{"Năm sinh", "Có", "Năm sinh, 4 chữ số; người đại diện hộ phải đủ 18 tuổi", "1961"},
	{"Địa chỉ", "Có", "Địa chỉ của hộ", "Số 1, đường Chính, thôn 1"},
	{"Số điện thoại", "Không", "Số điện thoại di động của hộ (để nhắc lịch qua Zalo, SMS); gõ dưới dạng chữ để giữ số 0 đầu", "0912345678"},
}

var areasTemplate = []templateColumn{
	{"Thành phố", "Không", "Huyện, thị xã, thành phố của xã, phường", "Huyện Mẫu"},
	{"Mã xã", "Có", "Mã của xã, phường: chữ thường không dấu, nối bằng gạch ngang, ví dụ xa-mau", "xa-mau"},
	{"Xã", "Có", "Tên xã, phường, thị trấn, ví dụ Xã Mẫu", "Xã Mẫu"},
	{"Mã khu", "Có", "Mã thôn, tổ dân phố: không trùng trong một xã, ví dụ thon-1", "thon-1"},
	{"Khu", "Có", "Tên thôn, tổ dân phố (khu phố), ví dụ Thôn 1", "Thôn 1"},
	{"Số hộ", "Có", "Tổng số hộ gia đình của thôn, tổ dân phố (số nguyên lớn hơn 0)", "120"},
	{"Nơi bỏ phiếu", "Có", "Nơi tổ chức cuộc họp, bỏ phiếu", "Nhà văn hóa thôn 1"},
	{"Địa chỉ", "Không", "Địa chỉ nơi bỏ phiếu", "Đầu thôn 1"},
	{"Vĩ độ", "Không", "Vĩ độ nơi bỏ phiếu (để người dân tìm đường), ví dụ 21.03", "21.03"},
	{"Kinh độ", "Không", "Kinh độ nơi bỏ phiếu, ví dụ 105.85", "105.85"},
	{"Người ứng cử", "Không", "Họ tên những người ứng cử, cách nhau bằng dấu chấm phẩy (;)", "Nguyễn Văn An; Trần Thị Bình"},
}

// Templates are the three templates: the voter list, the areas table
// and the election file.
func Templates() ([]Template, error) {
	voters, err := tableTemplate("Danh sách cử tri", voterTemplate,
		"Mỗi dòng là một hộ gia đình. Giữ nguyên dòng tiêu đề; xóa dòng mẫu và điền danh sách của thôn, tổ dân phố. Có thể lưu thành CSV (UTF-8, phân cách bằng dấu phẩy, chấm phẩy hoặc tab).")
	if err != nil {
		return nil, err
	}
	areas, err := tableTemplate("Danh sách khu", areasTemplate,
		"Mỗi dòng là một thôn, tổ dân phố. Bảng là danh sách đầy đủ: thôn, tổ dân phố nào không có trong bảng sẽ bị bỏ khỏi cuộc bầu cử. Có thể lưu thành CSV (UTF-8).")
	if err != nil {
		return nil, err
	}
	return []Template{
		{Name: "mau_danh_sach_cu_tri.xlsx", MIME: MIMEXLSX, Data: voters, Kind: models.KindVoters},
		{Name: "mau_danh_sach_khu.xlsx", MIME: MIMEXLSX, Data: areas, Kind: models.KindAreas},
		{Name: "mau_cuoc_bau.yaml", MIME: "application/x-yaml", Data: electionTemplate, Kind: models.KindElection},
	}, nil
}

// tableTemplate is a workbook: the table (a bold, frozen header and the
// sample row, every cell text so that Excel keeps a phone's leading 0),
// then the notes sheet.
func tableTemplate(name string, cols []templateColumn, intro string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "template sheet")
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "template style")
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "template style")
	}
	for i, c := range cols {
		head, _ := excelize.CoordinatesToCellName(i+1, 1)
		sample, _ := excelize.CoordinatesToCellName(i+1, 2)
		col, _ := excelize.ColumnNumberToName(i + 1)
		steps := []error{
			f.SetCellStr(name, head, c.header),
			f.SetCellStr(name, sample, c.sample),
			f.SetColStyle(name, col, text),
			f.SetColWidth(name, col, col, float64(max(12, len([]rune(c.header))+4))),
		}
		for _, err := range steps {
			if err != nil {
				return nil, models.Wrap(models.EINTERNAL, err, "template cell")
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	if err := f.SetCellStyle(name, "A1", last, bold); err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "template style")
	}
	if err := f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "template panes")
	}
	if err := notesSheet(f, cols, intro, bold); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, models.Wrap(models.EINTERNAL, err, "write template")
	}
	return buf.Bytes(), nil
}

// notesSheet explains each column, after the table's sheet (only the
// first sheet is read on import).
func notesSheet(f *excelize.File, cols []templateColumn, intro string, bold int) error {
	const notes = "Hướng dẫn"
	if _, err := f.NewSheet(notes); err != nil {
		return models.Wrap(models.EINTERNAL, err, "notes sheet")
	}
	rows := [][]string{{intro}, {}, {"Cột", "Bắt buộc", "Ý nghĩa", "Ví dụ"}}
	for _, c := range cols {
		rows = append(rows, []string{c.header, c.required, c.meaning, c.sample})
	}
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(notes, cell, v); err != nil {
				return models.Wrap(models.EINTERNAL, err, "notes cell")
			}
		}
	}
	if err := f.SetCellStyle(notes, "A3", "D3", bold); err != nil {
		return models.Wrap(models.EINTERNAL, err, "notes style")
	}
	for col, w := range map[string]float64{"A": 16, "B": 22, "C": 80, "D": 28} {
		if err := f.SetColWidth(notes, col, col, w); err != nil {
			return models.Wrap(models.EINTERNAL, err, "notes width")
		}
	}
	return nil
}
