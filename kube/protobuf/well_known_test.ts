import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { durationToJson, intOrStringToJson, microTimeToJson, timeToJson } from "./well_known.ts";

Deno.test("well-known: Time is RFC 3339 to the second; the zero time is null", () => {
  assertEquals(timeToJson(1704067200, 0), "2024-01-01T00:00:00Z");
  assertEquals(timeToJson(1704067200, 999_000_000), "2024-01-01T00:00:00Z");
  assertEquals(timeToJson(0, 0), undefined);
});

Deno.test("well-known: MicroTime keeps six fractional digits", () => {
  assertEquals(microTimeToJson(1704067200, 1_234_567), "2024-01-01T00:00:00.001234Z");
});

Deno.test("well-known: IntOrString picks by type", () => {
  assertEquals(intOrStringToJson(0, 8080, ""), 8080);
  assertEquals(intOrStringToJson(1, 0, "http"), "http");
});

Deno.test("well-known: Duration prints like Go's time.Duration", () => {
  assertEquals(durationToJson(0), "0s");
  assertEquals(durationToJson(3600e9), "1h0m0s");
  assertEquals(durationToJson(90e9), "1m30s");
  assertEquals(durationToJson(1.5e9), "1.5s");
  assertEquals(durationToJson(300e6), "300ms");
  assertEquals(durationToJson(1500), "1.5µs");
  assertEquals(durationToJson(-2e9), "-2s");
});
