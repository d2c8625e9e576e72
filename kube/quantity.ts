/**
 * Kubernetes resource quantities (`500m`, `128Mi`, `1.5G`, `2e3`): parsing to a number for
 * comparisons (QoS classes, capacity checks). The canonical string form is kept by callers.
 *
 * @module
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** The regex upstream cites when a quantity does not parse. */
export const QUANTITY_DETAIL = "quantities must match the regular expression " +
  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** The quantity's value, or undefined if it is not a valid quantity. Numbers pass through. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const [, digits, suffix, exponent] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  if (suffix === undefined) return base;
  return base * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/**
 * The quantity in thousandths, rounded up to an integer, as upstream's `Quantity.MilliValue()`
 * (cpu `250m` -> 250, `1.5` -> 1500). Exact for decimal input: no binary floating-point drift.
 *
 * @param value a quantity string or a number.
 * @returns the integer, or undefined if `value` is not a quantity.
 * @example
 * ```ts
 * import { milliValue } from "./quantity.ts";
 * milliValue("100m"); // 100
 * ```
 */
export function milliValue(value: unknown): number | undefined {
  return scaledInteger(value, 3);
}

/**
 * The quantity as an integer, rounded up, as upstream's `Quantity.Value()` (memory `1Gi` ->
 * 1073741824, `0.5` -> 1).
 *
 * @param value a quantity string or a number.
 * @returns the integer, or undefined if `value` is not a quantity.
 * @example
 * ```ts
 * import { integerValue } from "./quantity.ts";
 * integerValue("128Mi"); // 134217728
 * ```
 */
export function integerValue(value: unknown): number | undefined {
  return scaledInteger(value, 0);
}

/** `value × 10^shift`, rounded up, computed on integers so `0.1` stays exactly one tenth. */
function scaledInteger(value: unknown, shift: number): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) ? Math.ceil(value * 10 ** shift) : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const [, digits, suffix, exponent] = match;
  const negative = digits.startsWith("-");
  const [whole, fraction = ""] = digits.replace(/^[+-]/, "").split(".");
  let mantissa = BigInt((whole || "0") + fraction);
  let power = shift - fraction.length;
  if (exponent !== undefined) power += Number(exponent);
  else if (suffix !== undefined && BINARY[suffix] !== undefined) {
    mantissa *= BigInt(BINARY[suffix]);
  } else if (suffix !== undefined) power += Math.round(Math.log10(DECIMAL[suffix]));
  let result: bigint;
  if (power >= 0) result = mantissa * 10n ** BigInt(power);
  else {
    const divisor = 10n ** BigInt(-power);
    // Round away from zero for positive values (upstream rounds up), toward zero for negative.
    result = mantissa / divisor + (!negative && mantissa % divisor !== 0n ? 1n : 0n);
  }
  return Number(negative ? -result : result);
}
