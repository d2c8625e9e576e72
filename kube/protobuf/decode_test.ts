import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ApiError } from "../errors.ts";
import type { JsonValue } from "../types.ts";
import { decodeKubeProtobuf, isKubeProtobuf, supportedKinds } from "./mod.ts";
import { CASES } from "./testdata/cases.ts";
import { hex } from "./testdata/hex.ts";

const TESTDATA = new URL("./testdata/", import.meta.url);

/**
 * The one difference kept from kubectl's JSON: Go writes `null` for nil non-omitempty slices and
 * pointers and for the zero `creationTimestamp`; the decoder leaves those keys out.
 */
function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]),
  );
}

for (const c of CASES) {
  Deno.test(`protobuf: kubectl ${c.args.slice(0, 3).join(" ")} (${c.name}) decodes to its JSON`, async () => {
    const body = await Deno.readFile(new URL(`${c.name}.pb`, TESTDATA));
    const expected = JSON.parse(await Deno.readTextFile(new URL(`${c.name}.json`, TESTDATA)));
    assertEquals(decodeKubeProtobuf(body), withoutNulls(expected));
  });
}

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  const enc = new TextEncoder();
  const str = (field: number, s: string) => [field << 3 | 2, s.length, ...enc.encode(s)];
  const typeMeta = [...str(1, apiVersion), ...str(2, kind)];
  const unknown = [0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw];
  return new Uint8Array([...hex("6b 38 73 00"), ...unknown]);
}

function assertApiError(fn: () => unknown, code: number, fragment: string) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    assertEquals(error.code, code);
    assertEquals(error.message.includes(fragment), true, error.message);
    return;
  }
  throw new Error("expected an ApiError");
}

Deno.test("protobuf: a body without the k8s magic is a 400", () => {
  assertApiError(() => decodeKubeProtobuf(new TextEncoder().encode("{}")), 400, "k8s\\x00");
});

Deno.test("protobuf: a truncated body is a 400 naming the offset", async () => {
  const body = await Deno.readFile(new URL("deployment.pb", TESTDATA));
  assertApiError(() => decodeKubeProtobuf(body.subarray(0, body.length - 7)), 400, "at byte");
});

Deno.test("protobuf: a field with the wrong wire type is a 400 naming the field", () => {
  // ConfigMap field 1 (metadata) sent as a varint.
  const body = envelope("v1", "ConfigMap", [0x08, 0x01]);
  assertApiError(() => decodeKubeProtobuf(body), 400, "core.ConfigMap.metadata");
});

Deno.test("protobuf: an unknown kind is a 415", () => {
  const body = envelope("example.com/v1", "Widget", []);
  assertApiError(() => decodeKubeProtobuf(body), 415, "unknown format");
});

Deno.test("protobuf: unknown fields are skipped and decoding goes on", () => {
  // Field 99 (varint), field 98 (fixed64), field 97 (fixed32) before ConfigMap.data {a: b}.
  const raw = hex(`
    98 06 05
    91 06 01 02 03 04 05 06 07 08
    8d 06 01 02 03 04
    12 06 0a 01 61 12 01 62
  `);
  assertEquals(decodeKubeProtobuf(envelope("v1", "ConfigMap", raw)), {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: {},
    data: { a: "b" },
  });
});

Deno.test("protobuf: an empty typeMeta falls back to the type the caller expects", () => {
  const body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x12, 0x00]);
  const obj = decodeKubeProtobuf(body, { defaultType: { apiVersion: "v1", kind: "Namespace" } });
  assertEquals(obj, { kind: "Namespace", apiVersion: "v1", metadata: {}, spec: {}, status: {} });
});

Deno.test("protobuf: isKubeProtobuf matches the media type, not its parameters", () => {
  assertEquals(isKubeProtobuf("application/vnd.kubernetes.protobuf"), true);
  assertEquals(isKubeProtobuf("Application/VND.Kubernetes.Protobuf; charset=x"), true);
  assertEquals(isKubeProtobuf("application/json"), false);
  assertEquals(isKubeProtobuf(null), false);
});

Deno.test("protobuf: every kind kubectl's create commands send is supported", () => {
  const kinds = supportedKinds();
  for (
    const kind of [
      "v1/Namespace",
      "v1/Secret",
      "apps/v1/Deployment",
      "batch/v1/CronJob",
      "authorization.k8s.io/v1/SelfSubjectAccessReview",
      "authentication.k8s.io/v1/TokenRequest",
    ]
  ) assertEquals(kinds.includes(kind), true, kind);
});
