/**
 * Standard five-field cron expressions (minute hour day-of-month month day-of-week, UTC) for scheduled
 * backups (seed 002 §4.1): numbers, `*`, lists, ranges and steps, and the usual rule that when both
 * day fields are restricted a day matching either one runs.
 */
export interface CronSchedule {
  /** The first run strictly after `after` (ms since epoch), or undefined within the next four years. */
  nextAfter(after: number): number | undefined;
}

const RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

function parseField(text: string, [min, max]: [number, number]): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return undefined;
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range!.includes('-')) [lo, hi] = range!.split('-').map(Number) as [number, number];
    else [lo, hi] = [Number(range), stepText === undefined ? Number(range) : max];
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v === 7 && max === 6 ? 0 : v);
  }
  return out;
}

/** Parses an expression; undefined when it is not valid cron. */
export function parseCron(expression: string): CronSchedule | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const sets = fields.map((f, i) => parseField(f, RANGES[i]!));
  if (sets.some((s) => !s)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Array<Set<number>>;
  const dayRestricted = fields[2] !== '*';
  const weekdayRestricted = fields[4] !== '*';
  const dayMatches = (d: Date) => {
    const dom = days!.has(d.getUTCDate());
    const dow = weekdays!.has(d.getUTCDay());
    if (dayRestricted && weekdayRestricted) return dom || dow;
    return dom && dow;
  };
  return {
    nextAfter(after: number): number | undefined {
      const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
      const limit = after + 4 * 366 * 24 * 3600 * 1000;
      while (d.getTime() <= limit) {
        if (!months!.has(d.getUTCMonth() + 1)) {
          d.setUTCMonth(d.getUTCMonth() + 1, 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(d)) {
          d.setUTCDate(d.getUTCDate() + 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hours!.has(d.getUTCHours())) {
          d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!minutes!.has(d.getUTCMinutes())) {
          d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        return d.getTime();
      }
      return undefined;
    },
  };
}
