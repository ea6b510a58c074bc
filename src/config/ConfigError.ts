/**
 * The error loadConfig throws for invalid configuration: it names the flag (or env variable, or file key)
 * that is wrong, so the CLI can print one precise line and exit 2.
 */
export class ConfigError extends Error {
  /** The flag, env variable or config-file key at fault, e.g. `--port` or `PORT`. */
  readonly source: string;

  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'ConfigError';
    this.source = source;
  }
}
