import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { KafkaBus, alertsTopic, systemClock, topicMessage, type Alert } from '@earshot/shared';
import { eventually, freshMetrics, quietLogger, tempDir } from './helpers.js';

const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

/**
 * `earshot run notifier` as its own process on Kafka: it consumes the alerts topic and
 * delivers through the outbox. Killed (SIGKILL) after a delivery failed and before its
 * retry, the next process delivers the alert version exactly once.
 */
describe('the notifier service, killed between a failure and its retry', () => {
  const dir = tempDir();
  const brokers = String(inject('kafkaBrokers'));
  const prefix = `t${Date.now()}-${process.pid}.`;
  const bus = new KafkaBus({
    brokers: brokers.split(','),
    clientId: 'notifier-test',
    partitions: 1,
    replicationFactor: 1,
    logger: quietLogger(),
    metrics: freshMetrics(),
    clock: systemClock,
  });
  let hook: Server;
  let failing = true;
  const attempts: string[] = [];
  const received: { key: string | undefined; id: string }[] = [];
  const children: ChildProcess[] = [];

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
        EARSHOT_LOG_LEVEL: 'warn',
        EARSHOT_ROUTES_FILE: join(dir.path, 'routes.yaml'),
      },
    });
    let output = '';
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    children.push(child);
    const running = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => output.includes('Earshot running') && (clearInterval(timer), resolve()), 100);
      child.on('exit', (code) => (clearInterval(timer), reject(new Error(`notifier exited with ${code}:\n${output}`))));
    });
    return { child, running };
  };

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = JSON.parse(body).alert.id as string;
        attempts.push(id);
        if (failing) return void res.writeHead(503).end('busy');
        received.push({ key: req.headers['idempotency-key'] as string | undefined, id });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    writeFileSync(join(dir.path, 'routes.yaml'), `channels:\n  on-call: { type: webhook, url: "${url}" }\nroutes:\n  - name: all\n    channels: [on-call]\n`);
    await bus.ensureTopics([`${prefix}${alertsTopic.name}`]);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await bus.close();
    await new Promise<void>((r) => hook.close(() => r()));
    dir.remove();
  });

  it('delivers the alert version once, after the restart', async () => {
    const first = start();
    await first.running;
    const now = new Date().toISOString();
    const alert: Alert = sampleAlert({
      id: `complaint_surge:globex:complaint:${now}`,
      severity: 'critical',
      severity_score: 8,
      window_start: now,
      window_end: now,
      summary: '40 complaints in 15 min',
      opened_at: now,
      updated_at: now,
    });
    await bus.publish(`${prefix}${alertsTopic.name}`, [topicMessage(alertsTopic, alert)]);
    // The first attempt fails; the process dies before its retry.
    expect(await eventually(async () => attempts.length >= 1, { timeoutMs: 60_000 })).toBe(true);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(received).toEqual([]);

    failing = false;
    const second = start();
    await second.running;
    expect(await eventually(async () => received.length >= 1, { timeoutMs: 60_000 })).toBe(true);
    // Time for a duplicate to show up, were there one (the Kafka message comes back too:
    // the first process never committed it).
    await new Promise((r) => setTimeout(r, 5_000));
    expect(received).toEqual([{ key: `${alert.id}@${alert.updated_at}#on-call`, id: alert.id }]);
    second.child.kill('SIGINT');
    await new Promise((r) => second.child.once('exit', r));
  }, 180_000);
});
