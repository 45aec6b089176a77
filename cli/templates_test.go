package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `electionbot templates --out DIR` writes the three templates and names
// them; --help prints the usage and touches nothing.
func TestTemplatesCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mau")
	code, out, errb := runCLI(t, "", "templates", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, name := range []string{"mau_danh_sach_cu_tri.xlsx", "mau_danh_sach_khu.xlsx", "mau_cuoc_bau.yaml"} {
		path := filepath.Join(dir, name)
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(out, path) {
			t.Errorf("stdout does not name %s:\n%s", path, out)
		}
	}
	code, out, _ = runCLI(t, "", "templates", "--help")
	if code != 0 || !strings.Contains(out, "usage: electionbot templates --out DIR") {
		t.Errorf("--help: exit %d\n%s", code, out)
	}
	if code, _, errb = runCLI(t, "", "templates"); code != 2 {
		t.Errorf("without --out: exit %d, want 2 (%s)", code, errb)
	}
}
