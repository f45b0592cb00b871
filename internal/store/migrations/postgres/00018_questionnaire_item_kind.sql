-- Why: an item of an imported instrument can propose a safety prompt, where
-- the service enables it (clinical/instruments.md; safety-rules.md section
-- 4). Its trigger kind, questionnaire_item, joins the kinds that task
-- entries, a person's rules and flags may hold.
-- +goose Up
ALTER TABLE followup_entries DROP CONSTRAINT followup_entries_kind_check;
ALTER TABLE followup_entries ADD CONSTRAINT followup_entries_kind_check
    CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item'));
ALTER TABLE followup_person_rules DROP CONSTRAINT followup_person_rules_kind_check;
ALTER TABLE followup_person_rules ADD CONSTRAINT followup_person_rules_kind_check
    CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item'));
ALTER TABLE followup_flags DROP CONSTRAINT followup_flags_kind_check;
ALTER TABLE followup_flags ADD CONSTRAINT followup_flags_kind_check
    CHECK (kind IN ('contact_request', 'act', 'urge_to_die', 'phq9_item9', 'questionnaire_item'));

-- +goose Down
-- Forward-only.
