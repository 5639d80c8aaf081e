import { fileURLToPath } from 'node:url';

/** Where `npm ci` (the root prepare script) builds the console: index.html and its hashed assets. */
export const CONSOLE_DIR = fileURLToPath(new URL('./dist', import.meta.url));
