/**
 * What a resource is (its {@link ResourceInfo}) and how it behaves (its {@link ResourceStrategy}).
 * The generic REST store runs the same flow for every resource; a strategy only supplies what
 * differs, like the Kubernetes apiserver's `strategy.go` files.
 *
 * @module
 */
import type { FieldError, KubeObject } from "../../kube/types.ts";
import type { NameRule } from "../../kube/validation/names.ts";

/** The identity of a resource in discovery, OpenAPI and URLs. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** e.g. `PodList`. */
  listKind: string;
  /** URL segment, e.g. `pods`. */
  plural: string;
  /** e.g. `pod`. */
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** `all` puts the resource in `kubectl get all`. */
  categories?: string[];
  /** Subresources served, e.g. `status`, `scale`, `binding`, `log`, `exec`. */
  subresources: string[];
  /** Key of the kind's schema in the {@link SchemaSet}, e.g. `io.k8s.api.core.v1.Pod`. */
  schemaName: string;
  /** The default verb set unless given. */
  verbs?: string[];
}

/** A `kubectl get` column, as `Table.columnDefinitions[]` describes it. */
export interface TableColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;
  description: string;
  /** 0 always shown; 1 only with `-o wide`. */
  priority: number;
}

/**
 * Extracts a field selector value, e.g. `spec.nodeName` of a pod. `storedKey` is set by
 * `stringProperty` (field_getters.ts): the JSON key of the one string property it reads.
 */
export type FieldGetter = ((obj: KubeObject) => string | undefined) & {
  readonly storedKey?: string;
};

/**
 * Per-resource behaviour. Every member is optional; the generic store supplies defaults.
 * Functions get an object the store owns (a fresh copy) and may change it in place.
 */
export interface ResourceStrategy {
  /** The grammar of `metadata.name`; RFC 1123 subdomain unless given. */
  nameRule?: NameRule;
  /** Upstream's `SetDefaults_*`: fills defaulted fields on create and update. */
  applyDefaults?(obj: KubeObject): void;
  /** Before create: e.g. reset status, set `status.phase`. Runs after defaults. */
  prepareForCreate?(obj: KubeObject): void;
  /** Before an update of the main resource (status already kept by the store). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Errors of an object beyond its metadata (which the store checks), with field paths. */
  validate?(obj: KubeObject): FieldError[];
  /** Errors of an update of the main resource, e.g. immutable fields. `validate` runs too. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** `kubectl get` columns; the first is Name. Absent: Name, Age. */
  columns?: TableColumn[];
  /** One table row's cells, aligned with `columns`. `now` is for ages. */
  row?(obj: KubeObject, now: number): unknown[];
  /** Field selectors beyond `metadata.name` and `metadata.namespace`. */
  fieldSelectors?: Record<string, FieldGetter>;
  /**
   * Field selectors answered from an in-memory index of keys (upstream's watch cache indexes
   * pods by `spec.nodeName` for kubelets): a list selecting one value reads only those objects.
   */
  indexedFields?: string[];
  /**
   * True when the resource has a `spec`/`status` split: the main endpoint keeps the old status,
   * `/status` keeps the old spec, and `metadata.generation` rises only when spec changes.
   */
  hasStatus?: boolean;
}
