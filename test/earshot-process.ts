import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

/** `earshot run` as a user starts it, embedded, on a data directory; resolves with its URL once it serves. */
export function startEarshot(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('node', [BIN, 'run'], {
    env: {
      ...process.env,
      EARSHOT_DATA_DIR: dataDir,
      EARSHOT_PORT: '0',
      EARSHOT_HOST: '127.0.0.1',
      EARSHOT_BRANDS: 'acme=acme',
      EARSHOT_LOG_LEVEL: 'warn',
      EARSHOT_DETECT_CRON: '0 0 1 1 *',
      ...env,
    },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (b: Buffer) => {
      output += b.toString();
      const url = /Earshot running .* on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) resolve({ child, url });
    };
    child.stderr.on('data', read);
    child.stdout.on('data', read);
    child.on('exit', (code) => reject(new Error(`earshot exited with ${code}:\n${output}`)));
  });
}

/** Stops it as an operator would (SIGINT: drain, commit, close) and waits for the exit. */
export async function stopEarshot(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

/** The console's address that `earshot run` prints on stderr once it serves; rejects if it exits first. */
export function consoleUrl(child: ChildProcess): Promise<string> {
  let log = '';
  return new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      const m = /Earshot console: (http:\/\/\S+?)\/\n/.exec(log);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`earshot run exited ${code}: ${log}`)));
  });
}
