/**
 * Figures for `deno task bench`: the per-request cost of bearer authentication (what a pod's
 * every API call pays) and of issuing tokens, measured in process with in-memory lookups so
 * only the token work is timed.
 *
 * @module
 */
import { FakeObjects, object } from "./_test_objects.ts";
import { createBearerAuthenticator } from "./bearer_authenticator.ts";
import { bootstrapTokenToSecret } from "./bootstrap_tokens.ts";
import { DEFAULT_API_AUDIENCES, ServiceAccountTokens } from "./service_account_tokens.ts";
import { generateServiceAccountKey, importServiceAccountKey } from "./signing_key.ts";

async function perSecond(count: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < count; i++) await run();
  return Math.round(count / ((performance.now() - started) / 1000));
}

/**
 * Measures token operations.
 *
 * @param count Iterations per figure (bounded: a few thousand take well under a second each).
 * @returns Operations per second and key costs in milliseconds.
 */
export async function benchTokens(count = 2000): Promise<Record<string, number>> {
  const keyStart = performance.now();
  const { key, pem } = await generateServiceAccountKey();
  const keygenMs = performance.now() - keyStart;
  const loadStart = performance.now();
  await importServiceAccountKey(pem);
  const keyLoadMs = performance.now() - loadStart;

  const objects = new FakeObjects([
    object("ServiceAccount", "ci", "builder", "sa-uid"),
    bootstrapTokenToSecret({
      token: { id: "abcdef", secret: "0123456789abcdef" },
      usages: ["authentication"],
      groups: [],
    }),
  ]);
  const tokens = new ServiceAccountTokens(key);
  const claims = {
    namespace: "ci",
    serviceAccount: { name: "builder", uid: "sa-uid" },
    audiences: DEFAULT_API_AUDIENCES,
    expirationSeconds: 3600,
  };
  const { token } = await tokens.issue(claims);
  const authenticate = createBearerAuthenticator({ stores: objects, key });
  const saRequest = new Request("https://x/api", { headers: { authorization: `Bearer ${token}` } });
  const bootstrapRequest = new Request("https://x/api", {
    headers: { authorization: "Bearer abcdef.0123456789abcdef" },
  });
  return {
    es256_keygen_ms: Math.round(keygenMs * 100) / 100,
    es256_key_load_ms: Math.round(keyLoadMs * 100) / 100,
    sa_token_issue_per_s: await perSecond(count, () => tokens.issue(claims)),
    sa_token_authenticate_per_s: await perSecond(count, () => authenticate(saRequest)),
    bootstrap_token_authenticate_per_s: await perSecond(
      count,
      () => authenticate(bootstrapRequest),
    ),
  };
}

if (import.meta.main) console.log(await benchTokens());
