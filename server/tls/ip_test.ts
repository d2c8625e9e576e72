import assert from "node:assert/strict";
import { canonicalIp, parseIp } from "./ip.ts";

Deno.test("ip: canonical forms", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::", "2001:db8::"],
    ["::", "::"],
    ["::ffff:192.0.2.1", "::ffff:c000:201"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
  ];
  for (const [input, expected] of cases) assert.equal(canonicalIp(input), expected, input);
});

Deno.test("ip: invalid addresses are not parsed", () => {
  for (
    const bad of [
      "1.2.3",
      "1.2.3.256",
      "01.2.3.4",
      "1::2::3",
      ":1",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "host",
    ]
  ) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  assert.throws(() => canonicalIp("host"), TypeError);
});
