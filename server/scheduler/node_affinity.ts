/**
 * Node selection by labels and fields: `spec.nodeSelector` (every label equal) and node
 * affinity's `nodeSelectorTerms` (terms ORed, requirements inside a term ANDed; operators In,
 * NotIn, Exists, DoesNotExist, Gt, Lt on labels and In/NotIn on the field `metadata.name`).
 * A term that is empty or does not parse matches nothing, as upstream.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import {
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
  podSpec,
  type PodSpecView,
} from "./api_types.ts";

/** The one field node affinity can select on. */
const NAME_FIELD = "metadata.name";

/** Upstream parses Gt/Lt operands as 64-bit integers; anything else makes the term fail. */
function integerOperand(value: string | undefined): number | undefined {
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Whether one requirement holds for `value` (the label's value or the field), or undefined
 * when the requirement itself is malformed.
 */
function requirementHolds(
  requirement: NodeSelectorRequirement,
  value: string | undefined,
): boolean | undefined {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (values.length !== 1) return undefined;
      const bound = integerOperand(values[0]);
      if (bound === undefined) return undefined;
      const actual = integerOperand(value);
      if (actual === undefined) return false;
      return requirement.operator === "Gt" ? actual > bound : actual < bound;
    }
    default:
      return undefined;
  }
}

/** Whether a term selects the node (name and labels given). */
export function termMatches(
  term: NodeSelectorTerm,
  nodeName: string,
  labels: Record<string, string>,
): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  for (const requirement of expressions) {
    const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
    if (requirementHolds(requirement, value) !== true) return false;
  }
  for (const requirement of fields) {
    if (requirement.key !== NAME_FIELD) return false;
    if (requirement.operator !== "In" && requirement.operator !== "NotIn") return false;
    if (requirementHolds(requirement, nodeName) !== true) return false;
  }
  return true;
}

/** The pod's required node selector terms, or undefined when it has none. */
export function requiredTerms(spec: PodSpecView): NodeSelectorTerm[] | undefined {
  return spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms;
}

/** True when the node satisfies both the pod's nodeSelector and its required node affinity. */
export function nodeMatchesPod(
  pod: KubeObject,
  nodeName: string,
  labels: Record<string, string>,
): boolean {
  const spec = podSpec(pod);
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const terms = requiredTerms(spec);
  if (terms === undefined) return true;
  return terms.some((term) => termMatches(term, nodeName, labels));
}

/**
 * The only nodes the pod's required affinity can select by name, as upstream's NodeAffinity
 * PreFilter narrows them: when every term pins `metadata.name In [...]`, the union of those
 * names (intersected within a term). Undefined when some term leaves all nodes possible.
 */
export function pinnedNodeNames(pod: KubeObject): Set<string> | undefined {
  const terms = requiredTerms(podSpec(pod));
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const field of term.matchFields ?? []) {
      if (field.key !== NAME_FIELD || field.operator !== "In") continue;
      const values = new Set(field.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    if (termNames === undefined) return undefined;
    for (const name of termNames) names.add(name);
  }
  return names;
}

/** The sum of the weights of the preferred terms the node satisfies. */
export function preferredAffinityWeight(
  pod: KubeObject,
  nodeName: string,
  labels: Record<string, string>,
): number {
  const preferred =
    podSpec(pod).affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  let total = 0;
  for (const { weight, preference } of preferred) {
    if (weight !== 0 && termMatches(preference, nodeName, labels)) total += weight;
  }
  return total;
}
