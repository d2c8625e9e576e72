/**
 * The grammar of `CronJob.spec.schedule`: what upstream's parser (robfig/cron v3 `ParseStandard`)
 * accepts, with its error texts -- five fields (minute, hour, day of month, month, day of week)
 * of `*`, `?`, numbers, names, ranges, steps and lists, or a descriptor such as `@daily` or
 * `@every 1h30m`.
 *
 * @module
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])) },
];

const DESCRIPTORS = [
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
];

/** Go duration units `time.ParseDuration` knows. */
const DURATION_UNITS = ["ns", "us", "µs", "\u03bcs", "ms", "s", "m", "h"];

/** Go's `strconv.Atoi` then a sign check, with robfig's wording. */
function parseNumber(expr: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(expr)) {
    return `failed to parse int from ${expr}: strconv.Atoi: parsing ${
      JSON.stringify(expr)
    }: invalid syntax`;
  }
  const num = Number.parseInt(expr, 10);
  if (num < 0) return `negative number (${num}) not allowed: ${expr}`;
  return num;
}

function parseIntOrName(expr: string, bounds: Bounds): number | string {
  const named = bounds.names?.[expr.toLowerCase()];
  return named !== undefined ? named : parseNumber(expr);
}

/** One comma-separated part of a field: `*`, `5`, `1-5`, `*\/10`, `mon-fri/2`. */
function rangeError(expr: string, bounds: Bounds): string | undefined {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0].split("-");
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = bounds.min;
    end = bounds.max;
  } else {
    const low = parseIntOrName(lowAndHigh[0], bounds);
    if (typeof low === "string") return low;
    start = low;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const high = parseIntOrName(lowAndHigh[1], bounds);
      if (typeof high === "string") return high;
      end = high;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const parsed = parseNumber(rangeAndStep[1]);
    if (typeof parsed === "string") return parsed;
    step = parsed;
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = bounds.max;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < bounds.min) {
    return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  }
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

/** `time.ParseDuration`'s error for `value`, or undefined when it is a Go duration. */
export function goDurationError(value: string): string | undefined {
  const quoted = JSON.stringify(value);
  let rest = value.replace(/^[-+]/, "");
  if (rest === "0") return undefined;
  if (rest === "") return `time: invalid duration ${quoted}`;
  while (rest !== "") {
    const number = /^([0-9]*)(\.([0-9]*))?/.exec(rest)!;
    if ((number[1] ?? "") === "" && (number[3] ?? "") === "") {
      return `time: invalid duration ${quoted}`;
    }
    rest = rest.slice(number[0].length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    rest = rest.slice(unit.length);
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    if (!DURATION_UNITS.includes(unit)) {
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    }
  }
  return undefined;
}

function descriptorError(descriptor: string): string | undefined {
  if (DESCRIPTORS.includes(descriptor)) return undefined;
  const every = "@every ";
  if (descriptor.startsWith(every)) {
    const error = goDurationError(descriptor.slice(every.length));
    return error ? `failed to parse duration ${descriptor}: ${error}` : undefined;
  }
  return `unrecognized descriptor: ${descriptor}`;
}

/**
 * Why `schedule` is not a valid cron schedule, in the parser's words, or undefined when it is.
 * A leading `TZ=`/`CRON_TZ=` is skipped here; the CronJob strategy rejects it separately.
 */
export function cronScheduleError(schedule: string): string | undefined {
  if (schedule.length === 0) return "empty spec string";
  let spec = schedule;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.indexOf(" ");
    spec = space < 0 ? "" : spec.slice(space).trim();
  }
  if (spec.startsWith("@")) return descriptorError(spec);
  const fields = spec.split(/\s+/).filter((f) => f !== "");
  if (fields.length !== FIELDS.length) {
    return `expected exactly ${FIELDS.length} fields, found ${fields.length}: [${
      fields.join(" ")
    }]`;
  }
  for (const [i, field] of fields.entries()) {
    for (const expr of field.split(",").filter((e) => e !== "")) {
      const error = rangeError(expr, FIELDS[i]);
      if (error) return error;
    }
  }
  return undefined;
}
