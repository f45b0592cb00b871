package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// plainText lists every text column allowed to hold plain text, with why.
// Free text about a person must be stored encrypted (a BLOB or BYTEA column
// holding a vault ciphertext), so a new text column fails this test until
// someone decides, here and in review, that it holds nothing a person
// wrote. Tables of River's own (river_*) and goose's version table hold job
// kinds, ids and queue metadata only; job arguments never carry content
// (internal/jobs doc).
var plainText = map[string]string{
	"deployment.mode":                    "demo or live",
	"service_settings.doc":               "the service's own settings, nothing about a person",
	"idempotency_keys.scope":             "a kind of request",
	"idempotency_keys.key":               "a random key the client chose",
	"idempotency_keys.outcome":           "an id of what the request created",
	"maintenance_runs.id":                "id",
	"maintenance_runs.kind":              "a job kind",
	"maintenance_runs.node":              "a node name",
	"teams.id":                           "id",
	"teams.name":                         "a team's name, chosen by the service",
	"teams.kind":                         "care or duty",
	"staff.id":                           "id",
	"staff.email":                        "a staff member's work address, for signing in",
	"staff.name":                         "a staff member's name, shown to the people they work with",
	"staff.role":                         "clinician, lead or admin",
	"staff.password_hash":                "an argon2id hash",
	"staff_teams.staff_id":               "id",
	"staff_teams.team_id":                "id",
	"people.id":                          "id",
	"people.username":                    "a pseudonym the person chose to sign in with",
	"people.password_hash":               "an argon2id hash",
	"people.team_id":                     "id",
	"people.state":                       "a lifecycle state",
	"people.birth_date":                  "a date the service records at invitation (young-people.md)",
	"people.age_band":                    "an age band",
	"people.time_zone":                   "an IANA zone name",
	"people.country":                     "a country code, for the help page",
	"people.pin_hash":                    "an argon2id hash",
	"audit_chains.id":                    "id",
	"audit_chains.node":                  "a node name",
	"audit_chains.key_id":                "a key id",
	"audit_events.id":                    "id",
	"audit_events.chain_id":              "id",
	"audit_events.actor_kind":            "an account kind",
	"audit_events.actor_id":              "id",
	"audit_events.actor_role":            "a role",
	"audit_events.action":                "an action name",
	"audit_events.person_id":             "id",
	"audit_events.target":                "kind:id",
	"audit_events.outcome":               "ok, denied or failed",
	"care_team_members.id":               "id",
	"care_team_members.person_id":        "id",
	"care_team_members.staff_id":         "id",
	"care_team_members.care_role":        "a care-team role",
	"care_team_members.state":            "active, follow_up or ended",
	"care_team_members.added_by":         "id",
	"grants.member_id":                   "id",
	"grants.area":                        "an area name",
	"grants.level":                       "see or edit",
	"sharing_defaults.care_role":         "a care-team role",
	"sharing_defaults.area":              "an area name",
	"sharing_defaults.level":             "see or edit",
	"notices.id":                         "id",
	"notices.person_id":                  "id",
	"notices.kind":                       "a notice kind",
	"notices.params":                     "JSON of ids and kinds only (careteam.NoticeParams), never free text",
	"supporters.id":                      "id",
	"supporters.person_id":               "id",
	"supporter_items.supporter_id":       "id",
	"supporter_items.item":               "an item from access.SupporterItems",
	"supporter_invites.id":               "id",
	"supporter_invites.supporter_id":     "id",
	"supporter_accounts.id":              "id (the supporter's, in supporters)",
	"supporter_accounts.username":        "a pseudonym the supporter chose to sign in with (no e-mail, no real name asked)",
	"supporter_accounts.password_hash":   "an argon2id hash",
	"api_tokens.id":                      "id",
	"api_tokens.account_kind":            "an account kind",
	"api_tokens.account_id":              "id",
	"api_tokens.role":                    "a staff role",
	"api_tokens.scopes":                  "action names",
	"invites.id":                         "id",
	"invites.team_id":                    "id",
	"invites.age_band":                   "an age band",
	"invites.birth_date":                 "a date the service records at invitation (young-people.md)",
	"invites.state":                      "a lifecycle state",
	"invites.created_by":                 "id",
	"invites.person_id":                  "id",
	"rate_limits.key":                    "a limit name with an account id or a client address (no content)",
	"recovery_codes.id":                  "id",
	"recovery_codes.person_id":           "id",
	"reset_codes.id":                     "id",
	"reset_codes.person_id":              "id",
	"reset_codes.issued_by":              "id",
	"sessions.id":                        "id",
	"sessions.account_kind":              "an account kind",
	"sessions.account_id":                "id",
	"sessions.device":                    "a browser and system name derived from the user agent, e.g. \"Firefox / Android\"",
	"sign_ins.id":                        "id",
	"sign_ins.account_kind":              "an account kind",
	"sign_ins.account_id":                "id",
	"sign_ins.device":                    "a browser and system name derived from the user agent",
	"sign_ins.outcome":                   "ok, failed or rate_limited",
	"safety_plan_versions.id":            "id",
	"safety_plan_versions.person_id":     "id",
	"safety_plan_versions.saved_by_kind": "an account kind (person or staff)",
	"safety_plan_versions.saved_by":      "id",
	"safety_plan_reviews.id":             "id",
	"safety_plan_reviews.person_id":      "id",
	"safety_plan_reviews.reviewed_by":    "id",
	// The coping toolbox: ids, kinds and keys; a use's answers and a
	// person's own activities are sealed. A service activity's wording is
	// the service's own content, never about a person.
	"toolbox_service_activities.id":       "id",
	"toolbox_service_activities.kind":     "an activity kind",
	"toolbox_service_activities.title":    "the service's own wording of an activity, nothing about a person",
	"toolbox_service_activities.added_by": "id",
	"toolbox_own_activities.id":           "id",
	"toolbox_own_activities.person_id":    "id",
	"toolbox_own_activities.kind":         "an activity kind",
	"toolbox_choices.person_id":           "id",
	"toolbox_choices.activity_id":         "an activity's id (a starter's name or a row id)",
	"toolbox_cautions.person_id":          "id",
	"toolbox_uses.id":                     "id",
	"toolbox_uses.person_id":              "id",
	"toolbox_uses.idempotency_key":        "a random key the client chose",
	"toolbox_uses.activity_id":            "an activity's id (a starter's name or a row id)",
	// Follow-up tasks: ids, states and fixed choices; the resolution note is sealed.
	"followup_tasks.id":               "id",
	"followup_tasks.person_id":        "id",
	"followup_tasks.state":            "open, acknowledged or resolved",
	"followup_tasks.route":            "care_team, duty or none",
	"followup_tasks.duty_team_id":     "id",
	"followup_tasks.acknowledged_by":  "id",
	"followup_tasks.resolved_by":      "id",
	"followup_entries.id":             "id",
	"followup_entries.task_id":        "id",
	"followup_entries.person_id":      "id",
	"followup_entries.kind":           "a trigger kind",
	"followup_entries.source_id":      "id of the record that triggered it",
	"followup_entries.contact":        "call, text or next_session (a fixed choice, never free text)",
	"followup_flags.id":               "id",
	"followup_flags.person_id":        "id",
	"followup_flags.kind":             "a trigger kind",
	"followup_flags.source_id":        "id of the record that triggered it",
	"followup_flags.discussed_by":     "staff id",
	"followup_person_rules.person_id": "id",
	"followup_person_rules.kind":      "a trigger kind",
	"followup_person_rules.response":  "task_now, next_session or none (a fixed choice)",
	"followup_person_rules.set_by":    "staff id",
	"staff_alerts.id":                 "id",
	"staff_alerts.staff_id":           "staff id",
	"staff_alerts.task_id":            "id",
	"followup_notices.person_id":      "id",
	// The journal and the hope box: ids and fixed choices; every word a
	// person (or a clinician, for one person) writes, and every photo, is sealed.
	"journal_prompts.id":               "id",
	"journal_prompts.text":             "an open prompt the service wrote for anyone, about nobody",
	"journal_prompts.created_by":       "id",
	"journal_assignments.id":           "id",
	"journal_assignments.person_id":    "id",
	"journal_assignments.assigned_by":  "id",
	"journal_assignments.withdrawn_by": "id",
	"journal_entries.id":               "id",
	"journal_entries.person_id":        "id",
	"journal_entries.prompt_id":        "id of an open prompt or an assignment",
	"hope_box_words.id":                "id",
	"hope_box_words.person_id":         "id",
	"hope_box_photos.id":               "id",
	"hope_box_photos.person_id":        "id",
	"hope_box_photos.content_type":     "image/jpeg or image/png",
	// Skills and homework: ids, library ids and fixed choices; notes and
	// worksheet answers are sealed.
	"skill_favourites.person_id":    "id",
	"skill_favourites.skill_id":     "a skill id of the library (skills.Library)",
	"homework.id":                   "id",
	"homework.person_id":            "id",
	"homework.skill_id":             "a skill id of the library",
	"homework.worksheet":            "a worksheet id (skills.Worksheets)",
	"homework.due_on":               "a civil date",
	"homework.assigned_by":          "id",
	"homework.ended_by":             "id",
	"homework_practice.id":          "id",
	"homework_practice.person_id":   "id",
	"homework_practice.homework_id": "id",
	"homework_practice.skill_id":    "a skill id of the library",
	"homework_practice.worksheet":   "a worksheet id",
	"homework_practice.helpful":     "yes, no or nothing (a fixed choice)",
	// Clinician notes, medication and support groups: ids, fixed choices and
	// civil dates; note text is sealed with the records key, medication
	// names, doses and schedules with the person's key. A group's name, kind
	// and schedule describe the group, never a person.
	"clinician_notes.id":            "id",
	"clinician_notes.note_id":       "id",
	"clinician_notes.person_id":     "id",
	"clinician_notes.session_id":    "id",
	"clinician_notes.kind":          "note or safety_formulation (a fixed choice)",
	"clinician_notes.written_by":    "id",
	"medications.id":                "id",
	"medications.person_id":         "id",
	"medications.started_on":        "a civil date",
	"medications.stopped_on":        "a civil date",
	"medications.added_by":          "id",
	"medications.stopped_by":        "id",
	"support_groups.id":             "id",
	"support_groups.name":           "the group's name, set by its facilitator, about no person",
	"support_groups.kind":           "the kind of group, e.g. DBT skills group",
	"support_groups.schedule":       "when the group meets, e.g. Tuesdays 18:00",
	"support_groups.facilitator_id": "id",
	"group_members.group_id":        "id",
	"group_members.person_id":       "id",
	"group_members.enrolled_by":     "id",
	"group_meetings.id":             "id",
	"group_meetings.group_id":       "id",
	"group_meetings.held_on":        "a civil date",
	"group_meetings.created_by":     "id",
	"group_attendance.meeting_id":   "id",
	"group_attendance.person_id":    "id",
	"group_attendance.status":       "attended, absent or cancelled (a fixed choice)",
	"group_attendance.recorded_by":  "id",
	"episodes.id":                   "id",
	"episodes.person_id":            "id",
	"episodes.modality":             "a modality from the service's list (settings)",
	"episodes.source":               "a referral source (a fixed choice)",
	"episodes.referred_on":          "a civil date",
	"episodes.decision":             "pending, accepted or not accepted",
	"episodes.decided_on":           "a civil date",
	"episodes.started_on":           "a civil date",
	"episodes.ended_on":             "a civil date",
	"episodes.closed_on":            "a civil date",
	"episodes.created_by":           "id",
	"care_sessions.id":              "id",
	"care_sessions.person_id":       "id",
	"care_sessions.episode_id":      "id",
	"care_sessions.held_on":         "a civil date",
	"care_sessions.kind":            "a session type (a fixed choice)",
	"care_sessions.attendance":      "attended, cancelled or did not attend",
	"care_sessions.recorded_by":     "id",
	"incidents.id":                  "id",
	"incidents.person_id":           "id",
	"incidents.occurred_on":         "a civil date",
	"incidents.kind":                "an incident kind (a fixed choice, no method detail)",
	"incidents.medical_care":        "yes, no or not sure",
	"incidents.recorded_by":         "id",
	"chain_analyses.id":             "id",
	"chain_analyses.person_id":      "id",
	"chain_analyses.day":            "a civil date (the diary day)",
	"chain_analyses.target_id":      "a diary target id (a short fixed-form id, no words of the person's)",
	"chain_analyses.state":          "draft or complete",
	"chain_analyses.opened_by":      "id",
	"chain_analyses.completed_by":   "id",
	// The diary card: labels, notes and drafts are sealed BLOBs; these
	// columns hold ids, civil dates, fixed choices and numbers only.
	"diary_configs.person_id":     "id",
	"diary_configs.skills_set":    "dbt or dbt_a (a fixed choice)",
	"diary_configs.skills":        "skills library ids, comma-separated",
	"diary_configs.changed_by":    "id",
	"diary_targets.person_id":     "id",
	"diary_targets.id":            "a diary target id (a short fixed-form id, no words of the person's)",
	"diary_targets.section":       "urge, action or emotion (a fixed choice)",
	"diary_targets.kind":          "a target kind (a fixed choice)",
	"diary_targets.urge_id":       "a diary target id",
	"diary_targets.changed_by":    "id",
	"diary_cards.id":              "id",
	"diary_cards.person_id":       "id",
	"diary_cards.day":             "a civil date",
	"diary_cards.time_zone":       "an IANA time zone name",
	"diary_cards.entered_by":      "id",
	"diary_cards.skills_category": "a skills-used category (a fixed choice)",
	"diary_values.card_id":        "id",
	"diary_values.field":          "a field name: a fixed prefix and a target or skill id",
	"diary_saves.id":              "id",
	"diary_saves.person_id":       "id",
	"diary_saves.card_id":         "id",
	"diary_saves.day":             "a civil date",
	"diary_saves.idem_key":        "a random key the client chose",
	"diary_saves.saved_by":        "id",
	"diary_saves.changes":         "JSON of field names and numbers (a changed note is marked, never copied)",
	"diary_saves.applied":         "field names, comma-separated",
	"diary_note_drafts.person_id": "id",
	"diary_note_drafts.day":       "a civil date",
	"diary_flags.person_id":       "id",
	"diary_flags.day":             "a civil date",
	"diary_flags.flagged_by":      "id",
}

func TestTextColumnsAreEncryptedOrAllowed(t *testing.T) {
	db := testenv.Store(t, nil)
	cols, err := db.TextColumns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if strings.HasPrefix(c.Table, "river_") || strings.HasPrefix(c.Table, "goose_") {
			continue
		}
		key := c.Table + "." + c.Name
		seen[key] = true
		if _, ok := plainText[key]; !ok {
			t.Errorf("%s (%s) can hold plain text: store it encrypted through the vault, or add it to plainText with the reason it holds nothing a person wrote", key, c.Type)
		}
	}
	if len(seen) < 20 {
		t.Fatalf("found only %d text columns: the listing query is wrong", len(seen))
	}
	if testenv.Engine() != store.SQLite {
		return // PostgreSQL types some of these (dates) as other than text
	}
	for key := range plainText {
		if !seen[key] {
			t.Errorf("plainText lists %s, which the schema no longer has", key)
		}
	}
}
