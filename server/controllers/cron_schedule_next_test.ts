import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { formatInZone, parseCronSchedule } from "./cron_schedule_next.ts";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s);
const iso = (ms: number | undefined) => ms === undefined ? "never" : new Date(ms).toISOString();

function nextOf(schedule: string, after: number, timeZone?: string): string {
  return iso(parseCronSchedule(schedule, timeZone).next(after));
}

Deno.test("cron: every minute fires on the next whole minute, strictly after", () => {
  assertEquals(nextOf("* * * * *", utc(2024, 1, 1, 10, 7, 30)), iso(utc(2024, 1, 1, 10, 8)));
  assertEquals(nextOf("* * * * *", utc(2024, 1, 1, 10, 8)), iso(utc(2024, 1, 1, 10, 9)));
});

Deno.test("cron: steps, ranges, lists and names", () => {
  assertEquals(nextOf("*/15 * * * *", utc(2024, 1, 1, 10, 7)), iso(utc(2024, 1, 1, 10, 15)));
  assertEquals(nextOf("*/15 * * * *", utc(2024, 1, 1, 10, 50)), iso(utc(2024, 1, 1, 11, 0)));
  assertEquals(nextOf("5/20 * * * *", utc(2024, 1, 1, 10, 30)), iso(utc(2024, 1, 1, 10, 45)));
  assertEquals(nextOf("0 9-17/4 * * *", utc(2024, 1, 1, 14)), iso(utc(2024, 1, 1, 17)));
  assertEquals(nextOf("30 2 * * mon-fri", utc(2024, 1, 6)), iso(utc(2024, 1, 8, 2, 30)));
  assertEquals(nextOf("0 0 1 jan,jul *", utc(2024, 2, 1)), iso(utc(2024, 7, 1)));
  assertEquals(nextOf("0 12 29 2 *", utc(2024, 3, 1)), iso(utc(2028, 2, 29, 12)));
});

Deno.test("cron: day of month OR day of week unless either is a star", () => {
  // 2024-01-01 is a Monday. "1st of the month or any Friday": Friday the 5th comes first.
  assertEquals(nextOf("0 0 1 * 5", utc(2024, 1, 1, 12)), iso(utc(2024, 1, 5)));
  assertEquals(nextOf("0 0 1 * 5", utc(2024, 1, 26, 12)), iso(utc(2024, 2, 1)));
  // With a star in day of month, only Fridays.
  assertEquals(nextOf("0 0 * * 5", utc(2024, 1, 26, 12)), iso(utc(2024, 2, 2)));
  // With a star in day of week, only the 1st.
  assertEquals(nextOf("0 0 1 * *", utc(2024, 1, 26, 12)), iso(utc(2024, 2, 1)));
  // A stepped star (*/2) is not a star: OR again (odd days or Sundays).
  assertEquals(nextOf("0 0 */2 * 0", utc(2024, 1, 1, 12)), iso(utc(2024, 1, 3)));
});

Deno.test("cron: descriptors and @every", () => {
  const after = utc(2024, 5, 15, 10, 20, 5);
  assertEquals(nextOf("@hourly", after), iso(utc(2024, 5, 15, 11)));
  assertEquals(nextOf("@daily", after), iso(utc(2024, 5, 16)));
  assertEquals(nextOf("@midnight", after), iso(utc(2024, 5, 16)));
  assertEquals(nextOf("@weekly", after), iso(utc(2024, 5, 19)));
  assertEquals(nextOf("@monthly", after), iso(utc(2024, 6, 1)));
  assertEquals(nextOf("@yearly", after), iso(utc(2025, 1, 1)));
  assertEquals(nextOf("@annually", after), iso(utc(2025, 1, 1)));
  assertEquals(nextOf("@every 1h30m", after), iso(utc(2024, 5, 15, 11, 50, 5)));
});

Deno.test("cron: a day that never comes gives no next time", () => {
  assertEquals(nextOf("0 0 30 2 *", utc(2024, 1, 1)), "never");
});

Deno.test("cron: time zones move the wall clock", () => {
  // 09:00 in Tokyo (UTC+9, no DST) is 00:00 UTC.
  assertEquals(nextOf("0 9 * * *", utc(2024, 1, 1, 1), "Asia/Tokyo"), iso(utc(2024, 1, 2, 0)));
  assertEquals(formatInZone(utc(2024, 1, 2, 0), "Asia/Tokyo"), "2024-01-02T09:00:00+09:00");
  assertEquals(formatInZone(utc(2024, 1, 2, 0, 0, 0) + 123), "2024-01-02T00:00:00Z");
});

Deno.test("cron: invalid schedules throw the parser's message", () => {
  const messageOf = (schedule: string) => {
    try {
      parseCronSchedule(schedule);
      return "no error";
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert(messageOf("* * *").includes("expected exactly 5 fields"), messageOf("* * *"));
  assert(messageOf("61 * * * *").includes("above maximum"), messageOf("61 * * * *"));
});
