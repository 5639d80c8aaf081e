/** Progress lines on stderr: rewritten in place on a terminal, one line every few seconds otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, everyMs = 2000) {
  const tty = stream.isTTY === true;
  let last = 0;
  return {
    update(line: string, force = false) {
      const now = Date.now();
      if (!force && now - last < (tty ? 100 : everyMs)) return;
      last = now;
      if (tty) stream.write(`\r\x1b[2K${line}`);
      else stream.write(`${line}\n`);
    },
    done(line: string) {
      if (tty) stream.write(`\r\x1b[2K${line}\n`);
      else stream.write(`${line}\n`);
    },
  };
}

export const fmt = (n: number) => n.toLocaleString('en-US');
