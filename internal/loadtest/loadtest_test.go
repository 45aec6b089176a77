package loadtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestPercentileAndFormats(t *testing.T) {
	var l Latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(101-i)*time.Millisecond)
	}
	if l.Percentile(0.5) != 50*time.Millisecond || l.Percentile(0.99) != 99*time.Millisecond || l.Percentile(1) != 100*time.Millisecond {
		t.Fatalf("percentiles %v %v %v", l.Percentile(0.5), l.Percentile(0.99), l.Percentile(1))
	}
	if Latencies(nil).Percentile(0.5) != 0 {
		t.Fatal("empty")
	}
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q", in, got)
		}
	}
	if got := Ms(1500 * time.Microsecond); got != "1.50 ms" {
		t.Errorf("Ms = %q", got)
	}
	if Median([]float64{3, 1, 2}) != 2 || Best([]float64{3, 1, 2}) != 3 {
		t.Error("median/best")
	}
}

func TestStalls(t *testing.T) {
	// 10/s for 3 s: one slow answer in the second window of 1 s.
	l := make(Latencies, 30)
	for i := range l {
		l[i] = 5 * time.Millisecond
	}
	l[14] = 300 * time.Millisecond
	want := "windows of 1s whose slowest answer took over 20ms: 1 of 3 (worst 300 ms, at 1.0 s)"
	if got := l.Stalls(10, time.Second, 20*time.Millisecond); got != want {
		t.Errorf("Stalls = %q, want %q", got, want)
	}
}

func TestQuestionUpdateIsAnUpdate(t *testing.T) {
	var u struct {
		UpdateID int `json:"update_id"`
		Message  struct {
			Text string             `json:"text"`
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	}
	if err := json.Unmarshal(QuestionUpdate(7, 0, 100, 10), &u); err != nil {
		t.Fatal(err)
	}
	if u.UpdateID != 7 || !strings.HasPrefix(u.Message.Text, "/start kp") || u.Message.Chat.ID != 100 {
		t.Fatalf("%+v", u)
	}
	if err := json.Unmarshal(QuestionUpdate(8, 25, 100, 10), &u); err != nil || u.Message.Chat.ID != 105 {
		t.Fatalf("%+v %v", u, err)
	}
}
