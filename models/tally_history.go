package models

// TallyHistory is every version of an area's counting minutes, oldest
// first, with their votes and reviews.
type TallyHistory struct {
	Area     *Area
	Versions []*Tally
	Reviews  map[int64][]*TallyReview // by tally id, oldest first
}

// Latest is the highest version (whatever its status), or nil.
func (h *TallyHistory) Latest() *Tally {
	if len(h.Versions) == 0 {
		return nil
	}
	return h.Versions[len(h.Versions)-1]
}

// Version finds a version, or nil.
func (h *TallyHistory) Version(n int) *Tally {
	for _, v := range h.Versions {
		if v.Version == n {
			return v
		}
	}
	return nil
}

// Recognised is the area's recognised result: its highest accepted
// version, or nil. It stays recognised until the ward withdraws it or
// recognises another version (docs/design.md §3).
func (h *TallyHistory) Recognised() *Tally {
	for i := len(h.Versions) - 1; i >= 0; i-- {
		if h.Versions[i].Status == TallyAccepted {
			return h.Versions[i]
		}
	}
	return nil
}

// LatestLive is the highest version that is not rejected, or nil.
func (h *TallyHistory) LatestLive() *Tally {
	for i := len(h.Versions) - 1; i >= 0; i-- {
		if h.Versions[i].Status != TallyRejected {
			return h.Versions[i]
		}
	}
	return nil
}

// Supporters are the reporters who stand behind a version: who sent it and
// who confirmed it, in that order.
func (h *TallyHistory) Supporters(t *Tally) []int64 {
	out := []int64{t.ReporterID}
	for _, r := range h.Reviews[t.ID] {
		if r.Action == ReviewConfirm && r.ContactID != nil && *r.ContactID != t.ReporterID {
			out = append(out, *r.ContactID)
		}
	}
	return out
}

// Review returns the latest review of a version with the action, or nil.
func (h *TallyHistory) Review(t *Tally, action string) *TallyReview {
	rs := h.Reviews[t.ID]
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Action == action {
			return rs[i]
		}
	}
	return nil
}

// stances maps each reporter to the latest live version they stand behind
// (sent or confirmed), counting only versions since the latest accepted one
// (included): what the ward recognised settles what came before.
func (h *TallyHistory) stances() map[int64]*Tally {
	base := 0
	if r := h.Recognised(); r != nil {
		base = r.Version
	}
	out := map[int64]*Tally{}
	for _, v := range h.Versions {
		if v.Status == TallyRejected || v.Version < base {
			continue
		}
		for _, r := range h.Supporters(v) {
			out[r] = v
		}
	}
	return out
}
