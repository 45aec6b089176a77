package models

import "strings"

// Candidates nominated at the meeting (docs/design.md §3): NĐ 59/2023
// (press summaries) lets the household representatives at the meeting
// nominate others or themselves, so the counting minutes may name a person
// the election file does not list. Such a person is kept as a candidate
// "ứng cử tại hội nghị" (Candidate.Nominated), flagged for the ward's
// review, never dropped or refused.

// NomineeBallotBase: the ballot numbers of nominated candidates are above
// it. An election file lists at most MaxFileCandidates per area, so a
// file's numbers (1…100) never meet a nominee's, and a nominee's number is
// only a key: texts name nominees without it.
const (
	NomineeBallotBase = 100
	MaxFileCandidates = 100
)

// Nominee is a person named in a tally who is not among the area's
// candidates yet, with their votes.
type Nominee struct {
	Name  string
	Votes int
}

// NomineeBallot reports whether a ballot number is a nominee's.
func NomineeBallot(no int) bool { return no > NomineeBallotBase }

// WithNominees resolves the nominees of n against the area's candidates:
// a nominee whose folded name is a candidate's (listed, or nominated in an
// earlier report) counts for that candidate; any other becomes a new
// candidate, Nominated, with the next ballot number above
// NomineeBallotBase and no id (SubmitTally stores it). It returns the
// candidates with the new ones appended, n with the nominees' votes under
// their ballot numbers and no Nominees, and the violations of the
// nominees: a name missing, or a person given twice (twice by name, or by
// number and by name). Neither candidates nor n is changed.
func WithNominees(candidates []*Candidate, n TallyNumbers) ([]*Candidate, TallyNumbers, []Violation) {
	if len(n.Nominees) == 0 {
		return candidates, n, nil
	}
	var vs []Violation
	out := append([]*Candidate(nil), candidates...)
	byName := make(map[string]*Candidate, len(candidates))
	next := NomineeBallotBase
	for _, c := range candidates {
		if c == nil {
			continue
		}
		byName[candidateFold(c)] = c
		next = max(next, c.BallotNo)
	}
	votes := make(map[int]int, len(n.Votes)+len(n.Nominees))
	for k, v := range n.Votes {
		votes[k] = v
	}
	for _, nm := range n.Nominees {
		name := squeezeSpaces(nm.Name)
		if name == "" {
			vs = append(vs, Violation{ID: VNomineeNoName, Data: map[string]any{"Votes": nm.Votes}})
			continue
		}
		c := byName[Fold(name)]
		if c == nil {
			next++
			c = &Candidate{BallotNo: next, Name: name, NameFolded: Fold(name), Nominated: true}
			byName[c.NameFolded] = c
			out = append(out, c)
		}
		if _, dup := votes[c.BallotNo]; dup {
			vs = append(vs, Violation{ID: VNomineeTwice, Data: map[string]any{"Name": c.Name}})
			continue
		}
		votes[c.BallotNo] = nm.Votes
	}
	n.Votes, n.Nominees = votes, nil
	return out, n, vs
}

func candidateFold(c *Candidate) string {
	if c.NameFolded != "" {
		return c.NameFolded
	}
	return Fold(c.Name)
}

// NomineesOf are the candidates nominated at the meeting who have votes in
// n (a stored tally's numbers), in ballot order: what the ward is asked to
// check.
func NomineesOf(candidates []*Candidate, n TallyNumbers) []*Candidate {
	var out []*Candidate
	for _, c := range candidates {
		if c != nil && c.Nominated {
			if _, ok := n.Votes[c.BallotNo]; ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// CandidateNames joins the names of candidates ("A, B").
func CandidateNames(cs []*Candidate) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}
