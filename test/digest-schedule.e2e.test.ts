import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { AlertStore, migrate, openStore } from '@earshot/shared';
import { eventually, quietLogger, tempDir, testConfig } from './helpers.js';
import { startHookServer, startSmtpServer } from './receivers.js';

const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const DAY = 86_400_000;
const MIN = 60_000;

/**
 * Scheduled digests on the user's path: `earshot run notifier` with a routes file whose
 * digest route names globex, on a schedule that fires every two seconds (real clock). The
 * daily digest for yesterday (UTC) reaches the SMTP server and the Slack stand-in once, with
 * yesterday's incident and how long acknowledging and resolving it took; the schedule firing
 * again, and a restarted notifier, send it no second time.
 */
describe('scheduled digests, once per period across a restart', () => {
  const dir = tempDir();
  const brokers = String(inject('kafkaBrokers'));
  const prefix = `t${Date.now()}-${process.pid}.`;
  const children: ChildProcess[] = [];
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  // Yesterday, UTC: the period the daily digest covers today.
  const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
  const opened = yesterday + 10 * 60 * MIN;

  const start = () => {
    const child = spawn('node', [BIN, 'run', 'notifier'], {
      env: {
        ...process.env,
        EARSHOT_DATA_DIR: dir.path,
        EARSHOT_KAFKA_BROKERS: brokers,
        EARSHOT_TOPIC_PREFIX: prefix,
        EARSHOT_TOPIC_PARTITIONS: '1',
        EARSHOT_PORT: '0',
        EARSHOT_HOST: '127.0.0.1',
        EARSHOT_LOG_LEVEL: 'info',
        EARSHOT_ROUTES_FILE: join(dir.path, 'routes.yaml'),
        EARSHOT_SMTP_URL: smtp.url,
      },
    });
    const log = { text: '' };
    child.stderr.on('data', (b: Buffer) => (log.text += b.toString()));
    children.push(child);
    const running = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => log.text.includes('Earshot running') && (clearInterval(timer), resolve()), 100);
      child.on('exit', (code) => (clearInterval(timer), reject(new Error(`notifier exited with ${code}:\n${log.text}`))));
    });
    /** Runs of the daily schedule that found its digests sent already. */
    const skipped = () =>
      log.text
        .split('\n')
        .filter((l) => l.includes('"digests due"'))
        .map((l) => JSON.parse(l) as { period: string; already_sent: number })
        .filter((l) => l.period === 'day' && l.already_sent > 0).length;
    return { child, running, skipped };
  };
  const stop = async (child: ChildProcess, signal: NodeJS.Signals) => {
    child.kill(signal);
    await new Promise((r) => child.once('exit', r));
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    hooks = await startHookServer();
    writeFileSync(
      join(dir.path, 'routes.yaml'),
      `timezone: UTC
digests:
  day: "*/2 * * * * *"
channels:
  pr-email: { type: email, to: [pr@globex.example] }
  pr-slack: { type: slack, url: "${hooks.url}/slack" }
routes:
  - name: pr-digest
    match: { brands: [globex], kinds: [digest] }
    channels: [pr-email, pr-slack]
`,
    );
    // Yesterday's incident: opened at 10:00, acknowledged 12 min later, resolved after an hour.
    const store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    const alerts = new AlertStore(store.client);
    const at = (t: number) => new Date(t).toISOString();
    const alert = sampleAlert({
      id: `complaint_surge:globex:complaint:${at(opened)}`,
      window_start: at(opened - 15 * MIN),
      window_end: at(opened),
      opened_at: at(opened),
      updated_at: at(opened),
    });
    await alerts.save([alert, { ...alert, status: 'resolved', updated_at: at(opened + 60 * MIN), resolved_at: at(opened + 60 * MIN) }]);
    await alerts.act(alert.id, 'acknowledge', 'dana', opened + 12 * MIN);
    await alerts.act(alert.id, 'assign', 'dana', opened + 13 * MIN, 'sam');
    await store.close();
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await smtp?.close();
    await hooks?.close();
    dir.remove();
  });

  it('delivers yesterday’s digest by email and Slack once, and not again after a restart', async () => {
    const first = start();
    await first.running;
    expect(await eventually(async () => smtp.mails.length >= 1 && hooks.posts.length >= 1, { timeoutMs: 60_000 })).toBe(true);
    const day = new Date(yesterday).toISOString().slice(0, 10);
    const mail = smtp.mails[0]!;
    expect(mail.to).toEqual(['pr@globex.example']);
    expect(mail.secure).toBe(true);
    expect(mail.mail.subject).toBe(`[Earshot] globex: daily digest, ${day}`);
    expect(mail.mail.text).toContain(`${day} 00:00 UTC to ${new Date(yesterday + DAY).toISOString().slice(0, 10)} 00:00 UTC`);
    expect(mail.mail.text).toMatch(/Alerts: 1; median acknowledgement 12 min, median resolution 60 min/);
    expect(mail.mail.text).toContain(
      'Complaint surge (7/10 warning): 40 complaints in 15 min, about 3 expected; acknowledged after 12 min, resolved after 60 min, assigned to sam',
    );
    expect(mail.mail.html).toMatch(/median resolution 60 min/);
    expect(mail.mail.html).not.toMatch(/<script/i);
    const slack = hooks.posts[0]!;
    expect(slack.path).toBe('/slack');
    expect(slack.body.text).toBe(`:bar_chart: globex: daily digest, ${day}`);
    expect(slack.body.blocks[0].text.text).toContain('Alerts: 1; median acknowledgement 12 min');
    expect(slack.body.blocks[1].text.text).toContain('/v1/digest?brand=globex&period=day&to=');

    // The schedule fires again within the same day: nothing more goes out.
    expect(await eventually(async () => first.skipped() >= 2, { timeoutMs: 30_000 })).toBe(true);
    await stop(first.child, 'SIGKILL');
    const second = start();
    await second.running;
    expect(await eventually(async () => second.skipped() >= 2, { timeoutMs: 30_000 })).toBe(true);
    await stop(second.child, 'SIGINT');
    expect(smtp.mails).toHaveLength(1);
    expect(hooks.posts).toHaveLength(1);
  }, 180_000);
});
