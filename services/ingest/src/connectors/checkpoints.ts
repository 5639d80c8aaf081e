import { ConnectorCheckpointTable } from '@earshot/shared';
import type { Cursor, RecentMention } from './types.js';

/** What a connector resumes from: its own cursor, and the mentions it published lately. */
export interface Checkpoint {
  cursor: Cursor;
  /** Newest last; used to drop repeats at page boundaries and to refresh engagement. */
  recent: RecentMention[];
  /** Items read from the source this month (UTC), against `monthly_read_budget`. */
  usage?: { month: string; reads: number };
  /** How far the sweep over stored mentions has come (the last id re-checked; '' to start over). */
  sweep?: { after: string };
}

export interface CheckpointStore {
  load(connector: string): Promise<Checkpoint | null>;
  save(connector: string, checkpoint: Checkpoint): Promise<void>;
}

/** Checkpoints in ClickHouse (`connector_checkpoints`), so any ingest replica can resume any connector. */
export class ClickHouseCheckpoints extends ConnectorCheckpointTable<Checkpoint> implements CheckpointStore {}
