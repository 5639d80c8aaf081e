import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import { describeZodError, errorMessage, exactRouter, type Alert, type Clock, type Logger } from '@earshot/shared';
import { HttpError, parseQuery, timeText } from './query-params.js';

const MIN = 60_000;
const MAX_SPAN_DAYS = 31;
/** Finished jobs kept for GET; older ones are forgotten (the alerts stay in the store). */
const KEPT_JOBS = 20;

/** What the route needs of the detector: `DetectorService.replay` (the api does not depend on the detector). */
export interface DetectionReplayer {
  replay(
    from: number,
    to: number,
    opts: { brands?: readonly string[]; notify?: boolean; onStep?: (t: number, alerts: Alert[], leader: boolean) => void | Promise<void> },
  ): Promise<Alert[]>;
}

export const BackfillBodySchema = z
  .object({
    from: timeText,
    to: timeText,
    brands: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
  })
  .strict()
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), { message: '`from` must be before `to`', path: ['from'] })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= MAX_SPAN_DAYS * 1440 * MIN, {
    message: `the range may span at most ${MAX_SPAN_DAYS} days; send several backfills`,
    path: ['to'],
  });

export interface BackfillJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  from: string;
  to: string;
  brands?: string[];
  started_at: string;
  finished_at?: string;
  /** Stream minutes tested so far, of all, and the stream time reached. */
  progress: {
    minutes_done: number;
    minutes_total: number;
    stream_time: string | null;
    /** Another process's heartbeat holds the lease for now. */ waiting_for_lead?: boolean;
  };
  /** The newest version of each alert the backfill raised, in the order they opened. */
  alerts: Alert[];
  error?: string;
}

class NotLeading extends Error {}

const IdSchema = z.object({ id: z.uuid('must be a backfill id as POST /v1/detection/backfill answered it') });

/**
 * POST /v1/detection/backfill {from, to, brands?}: detection replayed over past stream
 * time, minute by minute as the live schedule would have run it, as a job (202 with its
 * id); GET /v1/detection/backfill/:id: its progress and the alerts it raised. The replay
 * keeps its own incident lifecycle beside the live one and pages nobody; alert ids come
 * from the incident, so a second backfill over the same data stores no new alert. One
 * backfill runs at a time per process; jobs live in the process's memory.
 */
export function createDetectionRouter(deps: {
  detector?: DetectionReplayer;
  clock: Clock;
  logger: Logger;
  /** How long a backfill waits to lead detection (a restarted process's old heartbeat lasts the lease's 3 minutes). */
  leaderWaitMs?: number;
  leaderWaitStepMs?: number;
}): Router {
  const o = { leaderWaitMs: 4 * MIN, leaderWaitStepMs: 10_000, ...deps };
  const jobs = new Map<string, BackfillJob>();
  const router = exactRouter();

  const run = async (job: BackfillJob, replayer: DetectionReplayer, from: number, to: number) => {
    const latest = new Map<string, Alert>();
    try {
      // A step this replica does not lead does nothing. Just after a restart, the stopped
      // process's heartbeat holds the lease for a while: wait and start over (alert ids come
      // from the incidents, so a second pass stores nothing twice); give up past the wait.
      for (let waited = 0; ; waited += o.leaderWaitStepMs) {
        const led = await replayer
          .replay(from, to, {
            brands: job.brands,
            notify: false,
            onStep: (t, alerts, leader) => {
              if (!leader) throw new NotLeading();
              for (const a of alerts) latest.set(a.id, a);
              job.alerts = [...latest.values()];
              job.progress = { ...job.progress, minutes_done: Math.round((t - from) / MIN) + 1, stream_time: new Date(t).toISOString() };
            },
          })
          .then(
            () => true,
            (err) => {
              if (err instanceof NotLeading) return false;
              throw err;
            },
          );
        if (led) break;
        if (waited >= o.leaderWaitMs)
          throw new Error(
            `this process has not led detection for ${Math.round(waited / 1000)}s: another detector replica holds the lease; send the backfill to the process that leads`,
          );
        job.progress = { ...job.progress, minutes_done: 0, stream_time: null, waiting_for_lead: true };
        await new Promise((r) => setTimeout(r, o.leaderWaitStepMs));
        delete job.progress.waiting_for_lead;
      }
      job.status = 'done';
    } catch (err) {
      job.status = 'failed';
      job.error = errorMessage(err);
      deps.logger.error({ backfill: job.id, err: job.error }, 'detection backfill failed');
    } finally {
      job.finished_at = new Date(deps.clock.now()).toISOString();
    }
  };

  router.use('/v1/detection/backfill', express.json({ limit: '64kb' }));
  router.post('/v1/detection/backfill', async (req, res) => {
    const parsed = BackfillBodySchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, `invalid backfill: ${describeZodError(parsed.error)}`);
    const replayer = deps.detector;
    if (!replayer)
      throw new HttpError(
        409,
        'the detector does not run in this process: send the backfill to a process that runs it (earshot run, or earshot run detector api)',
      );
    const running = [...jobs.values()].find((j) => j.status === 'running');
    if (running) throw new HttpError(409, `backfill ${running.id} is still running (GET /v1/detection/backfill/${running.id}); one runs at a time`);
    // Whole minutes, as the live schedule runs; the last minute included.
    const from = Math.floor(Date.parse(parsed.data.from) / MIN) * MIN;
    const to = Math.ceil(Date.parse(parsed.data.to) / MIN) * MIN;
    if (to > deps.clock.now() + MIN) throw new HttpError(400, 'invalid backfill: `to` is in the future; the live schedule covers what is still to come');
    const job: BackfillJob = {
      id: randomUUID(),
      status: 'running',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...(parsed.data.brands ? { brands: parsed.data.brands } : {}),
      started_at: new Date(deps.clock.now()).toISOString(),
      progress: { minutes_done: 0, minutes_total: (to - from) / MIN + 1, stream_time: null },
      alerts: [],
    };
    jobs.set(job.id, job);
    for (const old of [...jobs.values()].filter((j) => j.status !== 'running').slice(0, Math.max(0, jobs.size - KEPT_JOBS))) jobs.delete(old.id);
    void run(job, replayer, from, to);
    res.status(202).location(`/v1/detection/backfill/${job.id}`).json(job);
  });
  router.get('/v1/detection/backfill/:id', (req, res) => {
    const { id } = parseQuery(IdSchema, req.params);
    const job = jobs.get(id);
    if (!job) throw new HttpError(404, `no backfill ${id} in this process (jobs are kept in memory, the last ${KEPT_JOBS})`);
    res.json(job);
  });
  return router;
}
