package cli

import (
	"context"
	"errors"
	"time"

	"electionbot/bot/intake"
	"electionbot/bot/sms"
	"electionbot/bot/zns"
	"electionbot/models"
)

// reach is serve's side of the channels that reach a household by its
// phone (issue 19): the ZNS and SMS senders on the outbox, ZNS delivery
// receipts and SMS replies.
type reach struct {
	zns        *zns.Sender
	sms        *sms.Sender
	deliveries *zns.Deliveries
	hooks      ReachHooks
}

// ReachHooks are what the replies of the phone channels do
// (ServerOptions.Reach; the cascade of issue 19 sets them).
type ReachHooks struct {
	// Delivered records that the ZNS message sent with trackingID reached
	// the phone at at; an error makes Zalo post the receipt again. nil:
	// the household's ledger row is marked delivered (householdDelivered).
	Delivered func(ctx context.Context, trackingID string, at time.Time) error
	// OptOut stops every message to the household of phone (84…), which
	// answered an SMS STOP / TU CHOI; an error makes the gateway post the
	// reply again. nil: the messages pending to that phone on ZNS and SMS
	// are closed.
	OptOut func(ctx context.Context, phone string) error
}

// ZNS is the ZNS sender registered on the outbox (channel "zns"); nil
// when ZNS is off.
func (sv *Server) ZNS() *zns.Sender { return sv.reach.zns }

// SMS is the SMS sender registered on the outbox (channel "sms"); nil
// when no gateway is configured.
func (sv *Server) SMS() *sms.Sender { return sv.reach.sms }

// addReach registers the ZNS and SMS senders with the outbox (building
// it when no chat channel did) and mounts their webhooks: /zns/webhook
// (receipts also arrive on /zalo/webhook) and, with SMS_INBOUND_TOKEN,
// /sms/inbound. ZNS needs the Zalo channel (its token): call after
// addZalo.
func (sv *Server) addReach(ctx context.Context, opt ServerOptions) error {
	r := &sv.cfg.ReachConfig
	sv.reach.hooks = opt.Reach
	if !r.ZNSEnabled() && !r.SMSEnabled() {
		return nil
	}
	if sv.outbox == nil {
		if _, err := sv.newOutbox(ctx, opt); err != nil {
			return err
		}
	}
	if r.ZNSEnabled() {
		if sv.zalo == nil {
			return &ConfigError{"ZNS_TEMPLATE_NOTICE", "ZNS sends with the Zalo Official Account's token: set the ZALO_* variables too"}
		}
		s, err := zns.New(zns.Config{
			Endpoint: r.ZNSEndpoint, Token: sv.zalo.AccessToken, Renew: sv.zalo.RenewAccessToken,
			Rate: r.ZNSRate, HTTPClient: apiClient(), Logger: sv.log,
		})
		if err != nil {
			return err
		}
		sv.reach.zns = s
		sv.reach.deliveries = &zns.Deliveries{
			AppID: sv.cfg.ZaloAppID, OASecretKey: sv.cfg.ZaloOASecretKey,
			Delivered: sv.znsDelivered, Logger: sv.log, Registerer: sv.reg,
			Limits: intake.NewBodyLimits(sv.cfg.WebhookMaxBodies, sv.cfg.WebhookBodyTimeout),
		}
		sv.outbox.Register(zns.Channel, s)
		sv.mux.Handle("POST "+zns.WebhookPath, sv.reach.deliveries.Handler())
		sv.log.Info("zns: ready", "endpoint", r.ZNSEndpoint, "rate", r.ZNSRate,
			"template_reminder", r.ZNSTemplateReminder, "template_notice", r.ZNSTemplateNotice)
	}
	if r.SMSEnabled() {
		sc, err := r.smsConfig()
		if err != nil {
			return err
		}
		sc.HTTPClient, sc.Logger = apiClient(), sv.log
		s, err := sms.New(sc)
		if err != nil {
			return err
		}
		sv.reach.sms = s
		sv.outbox.Register(sms.Channel, s)
		if r.SMSInboundToken != "" {
			in := &sms.Inbound{Token: r.SMSInboundToken, OptOut: sv.smsOptOut, Logger: sv.log}
			sv.mux.Handle(sms.InboundPath, in.Handler())
		} else {
			sv.log.Warn("SMS_INBOUND_TOKEN is not set: replies STOP / TU CHOI to the SMS are not taken")
		}
		sv.log.Info("sms: ready", "rate", r.SMSRate, "max_gsm", r.SMSMaxGSM)
	}
	return nil
}

// otherZaloEvents gives the Zalo channel's unhandled events to ZNS (its
// delivery receipts come to the OA's webhook).
func (sv *Server) otherZaloEvents(ctx context.Context, body []byte) (bool, error) {
	if sv.reach.deliveries == nil {
		return false, nil
	}
	return sv.reach.deliveries.HandleEvent(ctx, body)
}

func (sv *Server) znsDelivered(ctx context.Context, trackingID string, at time.Time) error {
	if sv.reach.hooks.Delivered != nil {
		return sv.reach.hooks.Delivered(ctx, trackingID, at)
	}
	sv.log.Debug("zns: delivered", "tracking_id", trackingID, "at", at)
	return nil
}

func (sv *Server) smsOptOut(ctx context.Context, phone string) error {
	if sv.reach.hooks.OptOut != nil {
		return sv.reach.hooks.OptOut(ctx, phone)
	}
	var errs []error
	for _, ch := range []string{zns.Channel, sms.Channel} {
		_, err := sv.store.OutboxCloseChat(ctx, ch, phone, models.OutboxUnreachable, "opted out by SMS")
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
