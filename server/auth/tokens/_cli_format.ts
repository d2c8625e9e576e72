/**
 * Text helpers of `k3ts token`: Go durations in (`--ttl 24h`), and the table K3s prints with
 * Go's tabwriter and apimachinery's short human durations.
 *
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (`24h`, `1h30m`, `90s`, `0`) into milliseconds.
 *
 * @returns Milliseconds, or `time.ParseDuration`'s error text.
 */
export function parseGoDuration(value: string): number | string {
  const quoted = JSON.stringify(value);
  const negative = value.startsWith("-");
  let rest = value.replace(/^[-+]/, "");
  if (rest === "0") return 0;
  if (rest === "") return `time: invalid duration ${quoted}`;
  let total = 0;
  while (rest !== "") {
    const number = /^([0-9]*(\.[0-9]*)?)/.exec(rest)![1];
    if (number === "" || number === ".") return `time: invalid duration ${quoted}`;
    rest = rest.slice(number.length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    rest = rest.slice(unit.length);
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    const scale = UNIT_MS[unit];
    if (scale === undefined) {
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    }
    total += Number(number) * scale;
  }
  return negative ? -total : total;
}

/**
 * apimachinery's `ShortHumanDuration`: `45s`, `12m`, `23h`, `6d`, `2y`; `<invalid>` for more
 * than a second in the past.
 */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * Lays out rows as Go's `tabwriter.NewWriter(w, 10, 4, 3, ' ', 0)` does: every cell but the
 * last of a row padded to its column's widest cell plus 3, at least 10 wide.
 */
export function formatTable(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 10, [...cell].length + 3);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join("") + "\n"
  ).join("");
}
