package cli

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"electionbot/demo"
	"electionbot/internal/testdb"
)

// serve mounts the results page and its feeds on the same listener.
func TestServeMountsResultsPage(t *testing.T) {
	t.Parallel()
	s := testdb.SQLite(t)
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(map[string]string{"LISTEN_ADDR": "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	sv, err := NewServer(ctx, cfg, s, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sv.mux)
	defer ts.Close()
	for _, tc := range []struct{ path, want string }{
		{"/results/ka-long-2022", "Phường Ka Long"},
		{"/results/ka-long-2022?lang=en", "Khu phố 6"},
		{"/results/ka-long-2022.json", `"ka-long-2022"`},
		{"/results/ka-long-2022.csv", "kp1"},
		{"/healthz", "ok"},
	} {
		resp, err := http.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d, body lacks %q", tc.path, resp.StatusCode, tc.want)
		}
	}
	resp, err := http.Get(ts.URL + "/results/no-such-election")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown election = %d, want 404", resp.StatusCode)
	}
}
