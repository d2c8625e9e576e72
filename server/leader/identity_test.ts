import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { ensureLeaderIdentity } from "./identity.ts";

Deno.test("leader identity: node name and an id kept, private, in the server dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-leader-id-" });
  try {
    const first = await ensureLeaderIdentity(dir, "server-1");
    assertMatch(first, /^server-1_[0-9a-f-]{36}$/);
    assertEquals((await Deno.stat(`${dir}/leader-id`)).mode! & 0o777, 0o600);
    // A restart (even after kill -9) campaigns as the same candidate.
    assertEquals(await ensureLeaderIdentity(dir, "server-1"), first);
    // Another server (its own data dir) is another candidate.
    const other = await Deno.makeTempDir({ prefix: "k3ts-leader-id-" });
    try {
      assert(await ensureLeaderIdentity(other, "server-1") !== first);
    } finally {
      await Deno.remove(other, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("leader identity: a file that holds no id is replaced", async () => {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-leader-id-" });
  try {
    await Deno.writeTextFile(`${dir}/leader-id`, "", { mode: 0o644 });
    const identity = await ensureLeaderIdentity(dir, "n");
    assertMatch(identity, /^n_[0-9a-f-]{36}$/);
    assertEquals((await Deno.stat(`${dir}/leader-id`)).mode! & 0o777, 0o600);
    assertEquals(await ensureLeaderIdentity(dir, "n"), identity);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
