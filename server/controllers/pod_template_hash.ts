/**
 * The `pod-template-hash` a Deployment gives each of its ReplicaSets: a short, name-safe hash of
 * the pod template (and of the Deployment's collision count, so a collision can be escaped by
 * counting up). The same template always gives the same hash, so a rollout back to an earlier
 * template finds the ReplicaSet it had.
 *
 * @module
 */

/** The label (on ReplicaSet selector, template and pods) that tells the revisions apart. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/**
 * Characters the hash is spelt with: no vowels (no words) and no look-alikes, as upstream's
 * safe encoding.
 */
const SAFE_CHARACTERS = "bcdfghjklmnpqrstvwxz2456789";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over UTF-8 bytes. */
function fnv1a(text: string, seed = FNV_OFFSET): number {
  let hash = seed;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/**
 * JSON with object keys sorted and null or absent fields left out, so equal templates hash
 * equally whatever their key order (a field set to null means unset in the API: a template
 * patched back by `kubectl rollout undo` carries `creationTimestamp: null`).
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The hash of a pod template, as the label value and ReplicaSet name suffix.
 * @example
 * ```ts
 * const hash = podTemplateHash({ spec: { containers: [{ name: "web", image: "nginx" }] } });
 * // `web-${hash}` names the ReplicaSet
 * ```
 */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let hash = fnv1a(canonicalJson(template));
  if (collisionCount !== undefined && collisionCount > 0) {
    hash = fnv1a(String(collisionCount), hash);
  }
  let encoded = "";
  for (const digit of String(hash)) {
    encoded += SAFE_CHARACTERS[digit.charCodeAt(0) % SAFE_CHARACTERS.length];
  }
  return encoded;
}

/** A template without the hash label (how a Deployment's own template looks). */
function withoutHash(template: unknown): unknown {
  if (template === null || typeof template !== "object") return template;
  const t = template as { metadata?: { labels?: Record<string, string> } };
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  const metadata: Record<string, unknown> = { ...(t.metadata ?? {}) };
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  else delete metadata.labels;
  return { ...t, metadata };
}

/**
 * True when two pod templates are equal once the hash label is set aside (and null fields, which
 * mean unset): how a Deployment recognises the ReplicaSet of its current template. Templates are
 * taken as immutable (as cached objects are): each one's canonical text is computed once.
 */
export function templatesEqualIgnoringHash(a: unknown, b: unknown): boolean {
  return comparable(a) === comparable(b);
}

/** Canonical text of templates already seen: cached objects are replaced, never changed. */
const comparableTexts = new WeakMap<object, string>();

function comparable(template: unknown): string {
  if (template === null || typeof template !== "object") return canonicalJson(template ?? null);
  let text = comparableTexts.get(template);
  if (text === undefined) {
    comparableTexts.set(template, text = canonicalJson(withoutHash(template)));
  }
  return text;
}
