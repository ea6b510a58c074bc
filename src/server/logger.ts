/**
 * The gateway's pino logger. One instance per gateway; children carry the component name.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** @param level pino level name. @default 'info' */
export function createLogger(level = 'info'): Logger {
  return pino({ name: 'fleetgraph', level });
}
