/**
 * JSON forms of the apimachinery messages that do not encode as objects: Time, MicroTime,
 * Quantity, IntOrString, Duration. Each takes the message's decoded fields.
 *
 * @module
 */

/** `metav1.Time`: RFC 3339 with second precision, or undefined for the zero time (JSON null). */
export function timeToJson(seconds: number, nanos: number): string | undefined {
  if (seconds === 0 && nanos === 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `metav1.MicroTime`: RFC 3339 with six fractional digits, or undefined for the zero time. */
export function microTimeToJson(seconds: number, nanos: number): string | undefined {
  if (seconds === 0 && nanos === 0) return undefined;
  const micros = String(Math.floor(nanos / 1000)).padStart(6, "0");
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
}

/** `intstr.IntOrString`: type 1 is a string, anything else the int. */
export function intOrStringToJson(type: number, intVal: number, strVal: string): number | string {
  return type === 1 ? strVal : intVal;
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ["ms", 1e6],
  ["µs", 1e3],
  ["ns", 1],
];

function trimFraction(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, "");
}

/** `metav1.Duration`: Go's `time.Duration.String()`, e.g. `1h0m0s`, `1.5s`, `300ms`. */
export function durationToJson(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const sign = nanoseconds < 0 ? "-" : "";
  const abs = Math.abs(nanoseconds);
  if (abs < 1e9) {
    const [unit, size] = UNITS.find(([, size]) => abs >= size) ?? UNITS[UNITS.length - 1];
    return `${sign}${trimFraction(abs / size, 9)}${unit}`;
  }
  const hours = Math.floor(abs / 3.6e12);
  const minutes = Math.floor((abs % 3.6e12) / 6e10);
  const seconds = trimFraction((abs % 6e10) / 1e9, 9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
