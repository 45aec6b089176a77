package zns

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"electionbot/bot/outbox"
)

// Error codes of the ZNS API the channel acts on (the answer's "error"
// field; 0 is success), as Zalo's table of ZNS errors lists them
// (zalo.cloud/zns/guidelines/handle-error-code).
const (
	ErrUnknown          = -100 // "Unknown error": try again later
	ErrPhoneInvalid     = -108 // the phone is not a valid number
	ErrTemplateID       = -109 // no such template
	ErrZaloVersion      = -110 // the user's Zalo app is too old
	ErrTemplateEmpty    = -111 // template data empty
	ErrTemplateData     = -112 // template data invalid (a missing or too long parameter)
	ErrButton           = -113 // a button of the template is invalid
	ErrUserInactive     = -114 // inactive user, refused ZNS, outdated app…
	ErrQuota            = -115 // out of quota: the ZNS account's balance is spent
	ErrText             = -116 // text invalid
	ErrTemplateDenied   = -117 // the OA or app may not use this template
	ErrNoZaloAccount    = -118 // no Zalo account for this phone (or deactivated)
	ErrCannotReceive    = -119 // the account cannot receive ZNS
	ErrTokenInvalid     = -124 // the access token is invalid or expired
	ErrNight            = -133 // this template may not be sent at night (22:00–06:00)
	ErrUserRefusedType  = -139 // the user refused this type of ZNS
	ErrUserRefusedOA    = -141 // the user refused ZNS of this OA
	ErrDailyQuota       = -144 // the OA's daily quota is spent
	ErrTemplateDailyCap = -147 // the template's daily quota is spent
	// ErrTokenOA is the OA API's "access token invalid", which some
	// gateways in front of ZNS answer too.
	ErrTokenOA = -216
)

// Codes of the outbox errors (SendError.Code): what the cascade (h5,
// issue 19) acts on.
const (
	CodeQuota    = "zns-quota"    // Exhausted: no more ZNS until the quota is renewed; fall through to SMS, tell the admin
	CodeNoUser   = "zns-nouser"   // Unreachable: this phone cannot get ZNS; fall through to SMS for this household
	CodeTemplate = "zns-template" // Permanent: the template or its data is refused; stop, tell the admin
	CodeConfig   = "zns-config"   // Exhausted: the app or OA may not send ZNS at all
	CodeNight    = "zns-night"    // RateLimited until 06:00 (Vietnam)
)

// hcm is Vietnam's time (no daylight saving: a fixed zone is exact).
var hcm = time.FixedZone("ICT", 7*3600)

// classify maps a call's result to the outbox's kinds:
//   - success: nil;
//   - network errors, unreadable answers, 5xx, -100 (unknown), a token
//     still refused after a renewal: Temporary;
//   - HTTP 429: RateLimited after Retry-After [30s];
//   - -133 (not at night): RateLimited until 06:00 Vietnam time;
//   - -115, -144, -147 (quota spent): Exhausted, CodeQuota;
//   - -108, -110, -114, -118, -119, -139, -141 (this phone cannot get
//     ZNS): Unreachable, CodeNoUser;
//   - -109, -111, -112, -113, -116, -117 (template refused): Permanent,
//     CodeTemplate;
//   - -101…-107, -120, -125, -135, -138, -140 (the app or OA may not
//     send ZNS): Exhausted, CodeConfig;
//   - any other error code: Permanent, "zns-<code>".
func (s *Sender) classify(r result) *outbox.SendError {
	switch {
	case r.err != nil && r.status == 0:
		return &outbox.SendError{Kind: outbox.Temporary, Code: "network", Err: r.err}
	case r.status == http.StatusTooManyRequests:
		wait := r.retryAfter
		if wait <= 0 {
			wait = 30 * time.Second
		}
		return &outbox.SendError{Kind: outbox.RateLimited, Code: "429", RetryAfter: wait, Err: fmt.Errorf("zns: HTTP 429")}
	case r.status >= 500:
		return &outbox.SendError{Kind: outbox.Temporary, Code: strconv.Itoa(r.status), Err: fmt.Errorf("zns: HTTP %d", r.status)}
	case r.err != nil:
		return &outbox.SendError{Kind: outbox.Temporary, Code: "bad_response", Err: r.err}
	case r.code == 0 && r.status == http.StatusOK:
		return nil
	case r.code == 0:
		return &outbox.SendError{Kind: outbox.Permanent, Code: strconv.Itoa(r.status), Err: fmt.Errorf("zns: HTTP %d", r.status)}
	}
	err := &APIError{Code: r.code, Message: r.message}
	se := &outbox.SendError{Err: err}
	switch r.code {
	case ErrUnknown, ErrTokenInvalid, ErrTokenOA:
		se.Kind, se.Code = outbox.Temporary, "zns"+strconv.Itoa(r.code)
	case ErrNight:
		se.Kind, se.Code, se.RetryAfter = outbox.RateLimited, CodeNight, untilMorning(s.cfg.Now())
	case ErrQuota, ErrDailyQuota, ErrTemplateDailyCap:
		se.Kind, se.Code = outbox.Exhausted, CodeQuota
	case ErrPhoneInvalid, ErrZaloVersion, ErrUserInactive, ErrNoZaloAccount, ErrCannotReceive, ErrUserRefusedType, ErrUserRefusedOA:
		se.Kind, se.Code = outbox.Unreachable, CodeNoUser
	case ErrTemplateID, ErrTemplateEmpty, ErrTemplateData, ErrButton, ErrText, ErrTemplateDenied:
		se.Kind, se.Code = outbox.Permanent, CodeTemplate
	case -101, -102, -103, -104, -105, -106, -107, -120, -125, -135, -138, -140:
		se.Kind, se.Code = outbox.Exhausted, CodeConfig
	default:
		se.Kind, se.Code = outbox.Permanent, "zns"+strconv.Itoa(r.code)
	}
	return se
}

// untilMorning is how long from now until 06:00 in Vietnam (and a minute).
func untilMorning(now time.Time) time.Duration {
	l := now.In(hcm)
	six := time.Date(l.Year(), l.Month(), l.Day(), 6, 1, 0, 0, hcm)
	if !six.After(l) {
		six = six.AddDate(0, 0, 1)
	}
	return six.Sub(l)
}

// APIError is an answer of the ZNS API with a non-zero error code.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("zns: error %d: %s", e.Code, e.Message) }
