package models

import "strconv"

// The export as a table of cells (CSV, XLSX): one line per area.

// ExportTable lays the rows out as a header and one line per area. Each
// area gets as many candidate column triples as the area with the most
// candidates.
func ExportTable(rows []*ExportRow) [][]string {
	maxC := 0
	for _, r := range rows {
		maxC = max(maxC, len(r.Candidates))
	}
	header := []string{"election", "ward", "area_code", "area_name", "list_households",
		"status", "version", "versions", "method"}
	for _, f := range TallyFields {
		header = append(header, f.Key)
	}
	header = append(header, "turnout_percent")
	for i := 1; i <= maxC; i++ {
		p := "candidate_" + strconv.Itoa(i)
		header = append(header, p+"_name", p+"_votes", p+"_percent")
	}
	header = append(header, "outcome", "winner", "winner_votes", "winner_percent",
		"reporter", "reporter_channel", "confirmed_by", "reported_at",
		"reviewed_by", "reviewed_at", "reject_reason", "copy_of_version", "photo_ref",
		// Added with the wards of a province: at the end, the columns before
		// keep their places.
		"ward_code", "city", "province",
		// Added with the law as applied (issue 15), likewise.
		"tally_kind", "electorate", "recognised_version", "nominated_at_meeting")
	out := [][]string{header}
	for _, r := range rows {
		reported := r.Version > 0
		num := func(n int) string {
			if !reported {
				return ""
			}
			return strconv.Itoa(n)
		}
		turnout := ""
		if reported && r.Households > 0 {
			turnout = pct(float64(r.Attending) * 100 / float64(r.Households))
		}
		line := []string{r.Election, r.Ward, r.AreaCode, r.AreaName, strconv.Itoa(r.ListHouseholds),
			r.Status, num(r.Version), num(r.Versions), r.Method}
		for _, f := range TallyFields {
			v, ok := r.Number(f.Key)
			if !ok {
				line = append(line, "")
				continue
			}
			line = append(line, num(v))
		}
		line = append(line, turnout)
		for i := 0; i < maxC; i++ {
			if i >= len(r.Candidates) {
				line = append(line, "", "", "")
				continue
			}
			c := r.Candidates[i]
			p := ""
			if c.Votes != nil && r.Households > 0 {
				p = pct(float64(*c.Votes) * 100 / float64(r.Households))
			}
			line = append(line, c.Name, optInt(c.Votes), p)
		}
		wv, wp := "", ""
		if r.Outcome != "" && r.Winner != "" {
			wv, wp = strconv.Itoa(r.WinnerVotes), pct(r.WinnerPercent)
		}
		line = append(line, r.Outcome, r.Winner, wv, wp,
			r.Reporter, r.ReporterChannel, joinNames(r.ConfirmedBy), timeCell(r.ReportedAt),
			r.ReviewedBy, timeCell(r.ReviewedAt), r.Reason, optPositive(r.CopyOf), r.PhotoRef,
			r.WardCode, r.City, r.Province)
		kind := ""
		if reported {
			kind = TallyKindOf(r.Kind)
		}
		line = append(line, kind, r.Electorate, optPositive(r.RecognisedVersion), joinNames(r.Nominated))
		out = append(out, line)
	}
	return out
}
