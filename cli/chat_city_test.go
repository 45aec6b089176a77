package cli

import (
	"context"
	"strings"
	"testing"

	"electionbot/demo"
	"electionbot/models"
)

// chat --demo-city loads the TP Móng Cái example — three wards, a "kp1"
// in two of them — into a database of its own, beside the Ka Long one.
func TestChatDemoCity(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "/start\n", "chat", "--demo-city")
	if code != 0 || !strings.Contains(out, "> /start") {
		t.Fatalf("chat --demo-city exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	ctx := context.Background()
	s, err := models.Open(ctx, "sqlite://"+demoCityDatabase)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.ElectionByCode(ctx, demo.CityElectionCode)
	if err != nil {
		t.Fatal(err)
	}
	wards, err := s.ElectionWards(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range wards {
		names = append(names, w.Name)
	}
	if got := strings.Join(names, ", "); got != "Phường Ka Long, Phường Hải Hòa, Xã Hải Tiến" {
		t.Errorf("wards of the city demo: %s", got)
	}
	if _, err := s.ElectionByCode(ctx, demo.ElectionCode); models.ErrorCode(err) != models.ENOTFOUND {
		t.Errorf("the Ka Long election is in the city demo's database: %v", err)
	}

	if code, _, errOut := runCLI(t, "", "chat", "--demo", "--demo-city"); code != 2 || !strings.Contains(errOut, "not both") {
		t.Errorf("--demo --demo-city: exit %d, stderr %q", code, errOut)
	}
}
