package cli

import (
	"context"
	"net/http"
	"sync"
	"time"

	"electionbot/models"
)

// health is GET /healthz: 200 "ok" when the database commits a tiny
// write (models.CanCommit), 503 otherwise. A ping was not enough: with
// the database read-only every webhook failed (500) while /healthz said
// ok, so neither Docker nor a load balancer took the replica out. The
// answer is kept for healthTTL, so a flood of probes (the path is
// public) makes at most one write a second; concurrent probes wait for
// the one check in progress.
type health struct {
	store *models.Store
	now   func() time.Time

	mu  sync.Mutex
	at  time.Time // of the last check
	err error     // its result
}

const (
	healthTTL     = time.Second
	healthTimeout = 2 * time.Second
)

func newHealth(s *models.Store, now func() time.Time) *health {
	return &health{store: s, now: now}
}

// check is the cached result of CanCommit.
func (h *health) check(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := h.now(); h.at.IsZero() || now.Sub(h.at) >= healthTTL || now.Before(h.at) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthTimeout)
		defer cancel()
		h.err, h.at = h.store.CanCommit(ctx), now
	}
	return h.err
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.check(r.Context()); err != nil {
		http.Error(w, "database cannot commit", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}
