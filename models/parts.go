package models

// The store is read by its parts. Each part is a type of its own holding
// the methods of one concern of the domain; Store embeds them all, so a
// caller still writes tx.SubmitTally(…) and an interface of a few methods
// (handlers' narrow stores) is satisfied by *Store, while a reader finds
// the tallies' methods on Tallies, not among a hundred others. A part
// embeds the Store it belongs to, so that its methods reach the database
// (s.DB, s.InTx, s.now) and the other parts (s.Areas) as before.

// Contacts are the people who write to the bot: their contact record,
// reachability, language, reminder subscription and the audit of their
// lookups.
type Contacts struct{ *Store }

// Elections are the loaded elections, their ward and areas, and the
// loading of an election file.
type Elections struct{ *Store }

// Registry is the voter list (danh sách cử tri): its import and lookups.
type Registry struct{ *Store }

// Roles are the officials' designations: grants of admin, viewer and
// reporter roles, and the one-time invites that give them.
type Roles struct{ *Store }

// Tallies are the counting minutes (biên bản kiểm phiếu) reported by
// officials: submission, review, photos, results and their export.
type Tallies struct{ *Store }

// Broadcasts are the ward's announcements: drafts, queueing, the fan-out
// to recipients and its progress.
type Broadcasts struct{ *Store }

// Reminders are the planned reminders of an election and their firing.
type Reminders struct{ *Store }

// Outbox is the durable queue of messages to send, claimed by the
// senders of every replica.
type Outbox struct{ *Store }

// Channels are the channels' own state: updates already processed, the
// replicas' heartbeats and per-channel values (tokens, offsets).
type Channels struct{ *Store }
