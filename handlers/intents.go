package handlers

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"electionbot/models"
)

//go:embed intents.yaml
var intentsYAML []byte

// fuzzyFactor is the share of a keyword's weight that a typo match earns.
const fuzzyFactor = 0.8

// Scorer recognises the intent of free text by weighted keywords read from
// data (intents.yaml explains the method). It is safe for concurrent use.
type Scorer struct {
	Threshold float64
	intents   []intentDef
}

type intentDef struct {
	name    string
	phrases []phrase
}

type phrase struct {
	words  []string
	weight float64
}

type intentFile struct {
	Threshold float64 `yaml:"threshold"`
	Intents   []struct {
		Name     string             `yaml:"name"`
		Keywords map[string]float64 `yaml:"keywords"`
	} `yaml:"intents"`
}

// DefaultScorer is the scorer of the embedded intents.yaml.
func DefaultScorer() (*Scorer, error) { return ParseIntents(intentsYAML) }

// ParseIntents reads an intents file.
func ParseIntents(data []byte) (*Scorer, error) {
	var f intentFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("intents: %w", err)
	}
	if f.Threshold <= 0 {
		return nil, fmt.Errorf("intents: threshold must be greater than 0")
	}
	s := &Scorer{Threshold: f.Threshold}
	seen := map[string]bool{}
	for i, in := range f.Intents {
		if in.Name == "" || seen[in.Name] {
			return nil, fmt.Errorf("intents[%d]: missing or duplicate name %q", i, in.Name)
		}
		seen[in.Name] = true
		d := intentDef{name: in.Name}
		for k, w := range in.Keywords {
			words := strings.Fields(models.Fold(k))
			if len(words) == 0 || w <= 0 {
				return nil, fmt.Errorf("intents[%d] %s: bad keyword %q: %v", i, in.Name, k, w)
			}
			d.phrases = append(d.phrases, phrase{words: words, weight: w})
		}
		// Deterministic order (maps have none): longest phrases first.
		sort.Slice(d.phrases, func(a, b int) bool {
			pa, pb := d.phrases[a], d.phrases[b]
			if len(pa.words) != len(pb.words) {
				return len(pa.words) > len(pb.words)
			}
			return strings.Join(pa.words, " ") < strings.Join(pb.words, " ")
		})
		s.intents = append(s.intents, d)
	}
	return s, nil
}

// Intents lists the intent names in priority order.
func (s *Scorer) Intents() []string {
	out := make([]string, len(s.intents))
	for i, d := range s.intents {
		out[i] = d.name
	}
	return out
}

// Scores returns every intent's score for a text (folded here).
func (s *Scorer) Scores(text string) map[string]float64 {
	toks := strings.Fields(models.Fold(text))
	out := make(map[string]float64, len(s.intents))
	if len(toks) > 64 {
		toks = toks[:64] // nobody asks a 64-word question; bound the work
	}
	for _, d := range s.intents {
		sum := 0.0
		for _, p := range d.phrases {
			sum += p.weight * matchPhrase(p.words, toks)
		}
		out[d.name] = sum
	}
	return out
}

// Best returns the winning intent and its score, or "" when no intent
// reaches the threshold.
func (s *Scorer) Best(text string) (string, float64) {
	scores := s.Scores(text)
	best, bestScore := "", 0.0
	for _, d := range s.intents { // priority order breaks ties
		if sc := scores[d.name]; sc > bestScore+1e-9 {
			best, bestScore = d.name, sc
		}
	}
	if bestScore < s.Threshold {
		return "", bestScore
	}
	return best, bestScore
}

// matchPhrase returns 1 if the phrase occurs exactly in toks, fuzzyFactor
// if it occurs with typos, 0 otherwise.
func matchPhrase(words, toks []string) float64 {
	best := 0.0
	for i := 0; i+len(words) <= len(toks); i++ {
		m := 1.0
		for j, w := range words {
			switch t := toks[i+j]; {
			case t == w:
			case closeEnough(w, t):
				m = fuzzyFactor
			default:
				m = 0
			}
			if m == 0 {
				break
			}
		}
		if m > best {
			best = m
			if best == 1 {
				break
			}
		}
	}
	return best
}

// closeEnough says whether token t is a small typo of keyword w: one edit
// for words of 5+ letters, two for 9+, and for 4-letter words only an
// extra letter or two swapped letters. Shorter words must match exactly
// (Vietnamese has many short words one letter apart: "bau"/"bao").
func closeEnough(w, t string) bool {
	lw, lt := len(w), len(t)
	if lw < 4 || lt < 4 {
		return false
	}
	max := 1
	if lw >= 9 {
		max = 2
	}
	if d := lt - lw; d > max || -d > max {
		return false
	}
	d := osaDistance(w, t, max)
	if lw == 4 {
		return d == 1 && (lt == 5 || (lt == 4 && isTransposition(w, t)))
	}
	return d <= max
}

func isTransposition(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}

// osaDistance is the optimal-string-alignment (Damerau–Levenshtein with
// adjacent transpositions) distance of two folded (ASCII-ish) strings,
// capped at max+1.
func osaDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	n, m := len(ra), len(rb)
	if n > 40 || m > 40 {
		return max + 1
	}
	prev2 := make([]int, m+1)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	for j := 0; j <= m; j++ {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}
