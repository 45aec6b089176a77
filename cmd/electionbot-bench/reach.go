package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"electionbot/bot/sms/smstest"
	"electionbot/bot/zalo/zalotest"
	"electionbot/bot/zns/znstest"
	"electionbot/demo"
	"electionbot/internal/loadtest"
	"electionbot/models"
)

// reach: an announcement to --reach-households households of the voter
// list that never wrote to the bot, through the households' cascade (issue
// 19) of a child `electionbot serve` (--electionbot): 70% on Zalo (ZNS),
// 20% not on Zalo (ZNS refuses, then SMS), 10% without a phone (the
// door-to-door list). The fakes of ZNS and of an SMS gateway run in this
// process. Measured: the pace of the ZNS and SMS calls (first to last) as
// a fraction of ZNS_RATE and SMS_RATE, the paid messages a second as a
// fraction of BROADCAST_RATE, and the child's peak RSS.
func (b *bench) reach(ctx context.Context) error {
	n := b.opt.reachHouseholds
	onZalo, offZalo := n*7/10, n*2/10
	b.logf("reach: %d households (%d on Zalo, %d not, %d without a phone) at ZNS_RATE=%v, SMS_RATE=%v, BROADCAST_RATE=%v",
		n, onZalo, offZalo, n-onZalo-offZalo, b.opt.znsRate, b.opt.smsRate, b.opt.reachRate)
	tb := &cleanupTB{}
	defer tb.cleanup()
	nf, sf, zf := znstest.New(tb), smstest.New(tb), zalotest.New(tb)
	nf.SetToken(func() string { a, _ := zf.Tokens(); return a })
	sc, st, err := b.store(ctx, "reach", func(ctx context.Context, s *models.Store) error {
		return seedReach(ctx, s, n, onZalo, offZalo, nf)
	})
	if err != nil {
		return err
	}
	defer st.Close()
	dir, err := os.MkdirTemp("", "electionbot-bench-reach-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fake := b.fakeBotAPI(b.opt.reachRate)
	defer fake.Close()
	env := telegramEnv(fake)
	rate := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for k, v := range map[string]string{
		"DATABASE_URL": sc.URL, "BROADCAST_RATE": rate(b.opt.reachRate), "QUIET_HOURS": "off", "BROADCAST_COST_CEILING_VND": "0",
		"ZALO_APP_ID": zalotest.AppID, "ZALO_APP_SECRET": zalotest.AppSecret, "ZALO_OA_SECRET_KEY": zalotest.OASecretKey,
		"ZALO_ACCESS_TOKEN": zalotest.FirstAccess, "ZALO_REFRESH_TOKEN": zalotest.FirstRefresh,
		"ZALO_API_ENDPOINT": zf.Endpoint(), "ZALO_OAUTH_ENDPOINT": zf.Endpoint(),
		"ZNS_ENDPOINT": nf.Endpoint(), "ZNS_TEMPLATE_NOTICE": "301234", "ZNS_RATE": rate(b.opt.znsRate),
		"SMS_URL": sf.URL + smstest.SendPath, "SMS_BODY": sf.Config().Body, "SMS_OK": `"queued"`,
		"SMS_HEADERS": "Authorization: Bearer " + smstest.Key, "SMS_RATE": rate(b.opt.smsRate), "SMS_MAX_GSM": "1530",
	} {
		env[k] = v
	}
	child, err := startChildServe(ctx, b.opt.electionbot, dir, "reach", env, func() bool { u, _ := fake.Webhook(); return u != "" })
	if err != nil {
		return err
	}
	defer child.stop()
	idle, err := loadtest.ReadProcMem(child.cmd.Process.Pid)
	if err != nil {
		return err
	}
	e, err := st.CurrentElection(ctx)
	if err != nil {
		return err
	}
	admin, err := st.EnsureContact(ctx, &models.Contact{Channel: models.ChannelConsole, ExternalID: "bench-admin", Lang: "vi"})
	if err != nil {
		return err
	}
	bc := &models.Broadcast{ElectionID: e.ID, Kind: models.BroadcastAnnouncement, Audience: models.AudienceAll,
		Body:   "Kính mời các hộ gia đình dự họp bầu Trưởng khu phố, 07:00 Chủ nhật tại nhà văn hóa khu phố.",
		Status: models.BroadcastQueued, Source: "cli", CreatedBy: &admin.ID}
	queued := time.Now()
	if err := st.CreateBroadcast(ctx, bc); err != nil {
		return err
	}
	want := onZalo + offZalo // every household with a phone: by ZNS, or SMS after ZNS
	slowest := min(b.opt.znsRate, b.opt.smsRate, b.opt.reachRate)
	deadline := time.Now().Add(time.Duration(float64(n)/slowest*1.5*float64(time.Second)) + 2*time.Minute)
	var peak int64
	var znsOK, smsOK int
	for {
		znsOK, smsOK = countOK(nf.Calls()), countSent(sf.Calls())
		if m, err := loadtest.ReadProcMem(child.cmd.Process.Pid); err == nil {
			peak = max(peak, m.RSS)
		}
		if znsOK+smsOK >= want {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("reach: %d ZNS + %d SMS of %d households after %s", znsOK, smsOK, want, time.Since(queued).Round(time.Second))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	took := time.Since(queued)
	zc, scs := nf.Calls(), sf.Calls()
	zPace := pace(len(zc), zc[0].At, zc[len(zc)-1].At)
	sPace := pace(len(scs), scs[0].At, scs[len(scs)-1].At)
	all := pace(len(zc)+len(scs), minTime(zc[0].At, scs[0].At), maxTime(zc[len(zc)-1].At, scs[len(scs)-1].At))
	dups := 0
	perPhone := map[string]int{}
	for _, c := range zc {
		if c.OK() {
			perPhone[c.Phone]++
		}
	}
	for _, c := range scs {
		if c.Sent() {
			perPhone[c.To]++
		}
	}
	for _, k := range perPhone {
		dups += k - 1
	}
	b.add(loadtest.Row{
		Name: fmt.Sprintf("households' cascade: %s households (70%% ZNS, 20%% ZNS→SMS, 10%% no phone), child serve → fake ZNS and SMS gateway", loadtest.Thousands(int64(n))),
		Measured: fmt.Sprintf("ZNS **%.2f** of ZNS_RATE=%v (%.0f calls/s, %s calls, %s accepted); SMS **%.2f** of SMS_RATE=%v (%.0f/s, %s sent); all calls %.0f/s = **%.2f** of BROADCAST_RATE=%v; %d households twice; %s after queueing; RSS idle %s, peak %s",
			zPace/b.opt.znsRate, b.opt.znsRate, zPace, loadtest.Thousands(int64(len(zc))), loadtest.Thousands(int64(znsOK)),
			sPace/b.opt.smsRate, b.opt.smsRate, sPace, loadtest.Thousands(int64(smsOK)),
			all, all/b.opt.reachRate, b.opt.reachRate, dups, took.Round(time.Second), loadtest.MiB(idle.RSS), loadtest.MiB(peak)),
		Bound:  "ZNS_RATE, SMS_RATE (the senders' own pace) and BROADCAST_RATE (the outbox's, all channels)",
		Target: "every household with a phone once",
		Met:    loadtest.Bool(znsOK == onZalo && smsOK == offZalo && dups == 0),
	})
	return nil
}

// seedReach is the demo election with its voter list replaced by n
// households over its areas: the first onZalo with a phone on Zalo, the
// next offZalo with a phone Zalo does not know, the rest without a phone.
func seedReach(ctx context.Context, s *models.Store, n, onZalo, offZalo int, nf *znstest.Server) error {
	if err := demo.Load(ctx, s); err != nil {
		return err
	}
	e, err := s.CurrentElection(ctx)
	if err != nil {
		return err
	}
	areas, err := s.Areas(ctx, e.ID)
	if err != nil {
		return err
	}
	if err := s.DB(ctx).Exec("DELETE FROM voters").Error; err != nil {
		return err
	}
	vs := make([]*models.Voter, 0, 1000)
	for i := 0; i < n; i++ {
		v := &models.Voter{AreaID: areas[i%len(areas)].ID, HouseholdNo: strconv.Itoa(i + 1),
			FullName: "Nguyễn Văn Hộ", NameFolded: "nguyen van ho", BirthYear: 1960, Address: "Số " + strconv.Itoa(i+1)}
		if i < onZalo+offZalo {
			p := fmt.Sprintf("+8497%07d", i)
			v.Phone = &p
			if i >= onZalo {
				nf.NotOnZalo(p[1:])
			}
		}
		vs = append(vs, v)
		if len(vs) == cap(vs) || i == n-1 {
			if err := s.DB(ctx).CreateInBatches(vs, 1000).Error; err != nil {
				return err
			}
			vs = vs[:0]
		}
	}
	return nil
}

func countOK(cs []znstest.Call) int {
	n := 0
	for _, c := range cs {
		if c.OK() {
			n++
		}
	}
	return n
}

func countSent(cs []smstest.Call) int {
	n := 0
	for _, c := range cs {
		if c.Sent() {
			n++
		}
	}
	return n
}

func pace(n int, first, last time.Time) float64 {
	if n < 2 || !last.After(first) {
		return 0
	}
	return float64(n-1) / last.Sub(first).Seconds()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// cleanupTB is what the fakes' New needs of a test outside one: their
// Cleanup, run when the part ends. Any other method is not for it.
type cleanupTB struct {
	testing.TB
	fns []func()
}

func (t *cleanupTB) Cleanup(f func()) { t.fns = append(t.fns, f) }
func (t *cleanupTB) Helper()          {}

func (t *cleanupTB) cleanup() {
	for i := len(t.fns) - 1; i >= 0; i-- {
		t.fns[i]()
	}
}
