// Package tally reads the tally message of docs/design.md §5, the
// counting minutes an official sends in one chat message:
//
//	KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35
//	kết quả khu phố 1: tham dự 290, phát ra 290, thu vào 289, hợp lệ 285, không hợp lệ 4, Nguyễn Văn An 250, Trần Thị Bình 35
//	KQ KP1 PHIEU HO PR 300 TV 290 HL 285 KHL 5 UV1 200 UV2 85
//
// Grammar: the message is a sequence of `phrase number` pairs in any order,
// a phrase being the words since the previous number. Case and diacritics
// do not matter (words are compared by models.Fold). Between a phrase and its
// number ':' '=' '-' and spaces may stand; ',' ';' '.' '!' '?' '|' '/' and
// new lines separate pairs. A phrase is, in order of preference:
//   - an area qualifier (kp, khu phố, tổ, tổ dân phố, thôn, bản, ấp, xóm,
//     area…) before the area's number, arabic or roman (KP1, khu pho IV);
//   - a candidate qualifier (UV, ứng viên, ứng cử viên, số, candidate…)
//     before a ballot number, followed by the votes (UV1 250, số 1: 250);
//   - a field label, long or short (tham dự/TD/attending, phát ra/PR/issued,
//     thu vào/TV/returned, hợp lệ/HL/valid, không hợp lệ/KHL/invalid, số
//     hộ/households); filler words (số, phiếu, tổng, là…) are ignored, so
//     "tổng số phiếu không hợp lệ" is KHL. Labels match whole phrases, so
//     "không hợp lệ" is never read as "hợp lệ";
//   - a candidate's name (Nguyễn Văn An 250; "ông An 250"; small typos,
//     see nameMatch);
//   - a person not in the list, nominated at the meeting (NĐ 59/2023): a
//     Vietnamese full name of two to five words starting with a family
//     name (Lê Văn Tám 40), or any name after a marker ("ứng cử tại hội
//     nghị", "đề cử", "tự ứng cử": "đề cử ông Tư 40"); it goes to
//     Numbers.Nominees, and alone (without KQ) makes no tally;
//   - otherwise leading words that name no number are taken off and the rest
//     tried again: KQ / kết quả (intro), the method (giơ tay / show of
//     hands → hands; bỏ phiếu kín / kín / secret → secret), the household
//     ballot (PHIEU HO, phiếu lấy ý kiến, lấy ý kiến hộ, phát phiếu lấy ý
//     kiến hộ gia đình… → Kind household-ballot, a written ballot: NĐ
//     59/2023 Mẫu số 04, whose "số hộ được phát phiếu" is PR and "phiếu thu
//     về" TV), an area named without a number ("Thôn Đông"), units (hộ,
//     phiếu, người, votes).
//
// Numbers: digits; 1.234 and 1,234 are thousands when every group after the
// first has exactly three digits (1.234.567). A comma followed by anything
// else is a separator ("HL 285,KHL 4"; "285,4" is 285 then 4), so
// "290,290" reads as 290290: write a space or a label after a comma.
// Decimals (28.5), negative numbers and numbers over 10,000,000 are not
// read: their pair goes to Unknown. A number followed by '%' is a
// percentage the bot computes itself and is skipped. "1 234" (space as a
// thousands separator) is not supported: it reads as 1 and 234.
package tally

import "electionbot/models"

// MaxNumber is the largest number a tally message may contain.
const MaxNumber = 10_000_000

// Parsed is what Parse understood of one message.
type Parsed struct {
	// AreaCode is the area the message names, "" if it names none (or
	// names several: see Ambiguous).
	AreaCode string
	// AreaInferred: the message names no area but its candidate names all
	// belong to this one (only when several areas were given).
	AreaInferred bool
	// Numbers: Households is left 0 (the caller fills it from the area);
	// Method is the one named, else secret when any ballot field is given,
	// else "" (the caller uses the election's method).
	Numbers models.TallyNumbers
	// Households is the number of households if the message states it
	// ("số hộ 312"), for the caller to compare with the area's.
	Households int
	// Set tells which fields were given, by models.TallyFields Key, true
	// only.
	Set map[string]bool
	// Unknown are the parts it could not read, as typed.
	Unknown []string
	// Ambiguous are parts with more than one reading, as typed: a name
	// matching several candidates, a field or candidate given twice with
	// different numbers ("TD 290 / tham dự 291"), two areas or methods. An
	// ambiguous field or vote is left unset.
	Ambiguous []string
}

// Parse reads one tally message. areas are the areas the sender may
// report for, with their Candidates (BallotNo, Name, NameFolded), so that
// the area can be matched by code, name or number and candidates by
// ballot number or name. isTally reports whether the message looks like a
// tally at all: it starts with KQ / kết quả and has at least one known
// label (a field, a ballot number, a candidate's name, even with an
// unreadable number: "KQ KP1 TD -5"), or it has at least three; otherwise
// the chat falls back to other intents ("ket qua kp1?", "ket qua bau cu
// nam 2022" and a voter look-up "Nguyen Van An 1961" are no tally). p is
// never nil.
func Parse(text string, areas []*models.Area) (p *Parsed, isTally bool) {
	ps := newParser(text, areas)
	ps.segment()
	return ps.resolve()
}
