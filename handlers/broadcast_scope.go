package handlers

import (
	"strings"

	"electionbot/models"
)

// The scope of a /thongbao: the ward in view by default; a province's or
// city's admin may name a wider one — "/thongbao toan tinh" (the whole
// election) or "/thongbao TP Móng Cái" (one city of it).

// wholeElectionWords name the whole election's scope.
var wholeElectionWords = map[string]bool{"toan tinh": true, "tinh": true, "toan thanh pho": true,
	"ca tinh": true, "all": true, "all wards": true, "province": true, "toan bo": true}

// wideScope reads /thongbao's argument: nothing keeps the ward in view
// (ok); a wider scope is set on b when the admin covers every ward, else
// refused with the reason (not ok). An argument that names no scope is
// answered with the usage (not ok).
func (bc *broadcasts) wideScope(b *models.Broadcast, arg string) (bool, error) {
	folded := models.Fold(arg)
	if folded == "" {
		return true, nil
	}
	r, err := bc.officials.roles()
	if err != nil {
		return false, err
	}
	city := ""
	if !wholeElectionWords[folded] {
		ws, err := bc.wardList()
		if err != nil {
			return false, err
		}
		for _, w := range ws {
			if w.City != "" && (folded == models.Fold(w.City) || folded == bareName(w.City, cityKindWords)) {
				city = w.City
				break
			}
		}
		if city == "" {
			bc.reply(bc.tr("bc_scope_usage", map[string]any{"Ward": bc.wardName()}), bc.menu())
			return false, nil
		}
	}
	if r == nil || !r.allWards {
		bc.reply(bc.tr("bc_scope_forbidden", map[string]any{"Ward": bc.wardName()}), bc.menu())
		return false, nil
	}
	b.WardID, b.City = nil, city
	return true, nil
}

// scopeName says whom a broadcast reaches: "Phường Ka Long", "TP Móng
// Cái", or the whole election.
func (bc *broadcasts) scopeName(b *models.Broadcast) string {
	switch {
	case b.WardID != nil && bc.wd != nil && *b.WardID == bc.wd.ID:
		return bc.wd.Name
	case b.City != "":
		return b.City
	}
	return bc.tr("bc_scope_all", nil)
}

// senderName is who speaks in the message's header: the ward's committee
// for a ward's broadcast, else the city or the province.
func (bc *broadcasts) senderName(b *models.Broadcast) string {
	switch {
	case b.WardID != nil:
		return bc.wardName()
	case b.City != "":
		return b.City
	case bc.wd != nil && bc.wd.Province != "":
		return strings.TrimSpace(bc.wd.Province)
	}
	return bc.wardName()
}
