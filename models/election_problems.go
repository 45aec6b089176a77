package models

// This file reads the YAML of an election file: the list of problems
// found, each with its field path, and the YAML positions behind them.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// problems collects the validation problems of a file, in order.
type problems []string

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, path+": "+fmt.Sprintf(format, args...))
}

func (p *problems) required(path, v string) bool {
	if v == "" {
		p.add(path, "is required")
		return false
	}
	return true
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (p *problems) slug(path, v string) bool {
	switch {
	case !p.required(path, v):
		return false
	case len(v) > 64:
		p.add(path, "%q is longer than 64 characters", v)
		return false
	case !slugRE.MatchString(v):
		p.add(path, "%q must use only a-z, 0-9 and \"-\" (and start with a letter or digit)", v)
		return false
	}
	return true
}

var clockRE = regexp.MustCompile(`^([0-9]{1,2})[:hH]([0-9]{2})$`)

// clock checks an HH:MM time, rewrites it as HH:MM (7:00 → 07:00) and
// returns it in minutes after midnight.
func (p *problems) clock(path string, v *string) (int, bool) {
	if !p.required(path, *v) {
		return 0, false
	}
	m := clockRE.FindStringSubmatch(*v)
	if m == nil {
		p.add(path, "%q is not a valid time (HH:MM)", *v)
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h > 23 || mm > 59 {
		p.add(path, "%q is not a valid time (HH:MM)", *v)
		return 0, false
	}
	*v = fmt.Sprintf("%02d:%02d", h, mm)
	return h*60 + mm, true
}

// maxProblems bounds the lines of one error.
const maxProblems = 100

// err is nil without problems, else one EINVALID *Error with a line per
// problem (repeats dropped, at most maxProblems lines).
func (p problems) err() error { return p.errUpTo(maxProblems) }

// errUpTo is err with at most limit lines, then "… and N more problems".
func (p problems) errUpTo(limit int) error {
	if len(p) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(p))
	out := make([]string, 0, min(len(p), limit+1))
	more := 0
	for _, line := range p {
		switch {
		case seen[line]:
		case len(out) == limit:
			more++
		default:
			seen[line] = true
			out = append(out, line)
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("… and %d more problems", more))
	}
	return Errorf(EINVALID, "%s", strings.Join(out, "\n"))
}

// yamlIndex knows the field path of the nodes of a YAML tree by line.
type yamlIndex struct {
	all    []yamlPos
	byLine map[int][]int // line → indexes into all
	alias  *yaml.Node    // the first alias, if any
}

type yamlPos struct {
	line   int
	key    bool   // a mapping key (else a value node)
	scalar bool   // a scalar value
	value  string // the key name or scalar value
	tag    string // short tag of a scalar value
	path   string
}

func newYAMLIndex(root *yaml.Node) *yamlIndex {
	x := &yamlIndex{byLine: map[int][]int{}}
	x.walk(root, "")
	for i, p := range x.all {
		x.byLine[p.line] = append(x.byLine[p.line], i)
	}
	return x
}

func (x *yamlIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			x.walk(c, path)
		}
	case yaml.MappingNode:
		x.all = append(x.all, yamlPos{line: n.Line, path: path})
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			x.all = append(x.all, yamlPos{line: k.Line, key: true, value: k.Value, path: p})
			x.walk(v, p)
		}
	case yaml.SequenceNode:
		x.all = append(x.all, yamlPos{line: n.Line, path: path})
		for i, c := range n.Content {
			x.walk(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.ScalarNode:
		x.all = append(x.all, yamlPos{line: n.Line, scalar: true, value: n.Value, tag: n.ShortTag(), path: path})
	case yaml.AliasNode:
		if x.alias == nil {
			x.alias = n
		}
	}
}

// floatsForInts finds numbers with a fraction where a whole number is
// expected: yaml.v3 would silently truncate households: 9.5 to 9.
func (x *yamlIndex) floatsForInts() problems {
	var out problems
	for _, p := range x.all {
		if !p.scalar || p.tag != "!!float" {
			continue
		}
		if p.path == "election.list_posted_days" || p.path == "election.notice_days" ||
			((strings.HasPrefix(p.path, "areas[") || strings.HasPrefix(p.path, "wards[")) && strings.HasSuffix(p.path, "].households")) ||
			(strings.HasPrefix(p.path, "reminders[") && strings.HasSuffix(p.path, "].day")) {
			out = append(out, fmt.Sprintf("%s: %q is not a whole number (line %d)", p.path, p.value, p.line))
		}
	}
	return out
}

// rewriteTypeError turns a yaml.v3 type error into "path: reason (line N)".
func (x *yamlIndex) rewriteTypeError(msg string) string {
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		for _, i := range x.byLine[line] {
			if p := x.all[i]; p.key && p.value == m[2] {
				return fmt.Sprintf("%s: unknown field (line %d)", p.path, line)
			}
		}
		return fmt.Sprintf("line %d: unknown field %q", line, m[2])
	}
	m := cannotRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	tag, value, into := m[2], m[3], m[4]
	want := "a value of another type"
	switch {
	case into == "int":
		want = "a whole number"
	case into == "float64" || into == "*float64":
		want = "a number"
	case into == "string":
		want = "a text value"
	case strings.HasPrefix(into, "[]"):
		want = "a list"
	case strings.HasPrefix(into, "models."):
		want = "a mapping of fields"
	}
	scalar := tag != "!!map" && tag != "!!seq"
	for _, i := range x.byLine[line] {
		p := x.all[i]
		if p.key || p.scalar != scalar {
			continue
		}
		if scalar && value != "" && p.value != value &&
			!(strings.HasSuffix(value, "...") && strings.HasPrefix(p.value, strings.TrimSuffix(value, "..."))) {
			continue
		}
		if scalar {
			return fmt.Sprintf("%s: %q is not %s (line %d)", p.path, p.value, want, line)
		}
		return fmt.Sprintf("%s: must be %s (line %d)", p.path, want, line)
	}
	if scalar {
		return fmt.Sprintf("line %d: %q is not %s", line, value, want)
	}
	return fmt.Sprintf("line %d: must be %s", line, want)
}

var (
	unknownFieldRE = regexp.MustCompile("^line ([0-9]+): field (.+) not found in type .+$")
	cannotRE       = regexp.MustCompile("^line ([0-9]+): cannot unmarshal (!![a-z]+)(?: `(.*)`)? into (.+)$")
)
