package loadtest

import (
	"fmt"
	"io"
	"strings"
)

// Row is one line of the bench's table: what was measured, the figure,
// the upper bound measured next to it in the same run, the target and
// whether it was met.
type Row struct {
	Name     string
	Measured string
	Bound    string
	Target   string
	Met      *bool // nil: no target
	Note     string
}

// Verdict is "met", "MISSED" or "".
func (r Row) Verdict() string {
	switch {
	case r.Met == nil:
		return ""
	case *r.Met:
		return "met"
	default:
		return "MISSED"
	}
}

// Bool is a *bool for Row.Met.
func Bool(b bool) *bool { return &b }

// WriteMarkdown writes rows as a Markdown table (what BENCHMARKS.md holds).
func WriteMarkdown(w io.Writer, rows []Row) {
	fmt.Fprintln(w, "| measurement | measured | upper bound (same run) | target | |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", cell(r.Name), cell(r.Measured), cell(r.Bound), cell(r.Target), r.Verdict())
	}
	for _, r := range rows {
		if r.Note != "" {
			fmt.Fprintf(w, "\n- %s: %s", r.Name, r.Note)
		}
	}
	fmt.Fprintln(w)
}

func cell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
