package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives the tests a temporary folder of their own (TMPDIR),
// removed at the end: `chat` without --files makes a folder there for its
// charts, exports and log, and a test must not leave one behind.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "electionbot-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("TMPDIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
