/**
 * Whether a PolicyRule allows a request, with upstream's matching (`pkg/apis/rbac/v1`
 * evaluation helpers):
 * - verbs and apiGroups match exactly or by `*`;
 * - resources match `*`, the exact `resource/subresource` (`pods` does not cover `pods/log`),
 *   or `*\/subresource` for any resource's subresource. `pods/*` is deliberately *not* a
 *   wildcard upstream (it would silently grant subresources added later), so it is not here;
 * - resourceNames: empty means every name; otherwise the request must name one of them (a list
 *   or a create without a name is not allowed by a rule with resourceNames);
 * - nonResourceURLs match `*`, exactly, or by prefix when the rule ends in `*`.
 *
 * @module
 */
import type { RequestAttributes } from "../../apiserver/authz.ts";
import type { PolicyRule } from "./types.ts";

/** The wildcard of verbs, groups, resources and URLs. */
const ALL = "*";

/** The rule's verbs include the verb or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs ?? []) if (v === ALL || v === verb) return true;
  return false;
}

/** The rule's apiGroups include the group or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups ?? []) if (g === ALL || g === group) return true;
  return false;
}

/**
 * The rule's resources include `*`, the combined `resource[/subresource]`, or `*\/subresource`.
 * @param combined `pods` or `pods/log`
 * @param subresource `log`, or "" for the main resource
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    // `*/scale` covers `deployments/scale`, `statefulsets/scale`, ...; never a main resource.
    if (
      subresource !== "" && r.length === subresource.length + 2 && r.startsWith("*/") &&
      r.endsWith(subresource)
    ) {
      return true;
    }
  }
  return false;
}

/** An empty resourceNames list allows every name; otherwise the name must be listed. */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return names.includes(name);
}

/** The rule's nonResourceURLs include `*`, the path, or a `prefix*` the path starts with. */
export function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith(ALL) && path.startsWith(url.replace(/\*+$/, ""))) return true;
  }
  return false;
}

/**
 * Whether one rule allows a request.
 *
 * @example
 * ```ts
 * const rule = { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] };
 * ruleAllows(rule, {
 *   verb: "get", isResourceRequest: true, path: "", group: "", version: "v1",
 *   resource: "pods", subresource: "log", namespace: "default", name: "web",
 * }); // true
 * ```
 */
export function ruleAllows(rule: PolicyRule, attributes: RequestAttributes): boolean {
  if (!verbMatches(rule, attributes.verb)) return false;
  if (!attributes.isResourceRequest) return nonResourceUrlMatches(rule, attributes.path);
  const resource = attributes.resource ?? "";
  const subresource = attributes.subresource ?? "";
  const combined = subresource === "" ? resource : `${resource}/${subresource}`;
  return apiGroupMatches(rule, attributes.group) &&
    resourceMatches(rule, combined, subresource) &&
    resourceNameMatches(rule, attributes.name ?? "");
}

/** Whether any of the rules allows a request. */
export function rulesAllow(rules: readonly PolicyRule[], attributes: RequestAttributes): boolean {
  for (const rule of rules) if (ruleAllows(rule, attributes)) return true;
  return false;
}

/**
 * Whether `owner` grants everything `rule` grants (upstream's `Covers`, used to reconcile the
 * bootstrap roles). The rule is broken into single verb × group × resource × name requests, and
 * each must be allowed by the owner's rules; wildcards in `rule` are matched literally, so only a
 * wildcard in `owner` covers them.
 */
export function rulesCover(owner: readonly PolicyRule[], rule: PolicyRule): boolean {
  for (const verb of rule.verbs ?? []) {
    for (const path of rule.nonResourceURLs ?? []) {
      const request = { verb, isResourceRequest: false, path, group: "", version: "" };
      if (!rulesAllow(owner, request)) return false;
    }
    for (const group of rule.apiGroups ?? []) {
      for (const combined of rule.resources ?? []) {
        const slash = combined.indexOf("/");
        const resource = slash < 0 ? combined : combined.slice(0, slash);
        const subresource = slash < 0 ? undefined : combined.slice(slash + 1);
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const name of names) {
          const request = {
            verb,
            isResourceRequest: true,
            path: "",
            group,
            version: "",
            resource,
            subresource,
            name,
          };
          if (!rulesAllow(owner, request)) return false;
        }
      }
    }
  }
  return true;
}
