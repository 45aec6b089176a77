package handlers

import (
	"bytes"
	"image/png"
	"testing"

	"electionbot/bot"
)

// /ketqua sends the ward's progress chart, /ketqua kp1 the area's votes:
// PNGs of the results package's size; none for an area not yet counted.
func TestResultsChartsInChat(t *testing.T) {
	forStores(t, func(t *testing.T, o *offHarness) {
		o.reporter("2", "kp1")
		o.submit("2", "KQ KP1 TD 290 PR 290 TV 289 HL 285 KHL 4 UV1 250 UV2 35")
		for _, tc := range []struct {
			cmd, name string
		}{
			{"/ketqua", "tien-do-ka-long-2022.png"},
			{"/ketqua kp1", "ket-qua-kp1.png"},
		} {
			var doc *bot.Document
			for _, out := range o.send("1", tc.cmd) {
				if out.Document != nil {
					doc = out.Document
				}
			}
			if doc == nil || doc.Name != tc.name || doc.MIME != "image/png" {
				t.Fatalf("%s: document = %+v, want %s", tc.cmd, doc, tc.name)
			}
			img, err := png.Decode(bytes.NewReader(doc.Data))
			if err != nil {
				t.Fatalf("%s: not a PNG: %v", tc.cmd, err)
			}
			if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 450 {
				t.Errorf("%s: chart is %v, want 800×450", tc.cmd, b)
			}
		}
		for _, out := range o.send("1", "/ketqua kp2") {
			if out.Document != nil {
				t.Errorf("/ketqua kp2 (not counted) sent a chart %s", out.Document.Name)
			}
		}
		// Residents get no officials' chart.
		for _, out := range o.send("4", "/ketqua") {
			if out.Document != nil {
				t.Errorf("a resident got the chart %s", out.Document.Name)
			}
		}
	})
}
