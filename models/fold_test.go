package models

import (
	"fmt"
	"sync"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"  Nguyễn  Văn-An ":     "nguyen van an",
		"ĐẶNG THỊ Hồng":         "dang thi hong",
		"khu phố IV":            "khu pho iv",
		"bỏ phiếu ở đâu?":       "bo phieu o dau",
		"Trần\tThị\u00a0Bình":   "tran thi binh",
		"":                      "",
		"1.234 phiếu, 56%":      "1 234 phieu 56",
		"Nguyễn Văn An sinh 61": "nguyen van an sinh 61",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fold is called by many requests at once; each must get its own answer
// (a shared transformer once corrupted and crashed concurrent requests).
func TestFoldConcurrent(t *testing.T) {
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Thị Hoa", "Đặng Quốc Hùng", "Phạm Ngọc Thạch", "Võ Thị Sáu"}
	want := []string{"nguyen van an", "tran thi binh", "le thi hoa", "dang quoc hung", "pham ngoc thach", "vo thi sau"}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 3000; i++ {
				k := (g + i) % len(names)
				if got := Fold(names[k]); got != want[k] {
					errs <- fmt.Sprintf("Fold(%q) = %q under concurrency", names[k], got)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
