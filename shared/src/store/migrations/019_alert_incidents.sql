-- Alerts grouped into incidents: the alerts of one brand that open while one of them is
-- open (the same trouble seen by several detectors) share the id of the incident's first
-- alert. Empty on alerts stored before incidents existed: each is its own incident.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS incident_id String DEFAULT '';
