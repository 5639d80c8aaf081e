-- Alerts that explain themselves: a 1–10 severity and what the spike is about (JSON).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS severity_score UInt8 DEFAULT 0;
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS explanation String DEFAULT '';
