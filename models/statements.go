package models

import (
	"sync/atomic"

	"gorm.io/gorm"
)

// Statements counts the SQL statements the store sent through GORM since
// it was opened (transactions' BEGIN and COMMIT, and what other packages
// send on the raw connection, such as River's inserts, are not counted):
// the per-update cost that BenchmarkResidentMessage and the serve tests
// report, and that must not grow with the province.
func (s *Store) Statements() int64 {
	if s.stmts == nil {
		return 0
	}
	return s.stmts.Load()
}

// countStatements registers the callbacks that count each statement.
func countStatements(db *gorm.DB, n *atomic.Int64) error {
	inc := func(*gorm.DB) { n.Add(1) }
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("electionbot:count", inc),
		cb.Query().After("gorm:query").Register("electionbot:count", inc),
		cb.Update().After("gorm:update").Register("electionbot:count", inc),
		cb.Delete().After("gorm:delete").Register("electionbot:count", inc),
		cb.Row().After("gorm:row").Register("electionbot:count", inc),
		cb.Raw().After("gorm:raw").Register("electionbot:count", inc),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
