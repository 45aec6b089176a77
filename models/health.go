package models

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// healthChannel and healthKey name the channel_state row CanCommit
// writes: one row, whatever the number of replicas.
const healthChannel, healthKey = "serve", "health"

// CanCommit writes and commits one tiny row (channel_state serve/health):
// nil when the database takes writes. A ping is not enough: a database
// that answers but cannot commit (read-only after a failover, a full
// disk, a revoked grant) failed every update while /healthz said ok.
func (s Channels) CanCommit(ctx context.Context) error {
	return s.InTx(ctx, func(tx *Store) error {
		return tx.SetChannelState(ctx, healthChannel, healthKey, tx.now().UTC().Format("2006-01-02T15:04:05Z"))
	})
}

// IsDataError tells whether err comes from data the database refuses
// whatever the moment: PostgreSQL's class 22 "data exception" (a NUL or
// invalid UTF-8 in text, a value out of range, a string too long). An
// update failing with one fails again on every delivery.
func IsDataError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && len(pe.Code) == 5 && pe.Code[:2] == "22"
}
