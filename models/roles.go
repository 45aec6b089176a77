package models

import (
	"context"
	"fmt"
	"strings"
)

// Grant gives a contact a role (for a ward or an area) and audits it. A
// grant that already exists and is not revoked is left as it is.
func (s Roles) Grant(ctx context.Context, g *RoleGrant) error {
	return s.InTx(ctx, func(tx *Store) error {
		q := tx.DB(ctx).Model(&RoleGrant{}).Where("role = ? AND revoked_at IS NULL", g.Role)
		q = whereOptional(q, "contact_id", g.ContactID)
		q = whereOptional(q, "phone", g.Phone)
		q = whereOptional(q, "ward_id", g.WardID)
		q = whereOptional(q, "area_id", g.AreaID)
		var n int64
		if err := q.Count(&n).Error; err != nil {
			return Wrap(EINTERNAL, err, "grant %s", g.Role)
		}
		if n > 0 {
			return nil
		}
		g.CreatedAt = tx.now()
		if err := tx.DB(ctx).Create(g).Error; err != nil {
			return Wrap(EINTERNAL, err, "grant %s", g.Role)
		}
		return tx.Audit(ctx, &AuditEvent{ContactID: g.GrantedBy, Action: "role.grant", Subject: g.Role, Detail: grantDetail(g), OK: true})
	})
}

// ActiveGrants lists a contact's roles that are not revoked.
func (s Roles) ActiveGrants(ctx context.Context, contactID int64) ([]*RoleGrant, error) {
	var gs []*RoleGrant
	if err := s.DB(ctx).Where("contact_id = ? AND revoked_at IS NULL", contactID).Order("id").Find(&gs).Error; err != nil {
		return nil, Wrap(EINTERNAL, err, "roles of contact %d", contactID)
	}
	return gs, nil
}

func whereOptional(q *gormDB, col string, v any) *gormDB {
	switch p := v.(type) {
	case *int64:
		if p == nil {
			return q.Where(col + " IS NULL")
		}
		return q.Where(col+" = ?", *p)
	case *string:
		if p == nil {
			return q.Where(col + " IS NULL")
		}
		return q.Where(col+" = ?", *p)
	}
	return q
}

func grantDetail(g *RoleGrant) string {
	var parts []string
	if g.ContactID != nil {
		parts = append(parts, fmt.Sprintf("contact=%d", *g.ContactID))
	}
	if g.Phone != nil {
		parts = append(parts, "phone="+MaskPhone(*g.Phone)) // never in clear: MaskPhone
	}
	if g.WardID != nil {
		parts = append(parts, fmt.Sprintf("ward=%d", *g.WardID))
	}
	if g.AreaID != nil {
		parts = append(parts, fmt.Sprintf("area=%d", *g.AreaID))
	}
	return strings.Join(parts, " ")
}

// GrantHolder is an active grant with its contact (nil while a phone
// grant waits for its owner to share the number).
type GrantHolder struct {
	Grant   *RoleGrant
	Contact *Contact
}

// RevokeGrant ends an active grant and audits who revoked it. Revoking a
// grant that is already revoked is ENOTFOUND.
func (s Roles) RevokeGrant(ctx context.Context, id int64, by *int64) (*RoleGrant, error) {
	var g RoleGrant
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.DB(ctx).Where("id = ? AND revoked_at IS NULL", id).Take(&g).Error; err != nil {
			return notFound(err, "no active grant %d", id)
		}
		now := tx.now()
		res := tx.DB(ctx).Model(&RoleGrant{}).Where("id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": now, "revoked_by": by})
		if res.Error != nil {
			return Wrap(EINTERNAL, res.Error, "revoke grant %d", id)
		}
		if res.RowsAffected != 1 {
			return Errorf(ENOTFOUND, "no active grant %d", id)
		}
		g.RevokedAt, g.RevokedBy = &now, by
		return tx.Audit(ctx, &AuditEvent{ContactID: by, Action: "role.revoke", Subject: g.Role,
			Detail: fmt.Sprintf("grant=%d %s", g.ID, grantDetail(&g)), OK: true})
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// ClaimPhoneGrants gives a contact the grants waiting for its phone (E.164),
// now that the channel vouched the number is theirs. It returns the claimed
// grants (none: nothing was waiting) and audits each.
func (s Roles) ClaimPhoneGrants(ctx context.Context, contactID int64, phone string) ([]*RoleGrant, error) {
	var gs []*RoleGrant
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.DB(ctx).Where("phone = ? AND contact_id IS NULL AND revoked_at IS NULL", phone).Order("id").Find(&gs).Error; err != nil {
			return Wrap(EINTERNAL, err, "grants of a phone")
		}
		for _, g := range gs {
			res := tx.DB(ctx).Model(&RoleGrant{}).Where("id = ? AND contact_id IS NULL", g.ID).Update("contact_id", contactID)
			if res.Error != nil {
				return Wrap(EINTERNAL, res.Error, "claim grant %d", g.ID)
			}
			g.ContactID = &contactID
			if err := tx.Audit(ctx, &AuditEvent{ContactID: &contactID, Action: "role.claim", Subject: g.Role,
				Detail: fmt.Sprintf("grant=%d %s", g.ID, grantDetail(g)), OK: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gs, nil
}

// AreaGrants lists the active grants of a role for some areas (all roles
// when role is ""), with their contacts, by area then grant id.
func (s Roles) AreaGrants(ctx context.Context, areaIDs []int64, role string) ([]*GrantHolder, error) {
	var gs []*RoleGrant
	ids := uniqueIDs(areaIDs)
	for len(ids) > 0 {
		n := min(len(ids), 500)
		q := s.DB(ctx).Where("area_id IN ? AND revoked_at IS NULL", ids[:n])
		if role != "" {
			q = q.Where("role = ?", role)
		}
		var part []*RoleGrant
		if err := q.Order("area_id, id").Find(&part).Error; err != nil {
			return nil, Wrap(EINTERNAL, err, "grants of areas")
		}
		gs = append(gs, part...)
		ids = ids[n:]
	}
	return s.holders(ctx, gs)
}

// ElectionReporters lists the active reporter grants of every area of an
// election, with their contacts (one query for the grants).
func (s Roles) ElectionReporters(ctx context.Context, electionID int64) ([]*GrantHolder, error) {
	var gs []*RoleGrant
	err := s.DB(ctx).Joins("JOIN areas ON areas.id = role_grants.area_id").
		Where("areas.election_id = ? AND role_grants.role = ? AND role_grants.revoked_at IS NULL", electionID, RoleReporter).
		Order("role_grants.area_id, role_grants.id").Find(&gs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "reporters of election %d", electionID)
	}
	return s.holders(ctx, gs)
}

// WardGrants lists the active grants of a role for a ward, including those
// for every ward (ward_id NULL), with their contacts.
func (s Roles) WardGrants(ctx context.Context, wardID int64, role string) ([]*GrantHolder, error) {
	var gs []*RoleGrant
	err := s.DB(ctx).Where("role = ? AND revoked_at IS NULL AND area_id IS NULL AND (ward_id = ? OR ward_id IS NULL)", role, wardID).
		Order("id").Find(&gs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "%s grants of ward %d", role, wardID)
	}
	return s.holders(ctx, gs)
}

// ElectionGrants lists the active ward-level grants of role that cover
// some ward of an election: those of its wards and those of every ward
// (province/city officials, ward_id NULL).
func (s Roles) ElectionGrants(ctx context.Context, electionID int64, role string) ([]*GrantHolder, error) {
	var gs []*RoleGrant
	wards := s.DB(ctx).Model(&Area{}).Distinct("ward_id").Where("election_id = ?", electionID)
	err := s.DB(ctx).Where("role = ? AND revoked_at IS NULL AND area_id IS NULL AND (ward_id IS NULL OR ward_id IN (?))", role, wards).
		Order("id").Find(&gs).Error
	if err != nil {
		return nil, Wrap(EINTERNAL, err, "%s grants of election %d", role, electionID)
	}
	return s.holders(ctx, gs)
}

func (s Roles) holders(ctx context.Context, gs []*RoleGrant) ([]*GrantHolder, error) {
	var ids []int64
	for _, g := range gs {
		if g.ContactID != nil {
			ids = append(ids, *g.ContactID)
		}
	}
	cs, err := s.ContactsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*GrantHolder, len(gs))
	for i, g := range gs {
		out[i] = &GrantHolder{Grant: g}
		if g.ContactID != nil {
			out[i].Contact = cs[*g.ContactID]
		}
	}
	return out, nil
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
