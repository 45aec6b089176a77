package posters

import "testing"

// BenchmarkRender is the time of one poster (compose, draw, PNG): times
// 1,452 it is the posters of a province's day (BENCHMARKS.md).
func BenchmarkRender(b *testing.B) {
	e, a := xa()
	loc := localizers(b)
	b.ReportAllocs()
	for b.Loop() {
		l := NewLink(a, "electionbot_test", "")
		p, err := Compose(loc, "vi", e, a, l, "electionbot_test")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(p); err != nil {
			b.Fatal(err)
		}
	}
}
