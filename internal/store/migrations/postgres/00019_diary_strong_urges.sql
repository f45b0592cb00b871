-- Why: outcome reports give urges ridden out as a share of the days with
-- a strong urge (outcomes.md section 2): an urge rated at or above the
-- service's ridden-out level that has a linked action. ridden_out counts
-- only those ridden out, so the days with such an urge need a summary
-- column of their own. strong_urges is NULL on cards summarised before the
-- column existed; a background job summarises them again (the values are
-- kept), and reports read urges ridden out only over cards where it is set.
-- The partial index holds only the cards still to be summarised again, so
-- the job finds them (or that none is left) without reading every card,
-- and new cards, which always have the column, never enter it.
-- +goose Up
ALTER TABLE diary_cards ADD COLUMN strong_urges INTEGER CHECK (strong_urges >= 0);
CREATE INDEX diary_cards_unsummarized ON diary_cards (person_id, day) WHERE strong_urges IS NULL;

-- +goose Down
DROP INDEX diary_cards_unsummarized;
ALTER TABLE diary_cards DROP COLUMN strong_urges;
