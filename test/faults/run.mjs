// npm run test:faults — the fault-injection tests, run on their own, with a table of the
// faults survived: each row is one fault a test injects (against the real Kafka broker
// and chDB the suite starts), and what the test checks afterwards. The same tests run in
// `npm test`; this prints them as a report. Exit status: vitest's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../..');

/** The files that inject faults, and the kind of fault each covers. */
const SUITES = [
  ['test/store-faults.test.ts', 'store errors (a ClickHouse stand-in over chDB)'],
  ['test/writer-crash-points.test.ts', 'writer killed at each point of a batch'],
  ['test/durable-intake.e2e.test.ts', 'kill -9 of the embedded process mid-stream'],
  ['shared/src/bus/durable-bus.test.ts', 'embedded queue: crash mid-write, disk full'],
  ['test/store-disk-full.e2e.test.ts', "the store's disk full under load (a 40 MiB filesystem), then space freed"],
  ['test/bus-disk-recovery.test.ts', "the embedded queue's disk full, then recovered with no traffic"],
  ['test/kafka-consumer.e2e.test.ts', 'a batch slower than the Kafka group session'],
  ['test/kafka-broker-restart.e2e.test.ts', 'the Kafka broker killed (-9) and restarted under load'],
  ['test/kafka-broker-down.e2e.test.ts', 'the Kafka broker down (-9) under `earshot run`: fast 503, /healthz red, then green on its return'],
  ['test/writer-rebalance.e2e.test.ts', 'writers joining and leaving the group mid-stream'],
  ['test/writer-zombie.e2e.test.ts', 'a writer cut off from the broker mid-batch while another takes its partition (a zombie)'],
  ['test/notifier-outbox.e2e.test.ts', 'a notifier failing, then the detector replaced'],
  ['test/detector.e2e.test.ts', "the demo's detection, with notifier 503s and a standby taking the lead"],
  ['services/detector/src/alert-book.test.ts', 'a detector restart mid-incident'],
  ['test/api-bad-input.e2e.test.ts', 'bad input beside good input'],
  ['test/http-fuzz.e2e.test.ts', 'every OpenAPI operation fuzzed'],
];

const out = mkdtempSync(join(tmpdir(), 'earshot-faults-'));
const report = join(out, 'report.json');
const started = Date.now();
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...SUITES.map(([f]) => f)],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
);
let results;
try {
  results = JSON.parse(readFileSync(report, 'utf8')).testResults;
} catch (err) {
  process.stderr.write(`no test report (${err.message}); vitest exited ${run.status}\n`);
  process.exit(run.status || 1);
} finally {
  rmSync(out, { recursive: true, force: true });
}

const rows = ['| fault | what the test checks afterwards | result | s |', '|---|---|---|---|'];
let passed = 0;
let failed = 0;
for (const [file, fault] of SUITES) {
  const suite = results.find((r) => relative(root, r.name) === file);
  for (const t of suite?.assertionResults ?? []) {
    const ok = t.status === 'passed';
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
    rows.push(`| ${fault} | ${t.title} | ${ok ? 'survived' : t.status} | ${((t.duration ?? 0) / 1000).toFixed(1)} |`);
  }
  if (!suite) rows.push(`| ${fault} | (${file} did not run) | missing | |`);
}
process.stdout.write(
  `\nFaults injected and survived: ${passed} passed, ${failed} failed, in ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${rows.join('\n')}\n`,
);
process.exit(run.status ?? 1);
