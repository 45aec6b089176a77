package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// InviteTTL is how long an invite stays valid.
const InviteTTL = 72 * time.Hour

// InvitePrefix starts every invite code, so that "/start <code>" is told
// apart from "/start kp1". Codes use only characters Telegram allows in a
// deep-link start parameter ([A-Za-z0-9_-], at most 64).
const InvitePrefix = "inv_"

// Invite is a one-time designation: whoever opens it first (before it
// expires) gets the role, for the area (reporter) or the ward (viewer,
// admin). Only the SHA-256 of the code is stored.
type Invite struct {
	ID        int64 `gorm:"primaryKey"`
	CodeHash  string
	Role      string
	WardID    *int64
	AreaID    *int64
	CreatedBy *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    *int64
}

// IsInviteCode reports whether s has the shape of an invite code.
func IsInviteCode(s string) bool {
	return strings.HasPrefix(s, InvitePrefix) && len(s) > len(InvitePrefix)+8 && len(s) <= 64
}

func hashInviteCode(code string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(code)))
	return hex.EncodeToString(sum[:])
}

var inviteEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// CreateInvite stores a new invite (Role, WardID/AreaID and CreatedBy from
// inv; the times are set here: now and now + InviteTTL) and returns its
// code, which is not stored and cannot be shown again. Audited.
func (s Roles) CreateInvite(ctx context.Context, inv *Invite) (string, error) {
	switch inv.Role {
	case RoleReporter:
		if inv.AreaID == nil {
			return "", Errorf(EINVALID, "a reporter invite needs an area")
		}
	case RoleViewer, RoleAdmin:
	default:
		return "", Errorf(EINVALID, "unknown role %q", inv.Role)
	}
	buf := make([]byte, 15) // 120 bits
	if _, err := rand.Read(buf); err != nil {
		return "", Wrap(EINTERNAL, err, "invite code")
	}
	code := InvitePrefix + strings.ToLower(inviteEncoding.EncodeToString(buf))
	inv.ID = 0
	inv.CodeHash = hashInviteCode(code)
	inv.CreatedAt = s.now()
	inv.ExpiresAt = inv.CreatedAt.Add(InviteTTL)
	inv.UsedAt, inv.UsedBy = nil, nil
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.DB(ctx).Create(inv).Error; err != nil {
			return Wrap(EINTERNAL, err, "create invite")
		}
		return tx.Audit(ctx, &AuditEvent{ContactID: inv.CreatedBy, Action: "invite.create", Subject: inv.Role,
			Detail: fmt.Sprintf("invite=%d %s expires=%s", inv.ID, scopeDetail(inv.WardID, inv.AreaID), inv.ExpiresAt.Format(time.RFC3339)), OK: true})
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// RedeemInvite uses an invite for a contact and grants its role, in one
// transaction. An unknown code is ENOTFOUND, a used one ECONFLICT (also
// when two people open it at once: only one wins), an expired one
// EINVALID; every attempt is audited.
func (s Roles) RedeemInvite(ctx context.Context, code string, contactID int64) (*Invite, error) {
	var out *Invite
	var refused error
	err := s.InTx(ctx, func(tx *Store) error {
		var inv Invite
		err := tx.DB(ctx).Where("code_hash = ?", hashInviteCode(code)).Take(&inv).Error
		if err != nil {
			refused = notFound(err, "unknown invite")
			if ErrorCode(refused) == EINTERNAL {
				return refused
			}
			return tx.Audit(ctx, &AuditEvent{ContactID: &contactID, Action: "invite.redeem", Subject: "unknown", OK: false})
		}
		now := tx.now()
		switch {
		case inv.UsedAt != nil:
			refused = Errorf(ECONFLICT, "invite %d already used", inv.ID)
		case !now.Before(inv.ExpiresAt.UTC()):
			refused = Errorf(EINVALID, "invite %d expired at %s", inv.ID, inv.ExpiresAt.UTC().Format(time.RFC3339))
		}
		if refused == nil {
			res := tx.DB(ctx).Model(&Invite{}).Where("id = ? AND used_at IS NULL", inv.ID).
				Updates(map[string]any{"used_at": now, "used_by": contactID})
			if res.Error != nil {
				return Wrap(EINTERNAL, res.Error, "redeem invite %d", inv.ID)
			}
			if res.RowsAffected != 1 {
				refused = Errorf(ECONFLICT, "invite %d already used", inv.ID)
			}
		}
		if refused != nil {
			return tx.Audit(ctx, &AuditEvent{ContactID: &contactID, Action: "invite.redeem", Subject: inv.Role,
				Detail: fmt.Sprintf("invite=%d refused=%s", inv.ID, ErrorCode(refused)), OK: false})
		}
		inv.UsedAt, inv.UsedBy = &now, &contactID
		if err := tx.Audit(ctx, &AuditEvent{ContactID: &contactID, Action: "invite.redeem", Subject: inv.Role,
			Detail: fmt.Sprintf("invite=%d created_by=%s", inv.ID, idDetail(inv.CreatedBy)), OK: true}); err != nil {
			return err
		}
		g := &RoleGrant{ContactID: &contactID, Role: inv.Role, WardID: inv.WardID, AreaID: inv.AreaID, GrantedBy: inv.CreatedBy}
		if err := tx.Grant(ctx, g); err != nil {
			return err
		}
		out = &inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

func scopeDetail(wardID, areaID *int64) string {
	var parts []string
	if wardID != nil {
		parts = append(parts, fmt.Sprintf("ward=%d", *wardID))
	}
	if areaID != nil {
		parts = append(parts, fmt.Sprintf("area=%d", *areaID))
	}
	return strings.Join(parts, " ")
}

func idDetail(id *int64) string {
	if id == nil {
		return "-"
	}
	return fmt.Sprint(*id)
}
