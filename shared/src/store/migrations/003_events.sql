-- Events get tags and can be deleted (a newer version with deleted = 1 hides them).
ALTER TABLE campaign_events ADD COLUMN IF NOT EXISTS tags Array(String);
ALTER TABLE campaign_events ADD COLUMN IF NOT EXISTS deleted UInt8;
