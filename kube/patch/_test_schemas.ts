/**
 * Hand-built schemas in the shape of upstream's Pod, Deployment and Service OpenAPI, for the
 * tests of this directory (the real definitions live in kube/schema).
 *
 * @module
 */
import type { Schema, SchemaSet } from "../schema/types.ts";

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const wrapped = (name: string): Schema => ({ allOf: [ref(name)] });
const str: Schema = { type: "string" };
const int: Schema = { type: "integer", format: "int32" };
const stringMap: Schema = { type: "object", additionalProperties: str };

/** Lists keyed by one field, the way upstream marks `containers`, `env`, `volumes`. */
function keyedList(item: string, key: string, extra: Partial<Schema> = {}): Schema {
  return {
    type: "array",
    items: wrapped(item),
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": [key],
    "x-kubernetes-patch-merge-key": key,
    "x-kubernetes-patch-strategy": "merge",
    ...extra,
  };
}

/** The test schema set. */
export const SCHEMAS: SchemaSet = {
  "ObjectMeta": {
    type: "object",
    properties: {
      name: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: { type: "integer", format: "int64" },
      creationTimestamp: str,
      labels: stringMap,
      annotations: stringMap,
      finalizers: {
        type: "array",
        items: str,
        "x-kubernetes-list-type": "set",
        "x-kubernetes-patch-strategy": "merge",
      },
      managedFields: { type: "array", items: { type: "object" } },
    },
  },
  "LabelSelector": {
    type: "object",
    properties: { matchLabels: stringMap },
    "x-kubernetes-map-type": "atomic",
  },
  "EnvVar": { type: "object", required: ["name"], properties: { name: str, value: str } },
  "ContainerPort": {
    type: "object",
    properties: {
      name: str,
      containerPort: int,
      protocol: { type: "string", default: "TCP" },
    },
  },
  "VolumeMount": { type: "object", properties: { name: str, mountPath: str } },
  "Container": {
    type: "object",
    required: ["name"],
    properties: {
      name: str,
      image: str,
      args: { type: "array", items: str, "x-kubernetes-list-type": "atomic" },
      env: keyedList("EnvVar", "name"),
      ports: keyedList("ContainerPort", "containerPort", {
        "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
      }),
      volumeMounts: keyedList("VolumeMount", "mountPath"),
    },
  },
  "Toleration": { type: "object", properties: { key: str, operator: str, effect: str } },
  "Volume": {
    type: "object",
    properties: {
      name: str,
      emptyDir: { type: "object", properties: { medium: str } },
      configMap: { type: "object", properties: { name: str } },
    },
  },
  "PodSpec": {
    type: "object",
    required: ["containers"],
    properties: {
      containers: keyedList("Container", "name"),
      initContainers: keyedList("Container", "name"),
      volumes: keyedList("Volume", "name", {
        "x-kubernetes-patch-strategy": "merge,retainKeys",
      }),
      tolerations: {
        type: "array",
        items: wrapped("Toleration"),
        "x-kubernetes-list-type": "atomic",
      },
      nodeSelector: { ...stringMap, "x-kubernetes-map-type": "atomic" },
      restartPolicy: str,
    },
  },
  "PodCondition": { type: "object", properties: { type: str, status: str } },
  "PodStatus": {
    type: "object",
    properties: {
      phase: str,
      conditions: keyedList("PodCondition", "type"),
    },
  },
  "Pod": {
    type: "object",
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrapped("ObjectMeta"),
      spec: wrapped("PodSpec"),
      status: wrapped("PodStatus"),
    },
  },
  "PodTemplateSpec": {
    type: "object",
    properties: { metadata: wrapped("ObjectMeta"), spec: wrapped("PodSpec") },
  },
  "DeploymentStrategy": {
    type: "object",
    properties: {
      type: str,
      rollingUpdate: {
        type: "object",
        properties: { maxSurge: { "x-kubernetes-int-or-string": true } },
      },
    },
  },
  "Deployment": {
    type: "object",
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrapped("ObjectMeta"),
      spec: {
        type: "object",
        properties: {
          replicas: int,
          selector: wrapped("LabelSelector"),
          template: wrapped("PodTemplateSpec"),
          strategy: {
            allOf: [ref("DeploymentStrategy")],
            "x-kubernetes-patch-strategy": "retainKeys",
          },
        },
      },
      status: { type: "object", properties: { replicas: int } },
    },
  },
  "ServicePort": {
    type: "object",
    properties: { name: str, port: int, protocol: { type: "string", default: "TCP" } },
  },
  "Service": {
    type: "object",
    properties: {
      apiVersion: str,
      kind: str,
      metadata: wrapped("ObjectMeta"),
      spec: {
        type: "object",
        properties: {
          ports: keyedList("ServicePort", "port", {
            "x-kubernetes-list-map-keys": ["port", "protocol"],
          }),
          selector: { ...stringMap, "x-kubernetes-map-type": "atomic" },
        },
      },
    },
  },
  "ConfigMap": {
    type: "object",
    properties: { apiVersion: str, kind: str, metadata: wrapped("ObjectMeta"), data: stringMap },
  },
};

/** The context for one kind of the test set. */
export function ctxFor(kind: "Pod" | "Deployment" | "Service" | "ConfigMap") {
  return { schemas: SCHEMAS, root: SCHEMAS[kind] };
}
