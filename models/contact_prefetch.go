package models

import (
	"context"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// A group of updates (intake/group.go) reads the contacts who wrote them
// in one statement at its start, instead of one upsert each: EnsureContact
// then finds a contact who wrote before in the transaction's memo, and
// MarkReachable knows without a statement that a reachable contact is.
// The memo is the stored rows as the transaction read them, so a write
// through the store drops what it may change: a model's update of one
// contact (SaveContact) that contact, any other write to the contacts
// table all of the memo; the memo goes at the transaction's end. A
// contact is never served from it after a change, the group's own
// changes included. Each
// entry serves one EnsureContact: the next update of the same contact in
// the group reads its row again.

// contactMemo is one transaction's prefetched contacts.
type contactMemo struct {
	mu     sync.Mutex
	valid  bool
	byUser map[[2]string]*Contact // channel, external ID
	byChat map[[2]string]bool     // channel, chat ID: reachable
	chatOf map[int64][2]string    // contact ID: its key in byChat
}

// contactMemos finds a transaction's memo from its connection (what a
// GORM callback sees), so that a write drops it.
type contactMemos struct{ m sync.Map } // gorm.ConnPool → *contactMemo

// PrefetchContacts reads, in one statement, the contacts of channel with
// these external IDs, for the EnsureContact and MarkReachable calls of
// this transaction (a store bound to one, InTx). Outside a transaction
// it does nothing; IDs of contacts not yet stored are left to
// EnsureContact, which creates them.
func (s *Store) PrefetchContacts(ctx context.Context, channel string, externalIDs []string) error {
	if s.memos == nil || !s.inTx() || len(externalIDs) == 0 {
		return nil
	}
	var got []struct {
		Contact
		CatalogToken string
	}
	err := s.DB(ctx).Raw(`SELECT c.*, `+catalogTokenColumn+` FROM contacts c WHERE c.channel = ? AND c.external_id IN ?`,
		channel, externalIDs).Scan(&got).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "read %d %s contacts", len(externalIDs), channel)
	}
	m := &contactMemo{valid: true, byUser: make(map[[2]string]*Contact, len(got)),
		byChat: make(map[[2]string]bool, len(got)), chatOf: make(map[int64][2]string, len(got))}
	for i := range got {
		c := got[i].Contact
		m.byUser[[2]string{c.Channel, c.ExternalID}] = &c
		m.byChat[[2]string{c.Channel, c.ChatID}] = c.Reachable
		m.chatOf[c.ID] = [2]string{c.Channel, c.ChatID}
		s.seeCatalog(got[i].CatalogToken)
	}
	s.memo = m
	s.memos.m.Store(s.db.Statement.ConnPool, m)
	return nil
}

// prefetched takes key's contact from the memo, if it is still valid.
func (s *Store) prefetched(channel, externalID string) *Contact {
	m := s.memo
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{channel, externalID}
	c := m.byUser[k]
	if !m.valid || c == nil {
		return nil
	}
	delete(m.byUser, k)
	return c
}

// knownReachable tells whether the memo holds chat's contact, reachable.
func (s *Store) knownReachable(channel, chatID string) bool {
	m := s.memo
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.valid && m.byChat[[2]string{channel, chatID}]
}

// forgetMemo drops the transaction's memo at its end.
func (s *Store) forgetMemo() {
	if s.memo != nil {
		s.memos.m.Delete(s.db.Statement.ConnPool)
		s.memo = nil
	}
}

// watchContactWrites registers the callbacks that keep a transaction's
// memo true: a model's update or delete of one contact (SaveContact: a
// contact with its ID) drops that contact from it, any other write to the
// contacts table drops all of it.
func watchContactWrites(db *gorm.DB, memos *contactMemos) error {
	drop := func(tx *gorm.DB, oneRow bool) {
		v, ok := memos.m.Load(tx.Statement.ConnPool)
		if !ok || !writesContacts(tx.Statement) {
			return
		}
		m := v.(*contactMemo)
		m.mu.Lock()
		defer m.mu.Unlock()
		if c, ok := tx.Statement.Model.(*Contact); ok && oneRow && c.ID != 0 {
			m.forget(c.ID)
			return
		}
		m.valid = false
	}
	one := func(tx *gorm.DB) { drop(tx, true) }
	all := func(tx *gorm.DB) { drop(tx, false) }
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("electionbot:contact_memo", all),
		cb.Update().Before("gorm:update").Register("electionbot:contact_memo", one),
		cb.Delete().Before("gorm:delete").Register("electionbot:contact_memo", one),
		cb.Row().Before("gorm:row").Register("electionbot:contact_memo", all),
		cb.Raw().Before("gorm:raw").Register("electionbot:contact_memo", all),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// forget drops contact id from the memo (a write to its row: GORM bounds
// a model's update or delete by the model's primary key). Called with mu
// held.
func (m *contactMemo) forget(id int64) {
	for k, c := range m.byUser {
		if c.ID == id {
			delete(m.byUser, k)
		}
	}
	if chat, ok := m.chatOf[id]; ok {
		delete(m.byChat, chat)
		delete(m.chatOf, id)
	}
}

// writesContacts tells whether a statement may change the contacts table:
// a model's write to it, or raw SQL naming it beside a write.
func writesContacts(st *gorm.Statement) bool {
	if st.Table == "contacts" {
		return true
	}
	sql := strings.ToUpper(st.SQL.String())
	if sql == "" {
		return false // a model's statement, built after this callback: its Table said
	}
	return strings.Contains(sql, "CONTACTS") &&
		(strings.Contains(sql, "INSERT") || strings.Contains(sql, "UPDATE") || strings.Contains(sql, "DELETE"))
}
