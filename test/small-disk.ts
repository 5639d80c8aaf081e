import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * A real small filesystem at `dir` (tmpfs of `mb` MiB), for faults a full disk causes.
 * Mounting needs root: elsewhere `ok` is false and `reason` says why, for the test to skip.
 */
export function mountSmallDisk(dir: string, mb: number): { ok: true; unmount(): void } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'mounting a small filesystem needs root' };
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return { ok: false, reason: `cannot mount a ${mb} MiB tmpfs at ${dir}: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}` };
  }
  return {
    ok: true,
    unmount: () => {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } catch {
        // Already gone; nothing left to free.
      }
    },
  };
}
