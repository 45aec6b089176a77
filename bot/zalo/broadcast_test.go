package zalo

import (
	"encoding/json"
	"strings"
	"testing"

	"electionbot/models"
)

func TestEncodeTextForBroadcasts(t *testing.T) {
	raw, err := EncodeText("8412345", "📢 UBND Phường Ka Long: họp lúc 19:00 <tối nay>")
	if err != nil {
		t.Fatal(err)
	}
	var req Request
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		t.Fatal(err)
	}
	if req.Recipient.UserID != "8412345" || req.Message.Text != "📢 UBND Phường Ka Long: họp lúc 19:00 <tối nay>" || req.Message.Attachment != nil {
		t.Errorf("request = %+v", req)
	}
	if _, err := EncodeText("1", strings.Repeat("á", MaxText+1)); err == nil {
		t.Error("a text over Zalo's limit was encoded")
	}
	// The longest announcement fits in one Zalo message with room for the
	// ward's header line.
	if models.MaxBroadcastText+150 > MaxText {
		t.Errorf("MaxBroadcastText %d leaves no room for a header within Zalo's %d", models.MaxBroadcastText, MaxText)
	}
}
