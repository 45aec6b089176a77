package cli

import (
	"context"
	"fmt"
	"time"

	"electionbot/bot/sms"
	"electionbot/bot/zns"
	"electionbot/broadcast"
	"electionbot/models"
)

// HouseholdConfig is how broadcasts reach the households of the voter
// list (issue 19; the channels themselves are ReachConfig's): the quiet
// hours and the default cost ceiling of a broadcast. Part of Config.
type HouseholdConfig struct {
	// QuietHours: nothing that is not urgent goes out then (ZNS, SMS and,
	// when households are reached, the chats), Asia/Ho_Chi_Minh; "off"
	// turns them off.
	QuietHours string `env:"QUIET_HOURS" envDefault:"21:00-07:00"`
	// CostCeilingVND is a broadcast's default cost ceiling (VND); the
	// admin may raise it for one broadcast (/thongbao tran N). 0: none.
	CostCeilingVND int64 `env:"BROADCAST_COST_CEILING_VND" envDefault:"500000"`
}

// checkHouseholds checks QUIET_HOURS and BROADCAST_COST_CEILING_VND.
func (c *Config) checkHouseholds() error {
	if _, err := models.ParseQuietHours(c.QuietHours); err != nil {
		return &ConfigError{"QUIET_HOURS", fmt.Sprintf("%q: want HH:MM-HH:MM (e.g. 21:00-07:00) or off", c.QuietHours)}
	}
	if c.CostCeilingVND < 0 {
		return &ConfigError{"BROADCAST_COST_CEILING_VND", fmt.Sprintf("%d: must be 0 (none) or more", c.CostCeilingVND)}
	}
	return nil
}

// reachPlan is the households' reach as configured: the paid channels
// on, their prices, the ceiling and the quiet hours.
func (c *Config) reachPlan() models.ReachPlan {
	q, err := models.ParseQuietHours(c.QuietHours)
	if err != nil {
		q = models.DefaultQuietHours // LoadConfig refused it already
	}
	return models.ReachPlan{
		ZNS: c.ZNSEnabled(), SMS: c.SMSEnabled(),
		ZNSCostVND: c.ZNSCostVND, SMSCostVND: c.SMSCostVND,
		CeilingVND: c.CostCeilingVND, Quiet: q,
	}
}

// addHouseholds gives the broadcasts the households' channels that are
// configured (their payloads: zns.Payload with the purpose's template,
// sms.Payload) and the plan; the outbox's OnGiveUp moves a household on.
func (sv *Server) addHouseholds(bc *broadcast.Broadcaster) {
	r := &sv.cfg.ReachConfig
	if r.ZNSEnabled() {
		bc.RegisterHouseholdChannel(models.ChannelZNS, broadcast.HouseholdChannelFunc(func(m broadcast.HouseholdMessage) (string, error) {
			tpl := r.ZNSTemplateNotice
			if m.Purpose == broadcast.PurposeReminder {
				tpl = r.ZNSTemplateReminder
			}
			if tpl == "" {
				return "", fmt.Errorf("no ZNS template for %s", m.Purpose)
			}
			return zns.Payload(tpl, znsData(m), m.ID), nil
		}))
	}
	if r.SMSEnabled() {
		bc.RegisterHouseholdChannel(models.ChannelSMS, broadcast.HouseholdChannelFunc(func(m broadcast.HouseholdMessage) (string, error) {
			return sms.Payload(m.Text), nil
		}))
	}
}

// znsData are a ZNS template's parameters: the election's facts and,
// for an announcement's template, its text (where the approved template
// has a parameter for it; Zalo drops the others).
func znsData(m broadcast.HouseholdMessage) map[string]string {
	d := map[string]string{"ward": m.Ward, "area": m.Area, "date": m.Date, "time": m.Opens, "closes": m.Closes,
		"place": m.Place, "address": m.Address}
	if m.Purpose == broadcast.PurposeNotice {
		d["content"] = m.Text
	}
	return d
}

// householdOptOut is what an SMS STOP / TU CHOI does: the household of
// that phone gets nothing more on any channel, and what waits for it on
// ZNS and SMS is closed.
func (sv *Server) householdOptOut(ctx context.Context, phone string) error {
	if err := sv.store.OptOutHousehold(ctx, phone, "sms"); err != nil {
		return err
	}
	for _, ch := range []string{zns.Channel, sms.Channel} {
		if _, err := sv.store.OutboxCloseChat(ctx, ch, phone, models.OutboxUnreachable, "opted out by SMS"); err != nil {
			return err
		}
	}
	return nil
}

// householdDelivered is what a ZNS delivery receipt does: the message
// sent with that tracking id (a household's: hh:<broadcast>:<voter>:zns)
// is sent, and its household reached — also one left uncertain by a
// crash mid-call, which then leaves the door-to-door list.
func (sv *Server) householdDelivered(ctx context.Context, trackingID string, at time.Time) error {
	found, err := sv.store.ZNSDelivered(ctx, trackingID, at)
	if err == nil && !found {
		sv.log.Debug("zns: delivered, not a household's message", "tracking_id", trackingID, "at", at)
	}
	return err
}
