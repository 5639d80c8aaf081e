import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { exactRouter } from '@earshot/shared';
import { CONSOLE_DIR } from '@earshot/console';

/**
 * The web console at / (its assets under /console/), built by `npm ci` into the console
 * package. Views are addressed in the URL fragment, so every link is the one page.
 */
export function createConsoleRouter(dir = CONSOLE_DIR): Router {
  const router = exactRouter();
  router.get('/', (_req, res) => {
    const index = join(dir, 'index.html');
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send(`The web console is not built (no ${index}). Build it with: npm run build -w @earshot/console`);
      return;
    }
    res.set('cache-control', 'no-cache').sendFile(index);
  });
  // File names carry a content hash, so they can be cached for good.
  router.use('/console', express.static(dir, { index: false, immutable: true, maxAge: '365d', fallthrough: false }));
  return router;
}
