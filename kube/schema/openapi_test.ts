import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createHash } from "node:crypto";
import { BUILTIN_RESOURCES } from "../../server/registry/catalog.ts";
import type { ResourceInfo } from "../../server/registry/types.ts";
import { BUILTIN_SCHEMAS } from "./builtin.ts";
import { obj, str } from "./dsl.ts";
import { buildOpenApiV3 } from "./openapi.ts";

// deno-lint-ignore no-explicit-any -- parsed OpenAPI documents are free-form JSON
type Json = any;

function documentOf(
  key: string,
  resources: readonly ResourceInfo[] = BUILTIN_RESOURCES,
  schemas = BUILTIN_SCHEMAS,
): Json {
  const doc = buildOpenApiV3(resources, schemas).documents.get(key);
  assert(doc, `no document ${key}`);
  return JSON.parse(doc.json);
}

/** What kubectl's query-param verifier does: find the PATCH of the kind, then the parameter. */
function supportsFieldValidation(
  doc: Json,
  gvk: { group: string; version: string; kind: string },
): boolean {
  for (const item of Object.values<Json>(doc.paths)) {
    const ext = item.patch?.["x-kubernetes-group-version-kind"];
    if (ext?.group === gvk.group && ext.version === gvk.version && ext.kind === gvk.kind) {
      return item.patch.parameters.some((p: Json) =>
        p.name === "fieldValidation" && p.in === "query"
      );
    }
  }
  return false;
}

Deno.test("openapi: the index lists every group-version with a hashed URL", () => {
  const { index, documents } = buildOpenApiV3(BUILTIN_RESOURCES, BUILTIN_SCHEMAS);
  const expected = new Set(
    BUILTIN_RESOURCES.map((r) => r.group === "" ? "api/v1" : `apis/${r.group}/${r.version}`),
  );
  assertEquals(Object.keys(index.paths).sort(), [...expected].sort());
  for (const [key, { serverRelativeURL }] of Object.entries(index.paths)) {
    const doc = documents.get(key)!;
    assertEquals(serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
    assertEquals(doc.hash, createHash("sha512").update(doc.json).digest("hex").toUpperCase());
  }
});

Deno.test("openapi: apps/v1 has a PATCH for Deployment with its kind and a fieldValidation parameter", () => {
  const doc = documentOf("apis/apps/v1");
  const patch = doc.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
  assertEquals(patch["x-kubernetes-group-version-kind"], {
    group: "apps",
    kind: "Deployment",
    version: "v1",
  });
  assertEquals(patch["x-kubernetes-action"], "patch");
  assertEquals(patch.operationId, "patchAppsV1NamespacedDeployment");
  const params = patch.parameters.map((p: Json) => p.name);
  for (const name of ["dryRun", "fieldManager", "fieldValidation", "force"]) {
    assert(params.includes(name), name);
  }
  assertEquals(Object.keys(patch.requestBody.content).sort(), [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
  ]);
});

Deno.test("openapi: every served kind passes kubectl's fieldValidation check", () => {
  for (const r of BUILTIN_RESOURCES) {
    const key = r.group === "" ? "api/v1" : `apis/${r.group}/${r.version}`;
    assert(supportsFieldValidation(documentOf(key), r), `${r.group}/${r.kind}`);
  }
});

Deno.test("openapi: collection, item, status and scale paths are present", () => {
  const apps = documentOf("apis/apps/v1");
  const base = "/apis/apps/v1/namespaces/{namespace}/deployments";
  assertEquals(
    Object.keys(apps.paths[base]).filter((k) => k !== "parameters" && k !== "description"),
    [
      "get",
      "post",
      "delete",
    ],
  );
  assertEquals(apps.paths[base].get["x-kubernetes-action"], "list");
  assertEquals(apps.paths[base].delete["x-kubernetes-action"], "deletecollection");
  assert(apps.paths["/apis/apps/v1/deployments"].get);
  assertEquals(
    apps.paths[`${base}/{name}/status`].patch["x-kubernetes-group-version-kind"].kind,
    "Deployment",
  );
  const scale = apps.paths[`${base}/{name}/scale`];
  assertEquals(scale.patch["x-kubernetes-group-version-kind"], {
    group: "autoscaling",
    kind: "Scale",
    version: "v1",
  });
  assert(apps.components.schemas["io.k8s.api.autoscaling.v1.Scale"]);
  assert(!apps.paths["/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}/scale"]);
  const core = documentOf("api/v1");
  assert(core.paths["/api/v1/nodes/{name}"].patch, "cluster-scoped item path");
  assert(
    !core.paths["/api/v1/namespaces/{namespace}/nodes"],
    "no namespaced path for a cluster-scoped kind",
  );
  assertEquals(
    core.paths["/api/v1/namespaces/{namespace}/pods/{name}/log"].get.responses["200"]
      .content["text/plain"],
    {
      schema: { type: "string" },
    },
  );
  assertEquals(
    core.paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"].get["x-kubernetes-action"],
    "connect",
  );
  assert(core.components.schemas["io.k8s.api.policy.v1.Eviction"]);
});

Deno.test("openapi: components are the closure of the group-version's kinds and every $ref resolves", () => {
  for (
    const key of ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/rbac.authorization.k8s.io/v1"]
  ) {
    const doc = documentOf(key);
    const schemas = doc.components.schemas;
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)]
      .map((m) => m[1]);
    for (const ref of refs) assert(schemas[ref], `${key}: dangling ${ref}`);
    assert(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
    assert(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Status"]);
  }
  const rbac = documentOf("apis/rbac.authorization.k8s.io/v1").components.schemas;
  assert(!rbac["io.k8s.api.core.v1.PodSpec"], "unrelated schemas stay out");
  const apps = documentOf("apis/apps/v1").components.schemas;
  assert(apps["io.k8s.api.core.v1.Container"], "referenced core schemas come along");
});

Deno.test("openapi: output is deterministic whatever the resource order", () => {
  const a = buildOpenApiV3(BUILTIN_RESOURCES, BUILTIN_SCHEMAS);
  const b = buildOpenApiV3([...BUILTIN_RESOURCES].reverse(), BUILTIN_SCHEMAS);
  assertEquals(a.index, b.index);
  for (const [key, doc] of a.documents) assertEquals(doc.json, b.documents.get(key)!.json);
});

Deno.test("openapi: resources added at run time get their own document and a generated list schema", () => {
  const widget: ResourceInfo = {
    group: "example.com",
    version: "v1",
    kind: "Widget",
    listKind: "WidgetList",
    plural: "widgets",
    singular: "widget",
    namespaced: true,
    subresources: ["status"],
    schemaName: "com.example.v1.Widget",
  };
  const schemas = {
    ...BUILTIN_SCHEMAS,
    "com.example.v1.Widget": {
      ...obj({ spec: obj({ size: str("How big.") }, { description: "Widget spec." }) }, {
        description: "A widget.",
      }),
      "x-kubernetes-group-version-kind": [{ group: "example.com", kind: "Widget", version: "v1" }],
    },
  };
  const before = buildOpenApiV3(BUILTIN_RESOURCES, BUILTIN_SCHEMAS);
  const after = buildOpenApiV3([...BUILTIN_RESOURCES, widget], schemas);
  assert(after.index.paths["apis/example.com/v1"]);
  assertEquals(
    after.documents.get("apis/apps/v1")!.hash,
    before.documents.get("apis/apps/v1")!.hash,
  );
  const doc = JSON.parse(after.documents.get("apis/example.com/v1")!.json);
  assert(supportsFieldValidation(doc, widget));
  assertEquals(
    doc.components.schemas["com.example.v1.WidgetList"]["x-kubernetes-group-version-kind"],
    [
      { group: "example.com", kind: "WidgetList", version: "v1" },
    ],
  );
});

Deno.test("openapi: a resource with a restricted verb set only gets those operations", () => {
  const review: ResourceInfo = {
    group: "authorization.k8s.io",
    version: "v1",
    kind: "SelfSubjectAccessReview",
    listKind: "SelfSubjectAccessReviewList",
    plural: "selfsubjectaccessreviews",
    singular: "selfsubjectaccessreview",
    namespaced: false,
    subresources: [],
    schemaName: "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
    verbs: ["create"],
  };
  const doc = documentOf("apis/authorization.k8s.io/v1", [review]);
  assertEquals(Object.keys(doc.paths), ["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]);
  assertEquals(
    doc.paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"].post.operationId,
    "createAuthorizationV1SelfSubjectAccessReview",
  );
});
