package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// Care teams, sharing grants, notices and supporters (careteam), and the
// access.Facts the checker reads on every request.
//
// Facts read through db.read and never cache. On PostgreSQL db.read is the
// primary's pool (replicas serve reports only), and on SQLite it is a read
// connection to the same file, which sees every committed write: either way
// a revoked grant or an ended membership holds on the very next request.

var _ access.Facts = (*DB)(nil)

// Relationship loads what ties actor to personID for the access checker. A
// person who does not exist gives Exists false.
func (db *DB) Relationship(ctx context.Context, actor tend.Actor, personID tend.ID) (access.Relationship, error) {
	q := db.read
	var teamID string
	err := q.QueryRowContext(ctx, `SELECT team_id FROM people WHERE id = $1`, string(personID)).Scan(&teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return access.Relationship{}, nil
	}
	if err != nil {
		return access.Relationship{}, fmt.Errorf("store: relationship: person: %w", err)
	}
	rel := access.Relationship{Exists: true}
	switch actor.Kind {
	case tend.KindPerson:
		rel.Self = actor.ID == personID
	case tend.KindSupporter:
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM supporters WHERE id = $1 AND person_id = $2 AND ended_at IS NULL`,
			string(actor.ID), string(personID)).Scan(&n); err != nil {
			return rel, fmt.Errorf("store: relationship: supporter: %w", err)
		}
		if n == 0 {
			return rel, nil
		}
		rel.Supporter = true
		if rel.SupporterItems, err = supporterItems(ctx, q, actor.ID); err != nil {
			return rel, err
		}
	case tend.KindStaff:
		role, err := activeStaffRole(ctx, q, actor.ID)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return rel, nil // a disabled or unknown account relates to nobody
		}
		if err != nil {
			return rel, err
		}
		if rel.Memberships, err = staffMemberships(ctx, q, personID, actor.ID); err != nil {
			return rel, err
		}
		if role == tend.RoleLead {
			if rel.LeadOfTeam, err = inTeam(ctx, q, actor.ID, teamID); err != nil {
				return rel, err
			}
		}
		// The duty team reaches a person only while a task routed to it is
		// open (DESIGN.md "Who sees what").
		if rel.DutyTaskOpen, err = dutyTaskOpen(ctx, q, personID, actor.ID); err != nil {
			return rel, err
		}
	}
	return rel, nil
}

// TeamRelationship loads what ties actor to teamID: whether they lead it.
func (db *DB) TeamRelationship(ctx context.Context, actor tend.Actor, teamID tend.ID) (access.Relationship, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = $1`, string(teamID)).Scan(&n); err != nil {
		return access.Relationship{}, fmt.Errorf("store: team relationship: %w", err)
	}
	if n == 0 {
		return access.Relationship{}, nil
	}
	rel := access.Relationship{Exists: true}
	if actor.Kind != tend.KindStaff {
		return rel, nil
	}
	role, err := activeStaffRole(ctx, db.read, actor.ID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return rel, nil
	}
	if err != nil {
		return rel, err
	}
	if role == tend.RoleLead {
		rel.LeadOfTeam, err = inTeam(ctx, db.read, actor.ID, string(teamID))
	}
	return rel, err
}

func inTeam(ctx context.Context, q querier, staffID tend.ID, teamID string) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_teams WHERE staff_id = $1 AND team_id = $2`, string(staffID), teamID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: staff team: %w", err)
	}
	return n > 0, nil
}

func activeStaffRole(ctx context.Context, q querier, staffID tend.ID) (tend.Role, error) {
	var role string
	err := q.QueryRowContext(ctx, `SELECT role FROM staff WHERE id = $1 AND disabled_at IS NULL`, string(staffID)).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: staff role: %w", err)
	}
	return tend.Role(role), nil
}

// staffMemberships returns staffID's current memberships for personID, each
// with its grants.
func staffMemberships(ctx context.Context, q querier, personID, staffID tend.ID) ([]access.Membership, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, care_role, state FROM care_team_members
		WHERE person_id = $1 AND staff_id = $2 AND state IN ('active', 'follow_up') ORDER BY started_at, id`, string(personID), string(staffID))
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	defer rows.Close()
	var out []access.Membership
	for rows.Next() {
		var id, role, state string
		if err := rows.Scan(&id, &role, &state); err != nil {
			return nil, err
		}
		out = append(out, access.Membership{ID: tend.ID(id), Role: tend.CareRole(role), State: access.MemberState(state), Grants: map[access.Area]access.Level{}})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	grows, err := q.QueryContext(ctx, `SELECT g.member_id, g.area, g.level FROM grants g JOIN care_team_members m ON m.id = g.member_id
		WHERE m.person_id = $1 AND m.staff_id = $2 AND m.state IN ('active', 'follow_up')`, string(personID), string(staffID))
	if err != nil {
		return nil, fmt.Errorf("store: grants: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var id, area, level string
		if err := grows.Scan(&id, &area, &level); err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].ID == tend.ID(id) {
				out[i].Grants[access.Area(area)] = access.Level(level)
			}
		}
	}
	return out, grows.Err()
}

// CountActivePeopleForStaff counts the people whose care team staffID is
// still on (active or follow-up), so `tend user disable` can refuse until
// they are reassigned.
func (db *DB) CountActivePeopleForStaff(ctx context.Context, staffID tend.ID) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT person_id) FROM care_team_members WHERE staff_id = $1 AND state IN ('active', 'follow_up')`,
		string(staffID)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count people for staff: %w", err)
	}
	return n, nil
}

// FindActiveStaffRole returns a staff member's role; ENOTFOUND when there is
// no such staff member or they are disabled.
func (tx *Tx) FindActiveStaffRole(ctx context.Context, staffID tend.ID) (tend.Role, error) {
	return activeStaffRole(ctx, tx.tx, staffID)
}

const memberColumns = `id, person_id, staff_id, care_role, state, started_at, ended_at, follow_up_consent, added_by`

func scanMember(s interface{ Scan(...any) error }) (careteam.Member, error) {
	var m careteam.Member
	var id, person, staffID, role, state, addedBy string
	var ended sql.NullTime
	if err := s.Scan(&id, &person, &staffID, &role, &state, &m.StartedAt, &ended, &m.FollowUpConsent, &addedBy); err != nil {
		return m, err
	}
	m.ID, m.PersonID, m.StaffID, m.AddedBy = tend.ID(id), tend.ID(person), tend.ID(staffID), tend.ID(addedBy)
	m.Role, m.State = tend.CareRole(role), access.MemberState(state)
	m.StartedAt = m.StartedAt.UTC()
	if ended.Valid {
		t := ended.Time.UTC()
		m.EndedAt = &t
	}
	return m, nil
}

// FindCareTeamMember returns one membership of personID; ENOTFOUND when it
// does not exist or belongs to someone else.
func (tx *Tx) FindCareTeamMember(ctx context.Context, personID, memberID tend.ID) (careteam.Member, error) {
	m, err := scanMember(tx.tx.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM care_team_members WHERE id = $1 AND person_id = $2`+tx.db.engine.forUpdate(),
		string(memberID), string(personID)))
	if errors.Is(err, sql.ErrNoRows) {
		return m, tend.Errorf(tend.ENOTFOUND, "That care-team member was not found.")
	}
	if err != nil {
		return m, fmt.Errorf("store: find care-team member: %w", err)
	}
	return m, nil
}

// FindCareTeamMembers returns the person's memberships that have not ended.
func (db *DB) FindCareTeamMembers(ctx context.Context, personID tend.ID) ([]careteam.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM care_team_members
		WHERE person_id = $1 AND state IN ('active', 'follow_up') ORDER BY started_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: find care-team members: %w", err)
	}
	defer rows.Close()
	var out []careteam.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CreateCareTeamMember adds m; ECONFLICT when the staff member already holds
// that role for the person.
func (tx *Tx) CreateCareTeamMember(ctx context.Context, m careteam.Member) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO care_team_members (`+memberColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(m.ID), string(m.PersonID), string(m.StaffID), string(m.Role), string(m.State), m.StartedAt.UTC(), optTime(m.EndedAt), m.FollowUpConsent, string(m.AddedBy))
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That staff member is already on this care team in that role.")
	}
	if err != nil {
		return fmt.Errorf("store: create care-team member: %w", err)
	}
	return nil
}

// UpdateCareTeamMember changes membership id; ENOTFOUND when missing.
func (tx *Tx) UpdateCareTeamMember(ctx context.Context, id tend.ID, u careteam.MemberUpdate) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE care_team_members SET
		state = COALESCE($2, state), ended_at = COALESCE($3, ended_at), follow_up_consent = COALESCE($4, follow_up_consent) WHERE id = $1`,
		string(id), optString((*string)(u.State)), optTime(u.EndedAt), optBool(u.FollowUpConsent))
	if err != nil {
		return fmt.Errorf("store: update care-team member: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return tend.Errorf(tend.ENOTFOUND, "That care-team member was not found.")
	}
	return nil
}

// FindGrants returns the person's grants for memberships that have not ended.
func (db *DB) FindGrants(ctx context.Context, personID tend.ID) ([]careteam.Grant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT g.member_id, g.area, g.level, g.updated_at FROM grants g
		JOIN care_team_members m ON m.id = g.member_id
		WHERE m.person_id = $1 AND m.state IN ('active', 'follow_up') ORDER BY m.started_at, g.member_id, g.area`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: find grants: %w", err)
	}
	defer rows.Close()
	var out []careteam.Grant
	for rows.Next() {
		var g careteam.Grant
		var member, area, level string
		if err := rows.Scan(&member, &area, &level, &g.UpdatedAt); err != nil {
			return nil, err
		}
		g.MemberID, g.Area, g.Level, g.UpdatedAt = tend.ID(member), access.Area(area), access.Level(level), g.UpdatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// PutGrant sets a grant; level none removes it.
func (tx *Tx) PutGrant(ctx context.Context, g careteam.Grant) error {
	var err error
	if g.Level == access.LevelNone || g.Level == "" {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM grants WHERE member_id = $1 AND area = $2`, string(g.MemberID), string(g.Area))
	} else {
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO grants (member_id, area, level, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (member_id, area) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`,
			string(g.MemberID), string(g.Area), string(g.Level), g.UpdatedAt.UTC())
	}
	if err != nil {
		return fmt.Errorf("store: put grant: %w", err)
	}
	return nil
}

// DeleteGrants removes every grant of a membership.
func (tx *Tx) DeleteGrants(ctx context.Context, memberID tend.ID) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM grants WHERE member_id = $1`, string(memberID)); err != nil {
		return fmt.Errorf("store: delete grants: %w", err)
	}
	return nil
}

// FindSharingDefaults returns every sharing default.
func (db *DB) FindSharingDefaults(ctx context.Context) ([]careteam.Default, error) {
	return findDefaults(ctx, db.read, `SELECT care_role, area, level FROM sharing_defaults ORDER BY care_role, area`)
}

// FindSharingDefaultsForRole returns the defaults for one care role.
func (tx *Tx) FindSharingDefaultsForRole(ctx context.Context, role tend.CareRole) ([]careteam.Default, error) {
	return findDefaults(ctx, tx.tx, `SELECT care_role, area, level FROM sharing_defaults WHERE care_role = $1 ORDER BY area`, string(role))
}

func findDefaults(ctx context.Context, q querier, query string, args ...any) ([]careteam.Default, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find sharing defaults: %w", err)
	}
	defer rows.Close()
	var out []careteam.Default
	for rows.Next() {
		var role, area, level string
		if err := rows.Scan(&role, &area, &level); err != nil {
			return nil, err
		}
		out = append(out, careteam.Default{Role: tend.CareRole(role), Area: access.Area(area), Level: access.Level(level)})
	}
	return out, rows.Err()
}

// PutSharingDefault sets a default; level none removes it.
func (tx *Tx) PutSharingDefault(ctx context.Context, d careteam.Default) error {
	var err error
	if d.Level == access.LevelNone || d.Level == "" {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM sharing_defaults WHERE care_role = $1 AND area = $2`, string(d.Role), string(d.Area))
	} else {
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO sharing_defaults (care_role, area, level) VALUES ($1, $2, $3)
			ON CONFLICT (care_role, area) DO UPDATE SET level = excluded.level`, string(d.Role), string(d.Area), string(d.Level))
	}
	if err != nil {
		return fmt.Errorf("store: put sharing default: %w", err)
	}
	return nil
}

// CreateNotice adds a notice for the person.
func (tx *Tx) CreateNotice(ctx context.Context, n careteam.Notice) error {
	params, err := json.Marshal(n.Params)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO notices (id, person_id, kind, params, created_at) VALUES ($1, $2, $3, $4, $5)`,
		string(n.ID), string(n.PersonID), string(n.Kind), string(params), n.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create notice: %w", err)
	}
	return nil
}

// FindNotices returns the person's notices not yet dismissed, oldest first.
func (db *DB) FindNotices(ctx context.Context, personID tend.ID) ([]careteam.Notice, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, params, created_at FROM notices
		WHERE person_id = $1 AND dismissed_at IS NULL ORDER BY created_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: find notices: %w", err)
	}
	defer rows.Close()
	var out []careteam.Notice
	for rows.Next() {
		n := careteam.Notice{PersonID: personID}
		var id, kind, params string
		if err := rows.Scan(&id, &kind, &params, &n.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
			return nil, fmt.Errorf("store: notice params: %w", err)
		}
		n.ID, n.Kind, n.CreatedAt = tend.ID(id), careteam.NoticeKind(kind), n.CreatedAt.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// DismissNotice marks a notice of personID dismissed; ENOTFOUND when it is
// not theirs or already dismissed.
func (tx *Tx) DismissNotice(ctx context.Context, personID, noticeID tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE notices SET dismissed_at = $1 WHERE id = $2 AND person_id = $3 AND dismissed_at IS NULL`,
		at.UTC(), string(noticeID), string(personID))
	if err != nil {
		return fmt.Errorf("store: dismiss notice: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return tend.Errorf(tend.ENOTFOUND, "That notice was not found.")
	}
	return nil
}

// CreateSupporter adds s with its items.
func (tx *Tx) CreateSupporter(ctx context.Context, s careteam.Supporter) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO supporters (id, person_id, created_at) VALUES ($1, $2, $3)`,
		string(s.ID), string(s.PersonID), s.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("store: create supporter: %w", err)
	}
	return tx.insertSupporterItems(ctx, s.ID, s.Items)
}

func (tx *Tx) insertSupporterItems(ctx context.Context, supporterID tend.ID, items []access.SupporterItem) error {
	for _, it := range items {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO supporter_items (supporter_id, item) VALUES ($1, $2)`, string(supporterID), string(it)); err != nil {
			return fmt.Errorf("store: supporter item: %w", err)
		}
	}
	return nil
}

// currentSupporter returns ENOTFOUND unless supporterID is a current
// supporter of personID.
func (tx *Tx) currentSupporter(ctx context.Context, personID, supporterID tend.ID) error {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM supporters WHERE id = $1 AND person_id = $2 AND ended_at IS NULL`,
		string(supporterID), string(personID)).Scan(&n); err != nil {
		return fmt.Errorf("store: find supporter: %w", err)
	}
	if n == 0 {
		return tend.Errorf(tend.ENOTFOUND, "That supporter was not found.")
	}
	return nil
}

// SetSupporterItems replaces a current supporter's items; ENOTFOUND when the
// supporter is not personID's or has ended.
func (tx *Tx) SetSupporterItems(ctx context.Context, personID, supporterID tend.ID, items []access.SupporterItem) error {
	if err := tx.currentSupporter(ctx, personID, supporterID); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM supporter_items WHERE supporter_id = $1`, string(supporterID)); err != nil {
		return fmt.Errorf("store: supporter items: %w", err)
	}
	return tx.insertSupporterItems(ctx, supporterID, items)
}

// EndSupporter ends a supporter and removes their items; ENOTFOUND as
// SetSupporterItems.
func (tx *Tx) EndSupporter(ctx context.Context, personID, supporterID tend.ID, at time.Time) error {
	if err := tx.currentSupporter(ctx, personID, supporterID); err != nil {
		return err
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM supporter_items WHERE supporter_id = $1`, string(supporterID)); err != nil {
		return fmt.Errorf("store: supporter items: %w", err)
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE supporters SET ended_at = $1 WHERE id = $2`, at.UTC(), string(supporterID)); err != nil {
		return fmt.Errorf("store: end supporter: %w", err)
	}
	return nil
}

// FindSupporters returns the person's current supporters with their items.
func (db *DB) FindSupporters(ctx context.Context, personID tend.ID) ([]careteam.Supporter, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, created_at FROM supporters WHERE person_id = $1 AND ended_at IS NULL ORDER BY created_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: find supporters: %w", err)
	}
	defer rows.Close()
	var out []careteam.Supporter
	for rows.Next() {
		s := careteam.Supporter{PersonID: personID}
		var id string
		if err := rows.Scan(&id, &s.CreatedAt); err != nil {
			return nil, err
		}
		s.ID, s.CreatedAt = tend.ID(id), s.CreatedAt.UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Items come after the rows are read: SQLite's read pool may be small.
	_ = rows.Close()
	for i := range out {
		if out[i].Items, err = supporterItems(ctx, db.read, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func supporterItems(ctx context.Context, q querier, supporterID tend.ID) ([]access.SupporterItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT item FROM supporter_items WHERE supporter_id = $1 ORDER BY item`, string(supporterID))
	if err != nil {
		return nil, fmt.Errorf("store: supporter items: %w", err)
	}
	defer rows.Close()
	var out []access.SupporterItem
	for rows.Next() {
		var it string
		if err := rows.Scan(&it); err != nil {
			return nil, err
		}
		out = append(out, access.SupporterItem(it))
	}
	return out, rows.Err()
}

func optTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func optString(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

func optBool(b *bool) sql.NullBool {
	if b == nil {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: *b, Valid: true}
}

// FindCaseload returns the people for whom staffID holds a membership that
// has not ended, with the roles held, ordered by username.
func (db *DB) FindCaseload(ctx context.Context, staffID tend.ID) ([]careteam.Case, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.id, p.username, p.state, m.care_role, m.state
		FROM care_team_members m JOIN people p ON p.id = m.person_id
		WHERE m.staff_id = $1 AND m.state <> 'ended'
		ORDER BY p.username, m.care_role`, string(staffID))
	if err != nil {
		return nil, fmt.Errorf("store: find caseload: %w", err)
	}
	defer rows.Close()
	var out []careteam.Case
	for rows.Next() {
		var id, username, state, role, member string
		if err := rows.Scan(&id, &username, &state, &role, &member); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].PersonID == tend.ID(id) {
			out[n-1].Roles = append(out[n-1].Roles, tend.CareRole(role))
			continue
		}
		out = append(out, careteam.Case{PersonID: tend.ID(id), Username: username, State: tend.PersonState(state),
			Roles: []tend.CareRole{tend.CareRole(role)}, Member: access.MemberState(member)})
	}
	return out, rows.Err()
}

// IsCareTeamMember reports whether staffID is on personID's care team in a
// membership that has not ended (for care-team reset codes).
func (db *DB) IsCareTeamMember(ctx context.Context, staffID, personID tend.ID) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM care_team_members WHERE staff_id = $1 AND person_id = $2 AND state <> 'ended'`,
		string(staffID), string(personID)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: care-team member: %w", err)
	}
	return n > 0, nil
}

// FindPersonProfile returns a person's basic record, or ENOTFOUND.
func (db *DB) FindPersonProfile(ctx context.Context, personID tend.ID) (careteam.Profile, error) {
	var p careteam.Profile
	var id, state string
	var erased sql.NullTime
	err := db.read.QueryRowContext(ctx, `SELECT p.id, p.username, p.state, t.name, p.erased_at FROM people p JOIN teams t ON t.id = p.team_id WHERE p.id = $1`,
		string(personID)).Scan(&id, &p.Username, &state, &p.TeamName, &erased)
	if errors.Is(err, sql.ErrNoRows) {
		return p, tend.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("store: find person profile: %w", err)
	}
	p.PersonID, p.State = tend.ID(id), tend.PersonState(state)
	p.ErasedAt = nullTime(erased)
	return p, nil
}

// FindMemberGrants returns one membership's grants.
func (tx *Tx) FindMemberGrants(ctx context.Context, memberID tend.ID) ([]careteam.Grant, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT member_id, area, level, updated_at FROM grants WHERE member_id = $1 ORDER BY area`, string(memberID))
	if err != nil {
		return nil, fmt.Errorf("store: find member grants: %w", err)
	}
	defer rows.Close()
	var out []careteam.Grant
	for rows.Next() {
		var g careteam.Grant
		var member, area, level string
		if err := rows.Scan(&member, &area, &level, &g.UpdatedAt); err != nil {
			return nil, err
		}
		g.MemberID, g.Area, g.Level, g.UpdatedAt = tend.ID(member), access.Area(area), access.Level(level), g.UpdatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}
