package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Reminder statuses.
const (
	ReminderScheduled = "scheduled" // waits for FireAt
	ReminderFired     = "fired"     // its broadcast was created (BroadcastID)
	ReminderMissed    = "missed"    // the time passed while nobody could send it
)

// Resident reminder messages: the message: of an election file's
// reminders, each the locale message "rem_<name>" (locales/broadcast.*).
const (
	RemindListPosted    = "list_posted"    // the voter list is posted at the nhà văn hóa: check your name
	RemindMeetingNotice = "meeting_notice" // the meeting: day, time and place
	RemindEveningBefore = "evening_before" // tomorrow
	RemindMorningOf     = "morning_of"     // today
)

// ReminderMessages are the message names an election file may use.
var ReminderMessages = []string{RemindListPosted, RemindMeetingNotice, RemindEveningBefore, RemindMorningOf}

// Officials' deadline reminders (built in, from docs/design.md §3): each the
// locale message "rem_<name>".
const (
	RemindOfficialList        = "official_list_posted" // the list must be posted by …
	RemindOfficialNotice      = "official_notice"      // the meeting notice must go out by …
	RemindOfficialUnreported  = "official_unreported"  // after closing: areas with no tally yet
	RemindOfficialResults     = "official_results_due" // results to the ward within 5 working days
	ResultsWorkingDays        = 5                      // results reach the ward within 5 working days
	officialHour              = 8                      // officials' reminders go out at 08:00 local
	unreportedAfter           = time.Hour              // after the polls close
	maxReminderOffset         = 365 * 24 * time.Hour   // an offset is within a year
	maxReminders              = 20                     // per election file
	reminderKeyPrefixOfficial = "official-"
)

// FileReminder is one entry of the optional reminders: list of an
// election file: when, relative to the election, and which message.
// Either Offset (from the opening time: "-7d", "-48h", "-1d12h", "+1h") or
// Day and At (a local clock time on a day relative to the election day:
// day: -1, at: "19:00" is the evening before).
type FileReminder struct {
	Key     string `yaml:"key,omitempty"` // unique in the file; default: the message with "-" for "_"
	Message string `yaml:"message"`       // one of ReminderMessages
	Offset  string `yaml:"offset,omitempty"`
	Day     *int   `yaml:"day,omitempty"`
	At      string `yaml:"at,omitempty"`
}

// Reminder is one row of an election's reminder schedule, unique per
// (election, key).
type Reminder struct {
	ID          int64 `gorm:"primaryKey"`
	ElectionID  int64
	Key         string
	Audience    string // AudienceSubscribers or AudienceOfficials
	MessageKey  string
	FireAt      time.Time
	Status      string
	BroadcastID *int64
	UpdatedAt   time.Time
}

// PlannedReminder is a reminder of an election's schedule, before it is
// stored.
type PlannedReminder struct {
	Key        string
	Audience   string
	MessageKey string
	FireAt     time.Time // UTC
}

// scheduleReminders makes an election's reminder rows those of the plan:
// new keys are added, rows still scheduled (or missed, when the new time is
// ahead) take the new time and message, rows no longer planned are deleted
// unless they fired. A fired reminder is never scheduled again: reloading
// the file does not send anything twice.
func (s Reminders) scheduleReminders(db *gorm.DB, electionID int64, plan []PlannedReminder) error {
	now := s.now()
	var cur []*Reminder
	if err := db.Where("election_id = ?", electionID).Find(&cur).Error; err != nil {
		return Wrap(EINTERNAL, err, "reminders of election %d", electionID)
	}
	byKey := make(map[string]*Reminder, len(cur))
	for _, r := range cur {
		byKey[r.Key] = r
	}
	planned := make(map[string]bool, len(plan))
	for _, p := range plan {
		planned[p.Key] = true
		r, ok := byKey[p.Key]
		if !ok {
			r = &Reminder{ElectionID: electionID, Key: p.Key, Audience: p.Audience, MessageKey: p.MessageKey,
				FireAt: p.FireAt, Status: ReminderScheduled, UpdatedAt: now}
			if err := db.Create(r).Error; err != nil {
				return Wrap(EINTERNAL, err, "schedule reminder %s", p.Key)
			}
			continue
		}
		if r.Status == ReminderFired {
			continue
		}
		c := colChanges{}
		c.str("audience", r.Audience, p.Audience)
		c.str("message_key", r.MessageKey, p.MessageKey)
		c.time("fire_at", r.FireAt, p.FireAt)
		if r.Status == ReminderMissed && p.FireAt.After(now) {
			c["status"] = ReminderScheduled
		}
		if len(c) > 0 {
			c["updated_at"] = now
			if err := db.Model(&Reminder{}).Where("id = ?", r.ID).Updates(map[string]any(c)).Error; err != nil {
				return Wrap(EINTERNAL, err, "reschedule reminder %s", p.Key)
			}
		}
	}
	for _, r := range cur {
		if !planned[r.Key] && r.Status != ReminderFired {
			if err := db.Delete(&Reminder{}, r.ID).Error; err != nil {
				return Wrap(EINTERNAL, err, "unschedule reminder %s", r.Key)
			}
		}
	}
	return nil
}

// ElectionReminders lists an election's reminders by time.
func (s Reminders) ElectionReminders(ctx context.Context, electionID int64) ([]*Reminder, error) {
	var rs []*Reminder
	if err := s.DB(ctx).Where("election_id = ?", electionID).Order("fire_at, id").Find(&rs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "reminders of election %d", electionID)
	}
	return rs, nil
}

// DueReminders lists the scheduled reminders whose time has come, oldest
// first.
func (s Reminders) DueReminders(ctx context.Context, limit int) ([]*Reminder, error) {
	return s.DueRemindersAt(ctx, s.now(), limit)
}

// DueRemindersAt lists the scheduled reminders due by at, oldest first:
// the terminal chat moves its demo clock forward through them one by one,
// so that each fires at its own time rather than late.
func (s Reminders) DueRemindersAt(ctx context.Context, at time.Time, limit int) ([]*Reminder, error) {
	var rs []*Reminder
	err := s.DB(ctx).Where("status = ? AND fire_at <= ?", ReminderScheduled, at.UTC()).Order("fire_at, id").Limit(limit).Find(&rs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "due reminders")
	}
	return rs, nil
}

// FireReminder creates a reminder's broadcast, queued, and marks the
// reminder fired, in one transaction. It returns nil (and creates
// nothing) when the reminder is no longer scheduled: another replica
// fired it.
func (s Reminders) FireReminder(ctx context.Context, r *Reminder) (*Broadcast, error) {
	var out *Broadcast
	err := s.InTx(ctx, func(tx *Store) error {
		kind := BroadcastReminder
		if r.Audience == AudienceOfficials {
			kind = BroadcastOfficial
		}
		b := &Broadcast{ElectionID: r.ElectionID, Kind: kind, Audience: r.Audience, MessageKey: r.MessageKey,
			Status: BroadcastQueued, Source: "schedule"}
		if err := tx.CreateBroadcast(ctx, b); err != nil {
			return err
		}
		res := tx.DB(ctx).Model(&Reminder{}).Where("id = ? AND status = ?", r.ID, ReminderScheduled).
			Updates(map[string]any{"status": ReminderFired, "broadcast_id": b.ID, "updated_at": tx.now()})
		if res.Error != nil {
			return Wrap(EINTERNAL, res.Error, "fire reminder %d", r.ID)
		}
		if res.RowsAffected != 1 {
			return errNotScheduled
		}
		out = b
		return nil
	})
	if errors.Is(err, errNotScheduled) {
		return nil, nil
	}
	return out, err
}

var errNotScheduled = Errorf(ECONFLICT, "reminder not scheduled any more")

// MissReminder marks a scheduled reminder missed (its time is long past).
func (s Reminders) MissReminder(ctx context.Context, id int64) error {
	err := s.DB(ctx).Model(&Reminder{}).Where("id = ? AND status = ?", id, ReminderScheduled).
		Updates(map[string]any{"status": ReminderMissed, "updated_at": s.now()}).Error
	if err != nil {
		return Wrap(EINTERNAL, err, "miss reminder %d", id)
	}
	return nil
}
