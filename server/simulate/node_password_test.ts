import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { ensureNodePassword, nodePasswordPath } from "./node_password.ts";

Deno.test("node password: random on first use, private, and the same ever after", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await ensureNodePassword(dir, "sim-0");
    assert(/^[0-9a-f]{64}$/.test(first), first);
    assertEquals(await ensureNodePassword(dir, "sim-0"), first);
    assert(await ensureNodePassword(dir, "sim-1") !== first, "each node has its own");
    const info = await Deno.stat(nodePasswordPath(dir, "sim-0"));
    assertEquals((info.mode ?? 0) & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
