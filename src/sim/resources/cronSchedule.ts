/**
 * Standard 5-field cron schedules (minute hour day-of-month month day-of-week), as the CronJob
 * controller reads them through robfig/cron's standard parser: lists, ranges, steps (`*\/5`, `1-30/2`),
 * month and weekday names, `?` as `*`, the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly
 * descriptors, and an optional `TZ=` / `CRON_TZ=` prefix (only UTC is evaluated; others are refused
 * by validation as 1.26 does unless they name UTC). Times are evaluated in UTC.
 */

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Whether day-of-month / day-of-week were `*` (cron's OR rule applies only when both are restricted). */
  daysStar: boolean;
  weekdaysStar: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function value(text: string, names: string[] | undefined, nameBase: number): number {
  const lower = text.toLowerCase();
  if (names) {
    const i = names.indexOf(lower);
    if (i >= 0) return i + nameBase;
  }
  if (!/^\d+$/.test(text)) throw new Error(`failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

function field(text: string, min: number, max: number, names?: string[], nameBase = 0): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [rangeText, stepText, extra] = part.split('/');
    if (extra !== undefined) throw new Error(`too many slashes: ${part}`);
    let lo: number;
    let hi: number;
    if (rangeText === '*' || rangeText === '?') {
      lo = min;
      hi = max;
      if (stepText === undefined) star = true;
    } else {
      const [a, b, more] = rangeText!.split('-');
      if (more !== undefined) throw new Error(`too many hyphens: ${rangeText}`);
      lo = value(a!, names, nameBase);
      hi = b === undefined ? (stepText !== undefined ? max : lo) : value(b, names, nameBase);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`step of range should be a positive number: ${part}`);
    if (lo < min) throw new Error(`beginning of range (${lo}) below minimum (${min}): ${part}`);
    if (hi > max) throw new Error(`end of range (${hi}) above maximum (${max}): ${part}`);
    if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Parses a schedule; throws an Error whose message is the parser's reason. */
export function parseCron(schedule: string): CronSchedule {
  let text = schedule.trim();
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (tz) {
    if (tz[1] !== 'UTC' && tz[1] !== 'Etc/UTC') throw new Error('CRON_TZ or TZ used in schedule is not supported, please use the timeZone field');
    text = text.slice(tz[0].length);
  }
  if (text.startsWith('@')) {
    const d = DESCRIPTORS[text.toLowerCase()];
    if (!d) throw new Error(`unrecognized descriptor: ${text}`);
    text = d;
  }
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`);
  const minutes = field(parts[0]!, 0, 59);
  const hours = field(parts[1]!, 0, 23);
  const days = field(parts[2]!, 1, 31);
  const months = field(parts[3]!, 1, 12, MONTHS, 1);
  const weekdays = field(parts[4]!, 0, 7, WEEKDAYS, 0);
  if (weekdays.set.has(7)) {
    weekdays.set.delete(7);
    weekdays.set.add(0);
  }
  return { minutes: minutes.set, hours: hours.set, days: days.set, months: months.set, weekdays: weekdays.set, daysStar: days.star, weekdaysStar: weekdays.star };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.daysStar || s.weekdaysStar) return dom && dow;
  return dom || dow;
}

/** The first scheduled time strictly after `after` (ms since epoch, UTC), or undefined within ~5 years. */
export function nextRun(s: CronSchedule, after: number): number | undefined {
  const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const limit = after + 5 * 366 * 86_400_000;
  while (d.getTime() < limit) {
    if (!s.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}

/** The latest scheduled time in (after, until], or undefined when none. */
export function lastRunBetween(s: CronSchedule, after: number, until: number): number | undefined {
  let last: number | undefined;
  let t = nextRun(s, after);
  // Bounded: a controller that was asleep for long only needs the most recent missed time.
  for (let i = 0; t !== undefined && t <= until && i < 100_000; i++) {
    last = t;
    t = nextRun(s, t);
  }
  return last;
}
