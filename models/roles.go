package models

import (
	"context"
	"fmt"
	"strings"
)

// Grant gives a contact a role (for a ward or an area) and audits it. A
// grant that already exists and is not revoked is left as it is.
func (s *Store) Grant(ctx context.Context, g *RoleGrant) error {
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
func (s *Store) ActiveGrants(ctx context.Context, contactID int64) ([]*RoleGrant, error) {
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
		parts = append(parts, "phone="+*g.Phone)
	}
	if g.WardID != nil {
		parts = append(parts, fmt.Sprintf("ward=%d", *g.WardID))
	}
	if g.AreaID != nil {
		parts = append(parts, fmt.Sprintf("area=%d", *g.AreaID))
	}
	return strings.Join(parts, " ")
}
