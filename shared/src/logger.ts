import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stderr, so stdout stays free for command output (classify, detect, bench). */
export function createLogger(level: string, name = 'earshot'): Logger {
  return pino({ name, level, base: { service: name } }, pino.destination(2));
}
