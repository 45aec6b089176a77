package handlers

import (
	"strconv"
	"strings"

	"electionbot/models"
)

// exampleTally is the one-message form for an area, with numbers made up
// from the area's own electorate and candidates so that the example is a
// valid tally (models.CheckTally): sending the bot's own example is
// accepted. Nine in ten attend, every ballot issued comes back, one in
// fifty is invalid, the first candidate has four fifths of the valid
// ones, the second the rest but one, the others none.
func exampleTally(a *models.Area) string {
	attending := max(a.Households*9/10, min(a.Households, 1))
	invalid := attending / 50
	valid := attending - invalid
	var b strings.Builder
	b.WriteString("KQ " + strings.ToUpper(a.Code) + " TD " + strconv.Itoa(attending) + " PR " + strconv.Itoa(attending) +
		" TV " + strconv.Itoa(attending) + " HL " + strconv.Itoa(valid) + " KHL " + strconv.Itoa(invalid))
	first := valid * 4 / 5
	votes := []int{first, max(valid-first-1, 0)}
	for i, c := range listed(a.Candidates) {
		v := 0
		if i < len(votes) {
			v = votes[i]
		}
		b.WriteString(" UV" + strconv.Itoa(c.BallotNo) + " " + strconv.Itoa(v))
	}
	return b.String()
}
