import express from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createApp, exactRouter } from './server.js';

describe('the HTTP app', () => {
  const deps = { registry: new Registry(), health: [], logger: createLogger('silent') };

  it('refuses a router that matches paths in any letter case or with a trailing slash', () => {
    // The guards decide scope from the path: a loose route would answer /V1/AUTHORS/… past them (issue #35).
    expect(() => createApp({ ...deps, routers: [exactRouter(), express.Router()] })).toThrow(/1 router\(s\) match paths loosely.*exactRouter/);
    expect(() => createApp({ ...deps, routers: [exactRouter()] })).not.toThrow();
  });
});
