import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STORY_ENCODER_HOW, storyEncoderBuilt } from '@earshot/classifier';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const earshot = (args: string[]) =>
  run('node', [BIN, ...args], { env: { ...process.env, EARSHOT_LOG_LEVEL: 'silent' }, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** `earshot stories` as a user runs it: a separate process, real files. */
describe('earshot stories', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('one {story, label} per input line, in order, from texts or JSONL; reposts share a story', async () => {
    const input = join(dir.path, 'in.txt');
    const output = join(dir.path, 'out.jsonl');
    const lines = [
      'my parcel has not been delivered',
      '{"id": "r1", "text": "I cannot log in to the app"}',
      'where is my delivery, it was due yesterday',
      'login fails with an error every time',
      'the courier never delivered my package',
      'the app will not let me sign in',
      'RT @shop: my parcel has not been delivered',
    ];
    writeFileSync(input, `${lines.join('\n')}\n`);
    const res = await earshot(['stories', '--input', input, '--output', output]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Found \d+ stories in 7 texts/);
    // No silent fallback: stderr names the embedding used, and how to get the encoder.
    if (storyEncoderBuilt()) expect(res.stderr).toMatch(/Stories with the encoder all-MiniLM-L6-v2/);
    else
      expect(res.stderr).toContain(
        `Stories with the static embedding (128 dims, no transformer): the encoder, which finds them better, is not built (\`${STORY_ENCODER_HOW}\``,
      );
    const out = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: string; story: string; label: string });
    expect(out).toHaveLength(7);
    for (const o of out) expect(o).toMatchObject({ story: expect.any(String), label: expect.any(String) });
    expect(out[1]!.id).toBe('r1');
    expect(out[6]!.story).toBe(out[0]!.story);
  });

  it('--embedding static uses the static embedding and says so; --embedding encoder needs it built', async () => {
    const input = join(dir.path, 'two.txt');
    writeFileSync(input, 'my parcel is late\ncannot log in\n');
    const asStatic = await earshot(['stories', '--input', input, '--output', join(dir.path, 'static.jsonl'), '--embedding', 'static']);
    expect(asStatic.code).toBe(0);
    expect(asStatic.stderr).toMatch(/Stories with the static embedding .*, as asked/);
    expect(readFileSync(join(dir.path, 'static.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const asEncoder = await earshot(['stories', '--input', input, '--output', join(dir.path, 'enc.jsonl'), '--embedding', 'encoder']);
    if (storyEncoderBuilt()) expect(asEncoder.code).toBe(0);
    else {
      expect(asEncoder.code).toBe(2);
      expect(asEncoder.stderr).toContain(STORY_ENCODER_HOW);
    }
    const wrong = await earshot(['stories', '--input', input, '--output', join(dir.path, 'x.jsonl'), '--embedding', 'bert']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--embedding is encoder or static/);
  });

  it('says what is missing', async () => {
    const res = await earshot(['stories', '--input', join(dir.path, 'nope.txt'), '--output', join(dir.path, 'o.jsonl')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no file .*nope\.txt/);
  });
});
