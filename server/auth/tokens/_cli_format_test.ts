import { assertEquals } from "../../../tests/helpers/assert.ts";
import { formatTable, parseGoDuration, shortHumanDuration } from "./_cli_format.ts";

Deno.test("cli format: Go durations", () => {
  assertEquals(parseGoDuration("24h"), 86_400_000);
  assertEquals(parseGoDuration("1h30m"), 5_400_000);
  assertEquals(parseGoDuration("1.5h"), 5_400_000);
  assertEquals(parseGoDuration("0"), 0);
  assertEquals(parseGoDuration("0s"), 0);
  assertEquals(parseGoDuration("-2m"), -120_000);
  assertEquals(parseGoDuration("24"), 'time: missing unit in duration "24"');
  assertEquals(parseGoDuration("2d"), 'time: unknown unit "d" in duration "2d"');
  assertEquals(parseGoDuration(""), 'time: invalid duration ""');
});

Deno.test("cli format: short human durations as apimachinery prints them", () => {
  assertEquals(shortHumanDuration(86_399_000), "23h");
  assertEquals(shortHumanDuration(59_000), "59s");
  assertEquals(shortHumanDuration(3_599_000), "59m");
  assertEquals(shortHumanDuration(3 * 86_400_000), "3d");
  assertEquals(shortHumanDuration(800 * 86_400_000), "2y");
  assertEquals(shortHumanDuration(-500), "0s");
  assertEquals(shortHumanDuration(-5000), "<invalid>");
});

Deno.test("cli format: tabwriter layout (min width 10, padding 3, last cell unpadded)", () => {
  assertEquals(
    formatTable([["TOKEN", "TTL", "DESCRIPTION"], ["abcdef", "23h", "a rather long note"]]),
    "TOKEN     TTL       DESCRIPTION\n" +
      "abcdef    23h       a rather long note\n",
  );
  assertEquals(
    formatTable([["A", "B"], ["a-very-long-cell", "x"]]),
    `${"A".padEnd(19)}B\na-very-long-cell   x\n`,
  );
});
