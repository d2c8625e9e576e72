import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BUILTIN_SCHEMAS } from "./builtin.ts";
import { checkFields, strictDecodingMessage } from "./field_validation.ts";
import { loadManifests, schemaNameFor } from "./testdata/fixtures.ts";

const DEPLOYMENT = "io.k8s.api.apps.v1.Deployment";

function deployment(): Record<string, unknown> {
  const [manifest] = loadManifests("workloads.yaml").filter((m) => m.kind === "Deployment");
  return structuredClone(manifest.object);
}

function containerOf(obj: Record<string, unknown>): Record<string, unknown> {
  // deno-lint-ignore no-explicit-any -- test-only reach into a fixture
  return (obj as any).spec.template.spec.containers[0];
}

Deno.test("checkFields: realistic manifests of every fixture pass cleanly", async (t) => {
  const manifests = loadManifests("workloads.yaml", "networking.yaml", "config.yaml", "rbac.yaml");
  assert(manifests.length >= 25);
  for (const manifest of manifests) {
    await t.step(`${manifest.kind} ${manifest.name}`, () => {
      const schema = schemaNameFor(BUILTIN_SCHEMAS, manifest.apiVersion, manifest.kind);
      assertEquals(checkFields(BUILTIN_SCHEMAS, schema, manifest.object), {
        unknown: [],
        typeErrors: [],
      });
    });
  }
});

Deno.test("checkFields: an unknown container field is reported with its upstream path", () => {
  const obj = deployment();
  containerOf(obj).imagee = "nginx";
  const result = checkFields(BUILTIN_SCHEMAS, DEPLOYMENT, obj);
  assertEquals(result.unknown, ["spec.template.spec.containers[0].imagee"]);
  assertEquals(
    strictDecodingMessage(result.unknown),
    'strict decoding error: unknown field "spec.template.spec.containers[0].imagee"',
  );
});

Deno.test("checkFields: unknown fields at several depths are all reported in document order", () => {
  const result = checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.Service", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "a", labelz: {} },
    spec: { ports: [{ port: 80 }, { port: 81, targetport: 8081 }] },
    extra: true,
  });
  assertEquals(result.unknown, ["metadata.labelz", "spec.ports[1].targetport", "extra"]);
});

Deno.test("checkFields: field names are case-sensitive like upstream's decoder", () => {
  const result = checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.ConfigMap", {
    metadata: { Name: "x" },
  });
  assertEquals(result.unknown, ["metadata.Name"]);
});

Deno.test("checkFields: preserve-unknown-fields subtrees and free-form maps are not inspected", () => {
  const result = checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.Pod", {
    metadata: {
      annotations: { "anything/goes": "x" },
      managedFields: [{ fieldsV1: { "f:spec": { ".": {} } } }],
    },
    spec: {
      containers: [],
      volumes: [{ name: "v", rbd: { monitors: ["a"], unknownDeep: { x: 1 } } }],
    },
  });
  assertEquals(result, { unknown: [], typeErrors: [] });
});

Deno.test("checkFields: null is accepted anywhere", () => {
  const obj = deployment();
  // deno-lint-ignore no-explicit-any -- test-only reach into a fixture
  const spec = (obj as any).spec;
  spec.replicas = null;
  spec.selector = null;
  spec.template.spec.containers[0].ports = null;
  spec.template.spec.containers[0].env[0].value = null;
  assertEquals(checkFields(BUILTIN_SCHEMAS, DEPLOYMENT, obj), { unknown: [], typeErrors: [] });
});

Deno.test("checkFields: type errors are worded like upstream's JSON decoder", () => {
  const obj = deployment();
  // deno-lint-ignore no-explicit-any -- test-only reach into a fixture
  const spec = (obj as any).spec;
  spec.replicas = "3";
  spec.template.spec.containers[0].env[0].value = 8080;
  spec.template.spec.containers[0].args = "--port=8080";
  spec.template.metadata.labels.tier = true;
  spec.paused = "yes";
  spec.minReadySeconds = 1.5;
  assertEquals(checkFields(BUILTIN_SCHEMAS, DEPLOYMENT, obj).typeErrors, [
    "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
    "json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string",
    "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.args of type []string",
    "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string",
    "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool",
    "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.minReadySeconds of type int32",
  ]);
});

Deno.test("checkFields: an object where an array belongs, and the reverse, are type errors", () => {
  const result = checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.Pod", {
    spec: { containers: { name: "a" }, securityContext: [] },
  });
  assertEquals(result.typeErrors, [
    "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container",
    "json: cannot unmarshal array into Go struct field PodSpec.spec.securityContext of type v1.PodSecurityContext",
  ]);
  assertEquals(checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.Pod", []).typeErrors, [
    "json: cannot unmarshal array into Go value of type v1.Pod",
  ]);
});

Deno.test("checkFields: int-or-string accepts integers and strings only", () => {
  const check = (port: unknown) =>
    checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.ServicePort", { port: 80, targetPort: port })
      .typeErrors;
  assertEquals(check(8080), []);
  assertEquals(check("http"), []);
  assertEquals(check(80.5), [
    "json: cannot unmarshal number 80.5 into Go struct field ServicePort.targetPort of type intstr.IntOrString",
  ]);
  assertEquals(check({}), [
    "json: cannot unmarshal object into Go struct field ServicePort.targetPort of type intstr.IntOrString",
  ]);
});

Deno.test("checkFields: quantities accept numbers and well-formed strings", () => {
  const check = (cpu: unknown) =>
    checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.ResourceRequirements", { limits: { cpu } })
      .typeErrors;
  assertEquals(check(0.5), []);
  assertEquals(check("500m"), []);
  assertEquals(check("1.5Gi"), []);
  assertEquals(check("lots"), [
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  ]);
  assertEquals(check(true), [
    "json: cannot unmarshal bool into Go struct field ResourceRequirements.limits of type resource.Quantity",
  ]);
});

Deno.test("checkFields: secret data must be base64 and timestamps RFC 3339", () => {
  const secret = (data: string) =>
    checkFields(BUILTIN_SCHEMAS, "io.k8s.api.core.v1.Secret", { data: { k: data } }).typeErrors;
  assertEquals(secret("c2VjcmV0"), []);
  assertEquals(secret("c2Vj\ncmV0"), []);
  assertEquals(secret("not base64!"), ["illegal base64 data at input byte 3"]);
  assertEquals(secret("c2VjcmV"), ["illegal base64 data at input byte 4"]);
  const time = checkFields(BUILTIN_SCHEMAS, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", {
    creationTimestamp: "yesterday",
  });
  assertEquals(time.typeErrors.length, 1);
  assert(time.typeErrors[0].startsWith('parsing time "yesterday"'));
});

Deno.test("checkFields: a schema name that is not in the set checks nothing", () => {
  assertEquals(checkFields(BUILTIN_SCHEMAS, "com.example.v1.Widget", { any: 1 }), {
    unknown: [],
    typeErrors: [],
  });
});

Deno.test("checkFields: a realistic Deployment is checked in well under a millisecond", () => {
  const obj = deployment();
  for (let i = 0; i < 200; i++) checkFields(BUILTIN_SCHEMAS, DEPLOYMENT, obj);
  const runs = 2000;
  const start = performance.now();
  for (let i = 0; i < runs; i++) checkFields(BUILTIN_SCHEMAS, DEPLOYMENT, obj);
  const perCall = (performance.now() - start) / runs;
  assert(perCall < 0.5, `checkFields took ${perCall.toFixed(4)} ms per Deployment`);
  console.log(`checkFields(Deployment): ${(perCall * 1000).toFixed(1)} µs per call`);
});
