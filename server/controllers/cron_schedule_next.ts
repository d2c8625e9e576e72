/**
 * When a cron schedule fires next, as upstream's CronJob controller asks robfig/cron v3: five
 * fields (minute, hour, day of month, month, day of week) or a descriptor (`@hourly` ... `@yearly`,
 * `@every <duration>`), evaluated in a time zone's wall clock. A day matches when both day fields
 * match if either of them starts with `*` (or `?`), and when either matches otherwise -- cron's
 * day-of-month/day-of-week OR rule.
 *
 * Grammar and error texts live in the CronJob strategy (`cronScheduleError`): a schedule is
 * checked there first, so this parser only has to read valid ones.
 *
 * @module
 */
import { cronScheduleError } from "../registry/strategies/cron_schedule.ts";

/** A parsed schedule: the next firing strictly after an instant. */
export interface CronSchedule {
  /** The first firing after `after` (ms since the epoch), or undefined within five years. */
  next(after: number): number | undefined;
}

interface FieldBounds {
  min: number;
  max: number;
  names?: readonly string[];
  /** The value the first name stands for. */
  firstName?: number;
}

const MINUTE: FieldBounds = { min: 0, max: 59 };
const HOUR: FieldBounds = { min: 0, max: 23 };
const DAY_OF_MONTH: FieldBounds = { min: 1, max: 31 };
const MONTH: FieldBounds = {
  min: 1,
  max: 12,
  names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  firstName: 1,
};
const DAY_OF_WEEK: FieldBounds = {
  min: 0,
  max: 6,
  names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
  firstName: 0,
};

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** robfig gives up looking after five years (a schedule such as Feb 30 never fires). */
const SEARCH_YEARS = 5;

/** Matching values of one field, and whether it was written as `*` or `?` (no step > 1). */
interface Field {
  values: Set<number>;
  star: boolean;
}

function parseValue(text: string, bounds: FieldBounds): number {
  const named = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  return named >= 0 ? named + (bounds.firstName ?? 0) : Number.parseInt(text, 10);
}

function parseField(text: string, bounds: FieldBounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(",").filter((p) => p !== "")) {
    const [range, stepText] = part.split("/");
    const [low, high] = range.split("-");
    let start: number;
    let end: number;
    let partStar = false;
    if (low === "*" || low === "?") {
      [start, end, partStar] = [bounds.min, bounds.max, true];
    } else {
      start = parseValue(low, bounds);
      end = high === undefined ? start : parseValue(high, bounds);
    }
    const step = stepText === undefined ? 1 : Number.parseInt(stepText, 10);
    // "N/step" means "N-max/step".
    if (stepText !== undefined && high === undefined) end = bounds.max;
    if (step > 1) partStar = false;
    star ||= partStar;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

/** Wall-clock fields of an instant in a time zone (UTC when none is given). */
function wallClock(at: number, formatter: Intl.DateTimeFormat | undefined): number {
  if (!formatter) return at;
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(at)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  // Wall time as if it were UTC: arithmetic on it is calendar arithmetic.
  return Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour % 24,
    parts.minute,
    parts.second,
  ) + (at % 1000 + 1000) % 1000;
}

/** The instant a wall-clock time (as-if-UTC) names in the zone; the earlier one on overlaps. */
function instantOf(wall: number, formatter: Intl.DateTimeFormat | undefined): number {
  if (!formatter) return wall;
  // Two rounds settle the offset except in a gap, where the time moves forward as Go's does.
  let guess = wall - (wallClock(wall, formatter) - wall);
  guess = wall - (wallClock(guess, formatter) - guess);
  return guess;
}

function zoneFormatter(timeZone: string | undefined): Intl.DateTimeFormat | undefined {
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") return undefined;
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
}

class FieldSchedule implements CronSchedule {
  constructor(
    readonly fields: {
      minute: Field;
      hour: Field;
      dayOfMonth: Field;
      month: Field;
      dayOfWeek: Field;
    },
    readonly formatter: Intl.DateTimeFormat | undefined,
  ) {}

  #dayMatches(wall: Date): boolean {
    const { dayOfMonth, dayOfWeek } = this.fields;
    const domMatch = dayOfMonth.values.has(wall.getUTCDate());
    const dowMatch = dayOfWeek.values.has(wall.getUTCDay());
    if (dayOfMonth.star || dayOfWeek.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(after: number): number | undefined {
    const { minute, hour, month } = this.fields;
    const startWall = wallClock(after, this.formatter);
    // The next whole minute of wall-clock time.
    let wall = Math.floor(startWall / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const limit = startWall + SEARCH_YEARS * 366 * DAY_MS;
    while (wall <= limit) {
      const d = new Date(wall);
      if (!month.values.has(d.getUTCMonth() + 1)) {
        wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        continue;
      }
      if (!this.#dayMatches(d)) {
        wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
        continue;
      }
      if (!hour.values.has(d.getUTCHours())) {
        wall = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
        continue;
      }
      if (!minute.values.has(d.getUTCMinutes())) {
        wall += MINUTE_MS;
        continue;
      }
      const instant = instantOf(wall, this.formatter);
      // A wall time repeated when clocks go back was already passed: look further.
      if (instant > after) return instant;
      wall += MINUTE_MS;
    }
    return undefined;
  }
}

/** `@every <duration>`: fixed steps from the previous firing, whole seconds, at least one. */
class EverySchedule implements CronSchedule {
  constructor(readonly delayMs: number) {}

  next(after: number): number {
    return after - (after % 1000 + 1000) % 1000 + this.delayMs;
  }
}

const DURATION_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: MINUTE_MS,
  h: 3_600_000,
};

/** A Go duration (`1h30m`, `90s`) in milliseconds; the strategy has checked its syntax. */
function goDurationMs(text: string): number {
  let total = 0;
  for (const [, number, unit] of text.matchAll(/([0-9.]+)([^0-9.]+)/g)) {
    total += Number(number) * DURATION_UNIT_MS[unit];
  }
  return text.startsWith("-") ? -total : total;
}

/**
 * Parses a CronJob schedule, evaluated in `timeZone` (an IANA name; UTC when absent).
 * @throws {Error} with the parser's message when the schedule or the time zone is invalid.
 * @example
 * ```ts
 * const schedule = parseCronSchedule("*\/15 * * * *");
 * schedule.next(Date.UTC(2024, 0, 1, 10, 7)); // Date.UTC(2024, 0, 1, 10, 15)
 * ```
 */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  const error = cronScheduleError(schedule);
  if (error) throw new Error(error);
  let spec = schedule.trim();
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.indexOf(" ");
    timeZone = spec.slice(spec.indexOf("=") + 1, space);
    spec = spec.slice(space).trim();
  }
  const formatter = zoneFormatter(timeZone);
  if (spec.startsWith("@every ")) {
    const ms = goDurationMs(spec.slice("@every ".length).trim());
    return new EverySchedule(Math.max(1000, ms - ms % 1000));
  }
  const fields = (DESCRIPTORS[spec] ?? spec).split(/\s+/).filter((f) => f !== "");
  return new FieldSchedule({
    minute: parseField(fields[0], MINUTE),
    hour: parseField(fields[1], HOUR),
    dayOfMonth: parseField(fields[2], DAY_OF_MONTH),
    month: parseField(fields[3], MONTH),
    dayOfWeek: parseField(fields[4], DAY_OF_WEEK),
  }, formatter);
}

/**
 * An instant as RFC 3339 in a time zone's wall clock with its offset (`2024-03-01T09:00:00+01:00`,
 * or `...Z` in UTC), as Go's `Time.In(loc).Format(time.RFC3339)`.
 */
export function formatInZone(at: number, timeZone?: string): string {
  const seconds = Math.floor(at / 1000) * 1000;
  const formatter = zoneFormatter(timeZone);
  if (!formatter) return new Date(seconds).toISOString().replace(".000Z", "Z");
  const wall = wallClock(seconds, formatter);
  const offsetMinutes = Math.round((wall - seconds) / MINUTE_MS);
  if (offsetMinutes === 0) return new Date(wall).toISOString().replace(".000Z", "Z");
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  return new Date(wall).toISOString().replace(
    ".000Z",
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
  );
}
