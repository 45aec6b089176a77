package loadtest

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"
)

func TestSummarizeAndRatio(t *testing.T) {
	ms := time.Millisecond
	ward := Summarize([]Cost{
		{N: 100, CPU: 100 * ms, Wall: 300 * ms, Bytes: 7_000_000, Allocs: 80_000, Statements: 500},
		{N: 100, CPU: 250 * ms, Wall: 900 * ms, Bytes: 7_200_000, Allocs: 81_000, Statements: 510}, // a busy neighbour
		{N: 100, CPU: 120 * ms, Wall: 200 * ms, Bytes: 7_100_000, Allocs: 80_500, Statements: 500},
	})
	if ward.Runs != 3 || ward.Best.CPU != ms || ward.Median.CPU != 1200*time.Microsecond || ward.Best.Wall != 2*ms {
		t.Fatalf("CPU and wall: %+v", ward)
	}
	if ward.Median.Bytes != 71_000 || ward.Median.Statements != 5 || ward.Best.Allocs != 800 {
		t.Fatalf("bytes, statements, allocations: %+v", ward)
	}
	province := Summarize([]Cost{
		{N: 200, CPU: 250 * ms, Bytes: 14_800_000, Allocs: 162_000, Statements: 1000},
		{N: 200, CPU: 210 * ms, Bytes: 14_900_000, Allocs: 163_000, Statements: 1000},
		{N: 200, CPU: 230 * ms, Bytes: 14_800_000, Allocs: 161_000, Statements: 1000},
	})
	r := province.Ratio(ward)
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	if !near(r.CPU, 1.15/1.2) || !near(r.BestCPU, 1.05) || !near(r.Bytes, 74_000.0/71_000) || !near(r.Statements, 1) || !near(r.Allocs, 810.0/805) {
		t.Fatalf("ratio %+v", r)
	}
	if !r.Within(1.10) || r.Within(1.03) {
		t.Fatalf("within: %+v", r)
	}
	r.Statements = 1.2 // one statement more in five
	if r.Within(1.10) {
		t.Fatal("a statement more per update is within 10%")
	}
	if got := (CostSummary{}).Ratio(CostSummary{}); got.CPU != 1 || !got.Within(1) {
		t.Fatalf("nothing over nothing: %+v", got)
	}
	if got := ward.Ratio(CostSummary{}); !math.IsInf(got.CPU, 1) || got.Within(1e9) {
		t.Fatalf("something over nothing: %+v", got)
	}
}

func TestCostMeterCounts(t *testing.T) {
	var stmts int64 = 40
	m := StartCost(func() int64 { return stmts })
	var keep [][]byte
	for range 64 {
		keep = append(keep, make([]byte, 16<<10))
	}
	stmts += 7
	c := m.Stop(8)
	if c.N != 8 || c.Statements != 7 || c.Bytes < 64*16<<10 || c.Allocs < 64 || len(keep) != 64 {
		t.Fatalf("%+v", c)
	}
	if p := c.Per(); p.Statements != 7.0/8 || p.Bytes < 8*16<<10 {
		t.Fatalf("per update %+v", p)
	}
	before := ProcessCPU()
	for x := 0; ProcessCPU() == before; x++ { // burns CPU until the clock moves: not a wall-clock wait
		keep[0][x%len(keep[0])]++
	}
	if ProcessCPU() <= 0 {
		t.Fatal("no CPU time")
	}
}

func TestPlacedQuestionUpdate(t *testing.T) {
	var u struct {
		Message struct {
			Text string             `json:"text"`
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"message"`
	}
	places := []string{"a11", "a12", "a13"}
	for i, want := range map[int]string{0: "/start a11", 4: "/start a12", 2: "/start a13"} {
		if err := json.Unmarshal(PlacedQuestionUpdate(1, i, 100, 5, places), &u); err != nil || u.Message.Text != want || u.Message.Chat.ID != 100+int64(i) {
			t.Errorf("update %d: %+v %v, want %q", i, u, err, want)
		}
	}
	// The demo's stream is as it was: its users' khu phố in turn.
	for i := range 8 {
		if err := json.Unmarshal(QuestionUpdate(1, i, 100, 8), &u); err != nil || u.Message.Text != fmt.Sprintf("/start kp%d", 1+i%6) {
			t.Errorf("demo update %d: %+v %v", i, u, err)
		}
	}
	if err := json.Unmarshal(PlacedQuestionUpdate(1, 12, 100, 5, places), &u); err != nil || u.Message.Text != Questions[(12/5+12)%len(Questions)] {
		t.Fatalf("a question: %+v %v", u, err)
	}
}
