#!/usr/bin/env -S node --max-semi-space-size=64
// A larger young generation than V8's default (16 MB semi-spaces): a batch lives for a few turns
// of the event loop, and in small semi-spaces it outlived scavenges, was copied and promoted, and
// left to the old generation's slower collector (npm run bench: 7-10% faster).
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
const { UsageError } = await import('../src/usage-error.ts');
try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`earshot: ${err.message}\nRun "earshot --help" for usage.\n`);
    process.exit(2);
  }
  if (err?.name === 'StoreInUseError' || err?.name === 'HttpReplayError') {
    process.stderr.write(`earshot: ${err.message}\n`);
    process.exit(1);
  }
  if (err?.name === 'BrandsFileError') {
    process.stderr.write(`earshot: ${err.message}\nSee docs/connectors.md for the brands file.\n`);
    process.exit(2);
  }
  process.stderr.write(`earshot: ${err?.stack ?? err}\n`);
  process.exit(1);
}
