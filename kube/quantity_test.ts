import { assertEquals } from "../tests/helpers/assert.ts";
import { integerValue, milliValue, parseQuantity } from "./quantity.ts";

Deno.test("quantity: binary, decimal and exponent suffixes", () => {
  assertEquals(parseQuantity("128Mi"), 128 * 2 ** 20);
  assertEquals(parseQuantity("500m"), 0.5);
  assertEquals(parseQuantity("1.5G"), 1.5e9);
  assertEquals(parseQuantity("2e3"), 2000);
  assertEquals(parseQuantity(3), 3);
});

Deno.test("quantity: junk does not parse", () => {
  assertEquals(parseQuantity("ten"), undefined);
  assertEquals(parseQuantity("1Xi"), undefined);
  assertEquals(parseQuantity(""), undefined);
  assertEquals(parseQuantity(undefined), undefined);
});

Deno.test("quantity: milliValue and integerValue round up on exact decimals", () => {
  assertEquals(milliValue("100m"), 100);
  assertEquals(milliValue("0.1"), 100);
  assertEquals(milliValue("1.5"), 1500);
  assertEquals(milliValue("2"), 2000);
  assertEquals(milliValue("1e-4"), 1);
  assertEquals(milliValue("500u"), 1);
  assertEquals(milliValue(0.25), 250);
  assertEquals(integerValue("128Mi"), 128 * 2 ** 20);
  assertEquals(integerValue("1.5Gi"), 1.5 * 2 ** 30);
  assertEquals(integerValue("1G"), 1e9);
  assertEquals(integerValue("0.5"), 1);
  assertEquals(integerValue("100m"), 1);
  assertEquals(integerValue("110"), 110);
  assertEquals(integerValue("-1.5"), -1);
  assertEquals(integerValue("junk"), undefined);
});
