package models

// The wards of a voter file (docs/design.md §5): with several wards in the
// election a row names its ward (ward_code / ma_xa), and its area_code is
// one of that ward's — "kp1" is in every phường.

import "strings"

// areaName names area i in a message: "kp1", or "hai-hoa/kp1" when the
// election has several wards.
func (p *voterParser) areaName(i int32) string {
	if !p.multi {
		return p.areas[i].Code
	}
	return p.wards[p.areaWard[i]].Code + "/" + p.areas[i].Code
}

// ward is the index of the row's ward: its ward_code, required with
// several wards; with one, a ward_code (if any) must be that ward's.
func (p *voterParser) ward(line int, rec []string) (int32, bool) {
	wc := p.field(rec, colWard)
	if wc == "" {
		if p.multi {
			p.bad(line, "ward_code is empty")
			return 0, false
		}
		return 0, true
	}
	wi, ok := p.wardIdx[wc]
	if !ok {
		wi, ok = p.wardIdx[strings.ToLower(wc)]
	}
	switch {
	case ok:
		return wi, true
	case p.multi:
		p.bad(line, "ward_code %q is not a ward of election %s", wc, p.election)
	default:
		p.bad(line, "ward_code %q is not the ward of election %s (%s)", wc, p.election, p.wards[0].Code)
	}
	return 0, false
}
