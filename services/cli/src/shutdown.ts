import type { Logger } from '@earshot/shared';

/**
 * SIGINT, SIGTERM and an unhandled rejection all end the process through the same
 * ordered stop; a second signal forces the exit.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      logger.warn('second signal: exiting now');
      process.exit(code || 130);
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    stop().then(
      () => process.exit(code),
      (err) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('unhandledRejection', (err) => {
    logger.error({ err }, 'unhandled rejection');
    shutdown('unhandledRejection', 1);
  });
}
