-- Indexes the statistics read (docs/quarantine.md, "Statistics"; the dashboard polls them
-- every few seconds). Checked with EXPLAIN on some thousands of rows per table: without
-- them both sweep tables were read in full for a day range.

-- Sweep visits of a day range (GetDailyFigures), joined to the households of an area.
CREATE INDEX sweep_visits_visited_idx ON sweep_visits (visited_at);
-- Households of an area prefix (area_code is COLLATE "C", so a plain index serves LIKE).
CREATE INDEX sweep_households_area_code_idx ON sweep_households (area_code);

-- Open follow-up flags of an area (GetSummary): few among all the flags ever raised.
CREATE INDEX follow_up_flags_open_area_idx ON follow_up_flags (area_code text_pattern_ops)
  WHERE cleared_at IS NULL;
