package telegramtest

import (
	"fmt"
	"testing"
	"time"
)

// Strict flood control lets at most Global messages through in any
// rolling second, with no burst: 3 a second means the fourth within the
// same second is refused, whenever in that second the first three came.
func TestFloodControlStrictWindow(t *testing.T) {
	s := New(t)
	advance := fakeClock(s)
	s.EnforceLimits(Limits{Global: 3, Strict: true})
	steps := []struct {
		after time.Duration
		want  int
	}{
		{0, 200}, {400 * time.Millisecond, 200}, {400 * time.Millisecond, 200}, // 3 in 0.8 s
		{100 * time.Millisecond, 429}, // 0.9 s: a fourth in the second
		{100 * time.Millisecond, 200}, // 1.0 s: the first has left (t-1s, t]
		{time.Millisecond, 429},       // 1.001 s: 0.4, 0.8 and 1.0 in the window
		{399 * time.Millisecond, 200}, // 1.4 s: 0.4 has left
		{time.Millisecond, 429},       // 1.401 s: 0.8, 1.0 and 1.4
	}
	for i, st := range steps {
		advance(st.after)
		if code, body := send(t, s, fmt.Sprint(100+i)); code != st.want {
			t.Fatalf("message %d: %d %v, want %d", i+1, code, body, st.want)
		}
	}
	if got := s.Stats().TooManyChat; got != 0 {
		t.Fatalf("%d refusals counted per chat, want none", got)
	}
}
