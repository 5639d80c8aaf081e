import { ConfigError, loadConfig, type Config } from '@earshot/shared';

/** Loads configuration once at start; a bad variable ends the process with its name. */
export function loadConfigOrExit(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`earshot: ${err.message}\nSee docs/configuration.md for every variable.\n`);
      process.exit(2);
    }
    throw err;
  }
}
