/**
 * Test support: a real {@link StoreSet} (the generic REST store with the built-in strategies,
 * admission, field checks and patches) over a SQLite datastore in a temporary directory, without
 * the HTTP server around it — for unit tests and in-process benchmarks of anything that runs
 * against the stores (authorisers, controllers, the scheduler).
 *
 * @module
 */
import { createAdmission } from "../../server/apiserver/admission.ts";
import { createFieldChecker } from "../../server/apiserver/field_check.ts";
import { StoreSet } from "../../server/apiserver/handler.ts";
import { createPatchEngine } from "../../server/apiserver/patching.ts";
import { ResourceRegistry } from "../../server/apiserver/resources.ts";
import { BUILTIN_RESOURCES } from "../../server/registry/catalog.ts";
import { strategyFor } from "../../server/registry/strategies/mod.ts";
import { openSqliteBackend } from "../../server/storage/sqlite.ts";
import type { Backend } from "../../server/storage/types.ts";

/** Stores over a temporary datastore; dispose to close and remove it. */
export interface TestStores extends AsyncDisposable {
  stores: StoreSet;
  /** The datastore under the stores (tests may watch what the stores ask of it). */
  backend: Backend;
  /** Closes the datastore and opens it again (a server restart, as the store sees it). */
  reopen(): Promise<StoreSet>;
}

function storesOver(path: string): { stores: StoreSet; backend: Backend; close(): Promise<void> } {
  const backend = openSqliteBackend(path);
  const registry = new ResourceRegistry();
  for (const info of BUILTIN_RESOURCES) registry.add(info, strategyFor(info));
  const stores: StoreSet = new StoreSet(registry, {
    backend,
    admission: createAdmission({
      backend,
      serviceCidr: "10.43.0.0/16",
      getNamespace: (name) => stores.forKind("", "Namespace").find(undefined, name),
    }),
    fields: createFieldChecker(),
    patches: createPatchEngine(),
  });
  return { stores, backend, close: () => backend.close() };
}

/** Opens stores in a fresh temporary directory, with the given namespaces created. */
export async function openTestStores(namespaces: string[] = []): Promise<TestStores> {
  const dir = await Deno.makeTempDir({ prefix: "k3ts-stores-" });
  let current = storesOver(`${dir}/state.db`);
  for (const name of namespaces) {
    await current.stores.forKind("", "Namespace").create(undefined, { metadata: { name } });
  }
  return {
    get stores() {
      return current.stores;
    },
    get backend() {
      return current.backend;
    },
    async reopen() {
      await current.close();
      current = storesOver(`${dir}/state.db`);
      return current.stores;
    },
    async [Symbol.asyncDispose]() {
      await current.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
