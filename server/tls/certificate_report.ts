/**
 * Certificate inventories in words: the table, text and JSON forms `k3ts certificate check`
 * prints, laid out like `k3s certificate check` so the same eyes and scripts can read both.
 *
 * @module
 */
import type {
  CertificateRecord,
  CertificateUsageKind,
  ClusterCertificateInventory,
} from "./inventory.ts";

const USAGE_NAMES: Record<CertificateUsageKind, string> = {
  CA: "CertSign",
  server: "ServerAuth",
  client: "ClientAuth",
};

/**
 * K3s's names for usages, comma-separated.
 *
 * @param usages The usages of a certificate.
 * @returns E.g. `ServerAuth,ClientAuth`; `Any` when the certificate restricts none.
 */
export function usageNames(usages: readonly CertificateUsageKind[]): string {
  return usages.length === 0 ? "Any" : usages.map((u) => USAGE_NAMES[u]).join(",");
}

/**
 * RFC 3339 to the second, as Kubernetes timestamps and K3s messages are written.
 *
 * @param date The time.
 * @returns E.g. `2026-05-15T21:50:00Z`.
 */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The EXPIRES cell: `May 15, 2026 21:50 UTC`.
 *
 * @param date The time.
 * @returns The date in UTC, to the minute.
 */
export function formatExpiryDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[date.getUTCMonth()]} ${two(date.getUTCDate())}, ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Calendar-ish units: a month of 30 days and a year of 12 of them, so 365 days reads "1 year". */
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;

/**
 * The RESIDUAL TIME cell: the largest unit that fits, rounded down (`1 year`, `10 years`,
 * `11 months`, `3 weeks`, `5 days`); `N ago` once expired.
 *
 * @param ms Milliseconds left (negative once expired).
 * @returns The time in words.
 */
export function formatResidualTime(ms: number): string {
  const left = Math.abs(ms);
  const units: [number, string][] = [
    [YEAR, "year"],
    [MONTH, "month"],
    [7 * DAY, "week"],
    [DAY, "day"],
    [HOUR, "hour"],
    [MINUTE, "minute"],
    [SECOND, "second"],
  ];
  // Weeks only read well between two of them and two months; below that, days.
  const [size, name] =
    units.find(([size, name]) =>
      left >= size && (name !== "week" || left >= 14 * DAY) &&
      (name !== "month" || left >= 2 * MONTH)
    ) ?? [SECOND, "second"];
  const count = Math.floor(left / size);
  const text = count === 0 ? "now" : `${count} ${name}${count === 1 ? "" : "s"}`;
  return ms < 0 && count > 0 ? `${text} ago` : text;
}

/**
 * Lays out rows in columns separated by three spaces, the last column unpadded (what Go's
 * tabwriter does for K3s).
 */
function columns(rows: readonly string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] + 3)).join("")
  ).join("\n") + "\n";
}

/**
 * The table form: FILENAME SUBJECT USAGES EXPIRES RESIDUAL TIME STATUS, one row per
 * certificate.
 *
 * @param inventory From {@link listClusterCertificates}.
 * @returns The table, ending with a newline.
 */
export function renderCertificateTable(inventory: ClusterCertificateInventory): string {
  const header = ["FILENAME", "SUBJECT", "USAGES", "EXPIRES", "RESIDUAL TIME", "STATUS"];
  const now = inventory.checkedAt.getTime();
  return columns([
    header,
    header.map((title) => "-".repeat(title.length)),
    ...inventory.certificates.map((c) => [
      c.file,
      c.subject,
      usageNames(c.usages),
      formatExpiryDate(c.notAfter),
      formatResidualTime(c.notAfter.getTime() - now),
      c.status,
    ]),
  ]);
}

function textLine(c: CertificateRecord, warnWithinDays: number): string {
  const what = `${c.file}: certificate ${c.subject} (${usageNames(c.usages)})`;
  switch (c.status) {
    case "NOT YET VALID":
      return `ERROR ${what} is not valid before ${rfc3339(c.notBefore)}`;
    case "EXPIRED":
      return `ERROR ${what} expired at ${rfc3339(c.notAfter)}`;
    case "WARNING":
      return `WARN  ${what} will expire within ${warnWithinDays} days at ${rfc3339(c.notAfter)}`;
    default:
      return `INFO  ${what} is ok, expires at ${rfc3339(c.notAfter)}`;
  }
}

/**
 * The text form: one log-style line per certificate and per unreadable file.
 *
 * @param inventory From {@link listClusterCertificates}.
 * @returns The lines, ending with a newline.
 */
export function renderCertificateText(inventory: ClusterCertificateInventory): string {
  const lines = [
    ...inventory.certificates.map((c) => textLine(c, inventory.warnWithinDays)),
    ...inventory.unreadable.map((u) => `ERROR ${u.file}: not a readable certificate: ${u.reason}`),
  ];
  return lines.map((line) => line + "\n").join("");
}

/**
 * The JSON form, for monitoring: the inventory with RFC 3339 times.
 *
 * @param inventory From {@link listClusterCertificates}.
 * @returns Indented JSON, ending with a newline.
 */
export function renderCertificateJson(inventory: ClusterCertificateInventory): string {
  return JSON.stringify(
    {
      ...inventory,
      checkedAt: rfc3339(inventory.checkedAt),
      certificates: inventory.certificates.map((c) => ({
        ...c,
        notBefore: rfc3339(c.notBefore),
        notAfter: rfc3339(c.notAfter),
      })),
    },
    null,
    2,
  ) + "\n";
}
