/**
 * An in-memory index of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings that answers
 * "may this user do this?" the way upstream's RBAC authoriser does, without scanning every
 * binding: bindings are indexed by subject (user name, group, service-account user name), so a
 * decision only looks at the few bindings that name the caller.
 *
 * Upstream semantics kept here:
 * - ClusterRoleBindings apply everywhere; RoleBindings only to requests in their namespace.
 * - A ServiceAccount subject matches the user `system:serviceaccount:<ns>:<name>`; in a
 *   RoleBinding an empty subject namespace means the binding's namespace, in a
 *   ClusterRoleBinding such a subject matches nobody.
 * - An allowed decision names its source: `RBAC: allowed by ClusterRoleBinding "x" of
 *   ClusterRole "y" to Group "z"`, or `RoleBinding "x/ns" of Role "y" to User "u"`.
 * - A binding to a missing role grants nothing, and the denial says why
 *   (`RBAC: clusterrole.rbac.authorization.k8s.io "y" not found`).
 *
 * @module
 */
import type { Decision, RequestAttributes } from "../../apiserver/authz.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import type { KubeObject } from "../../../kube/types.ts";
import { ruleAllows } from "./rules.ts";
import {
  type NonResourceRule,
  type PolicyRule,
  RBAC_GROUP,
  type RbacKind,
  type ResourceRule,
  type RoleRef,
  type Subject,
  type SubjectRules,
} from "./types.ts";

/** A watch event type the index applies. */
export type IndexEventType = "ADDED" | "MODIFIED" | "DELETED";

/** One subject of a binding, resolved once when the binding is indexed. */
interface IndexedSubject {
  /** `user` and service accounts match the user name, `group` one of the groups. */
  match: "user" | "group" | "none";
  /** The user name or group name to compare. */
  key: string;
  /** `User "u"`, `Group "g"`, `ServiceAccount "name/ns"`: the tail of an allowed reason. */
  description: string;
}

/** A binding as the index keeps it. */
interface IndexedBinding {
  kind: "RoleBinding" | "ClusterRoleBinding";
  /** "" for a ClusterRoleBinding. */
  namespace: string;
  name: string;
  roleRef: RoleRef;
  subjects: IndexedSubject[];
}

/** Bindings by the user names and groups their subjects name. */
class SubjectIndex {
  readonly users = new Map<string, Set<IndexedBinding>>();
  readonly groups = new Map<string, Set<IndexedBinding>>();

  add(binding: IndexedBinding): void {
    for (const s of binding.subjects) {
      if (s.match === "none") continue;
      const map = s.match === "user" ? this.users : this.groups;
      let set = map.get(s.key);
      if (!set) map.set(s.key, set = new Set());
      set.add(binding);
    }
  }

  remove(binding: IndexedBinding): void {
    for (const s of binding.subjects) {
      if (s.match === "none") continue;
      const map = s.match === "user" ? this.users : this.groups;
      const set = map.get(s.key);
      set?.delete(binding);
      if (set?.size === 0) map.delete(s.key);
    }
  }

  clear(): void {
    this.users.clear();
    this.groups.clear();
  }

  get empty(): boolean {
    return this.users.size === 0 && this.groups.size === 0;
  }

  /** The bindings naming the user or one of its groups, each once. */
  candidates(user: RequestUser): IndexedBinding[] {
    const found: IndexedBinding[] = [];
    const byName = this.users.get(user.name);
    if (byName) { for (const b of byName) found.push(b); }
    for (const group of user.groups) {
      const byGroup = this.groups.get(group);
      if (!byGroup) continue;
      for (const b of byGroup) if (!found.includes(b)) found.push(b);
    }
    return found;
  }
}

/** Called for every rule that applies to a user; return false to stop. */
type RuleVisitor = (rule: PolicyRule, binding: IndexedBinding, subject: IndexedSubject) => boolean;

/** Counts of what the index holds. */
export interface PolicyIndexSize {
  roles: number;
  clusterRoles: number;
  roleBindings: number;
  clusterRoleBindings: number;
}

/** The RBAC policy in memory, updated one watch event at a time. */
export class PolicyIndex {
  /** Rules by `namespace/name`. */
  readonly #roles = new Map<string, PolicyRule[]>();
  readonly #clusterRoles = new Map<string, PolicyRule[]>();
  /** By `namespace/name` and by name. */
  readonly #roleBindings = new Map<string, IndexedBinding>();
  readonly #clusterRoleBindings = new Map<string, IndexedBinding>();
  readonly #clusterSubjects = new SubjectIndex();
  /** RoleBindings of each namespace by subject. */
  readonly #namespaceSubjects = new Map<string, SubjectIndex>();

  /** How many objects of each kind the index holds. */
  get size(): PolicyIndexSize {
    return {
      roles: this.#roles.size,
      clusterRoles: this.#clusterRoles.size,
      roleBindings: this.#roleBindings.size,
      clusterRoleBindings: this.#clusterRoleBindings.size,
    };
  }

  /**
   * Applies one watch event; the object's `kind` says which map it belongs to.
   * @returns false when the object is not an RBAC kind (and was ignored).
   */
  apply(type: IndexEventType, object: KubeObject): boolean {
    const name = object.metadata?.name;
    if (!name) return false;
    const namespace = object.metadata.namespace ?? "";
    const key = `${namespace}/${name}`;
    const deleted = type === "DELETED";
    switch (object.kind as RbacKind) {
      case "Role":
        if (deleted) this.#roles.delete(key);
        else this.#roles.set(key, rulesOf(object));
        return true;
      case "ClusterRole":
        if (deleted) this.#clusterRoles.delete(name);
        else this.#clusterRoles.set(name, rulesOf(object));
        return true;
      case "RoleBinding": {
        const old = this.#roleBindings.get(key);
        if (old) {
          const subjects = this.#namespaceSubjects.get(namespace);
          subjects?.remove(old);
          if (subjects?.empty) this.#namespaceSubjects.delete(namespace);
          this.#roleBindings.delete(key);
        }
        if (deleted) return true;
        const binding = indexBinding("RoleBinding", object);
        this.#roleBindings.set(key, binding);
        let subjects = this.#namespaceSubjects.get(namespace);
        if (!subjects) this.#namespaceSubjects.set(namespace, subjects = new SubjectIndex());
        subjects.add(binding);
        return true;
      }
      case "ClusterRoleBinding": {
        const old = this.#clusterRoleBindings.get(name);
        if (old) {
          this.#clusterSubjects.remove(old);
          this.#clusterRoleBindings.delete(name);
        }
        if (deleted) return true;
        const binding = indexBinding("ClusterRoleBinding", object);
        this.#clusterRoleBindings.set(name, binding);
        this.#clusterSubjects.add(binding);
        return true;
      }
    }
    return false;
  }

  /**
   * Replaces every object of one kind with a fresh list: after a (re)list, objects deleted while
   * no watch was running must not keep granting anything.
   */
  replace(kind: RbacKind, objects: readonly KubeObject[]): void {
    switch (kind) {
      case "Role":
        this.#roles.clear();
        break;
      case "ClusterRole":
        this.#clusterRoles.clear();
        break;
      case "RoleBinding":
        this.#roleBindings.clear();
        this.#namespaceSubjects.clear();
        break;
      case "ClusterRoleBinding":
        this.#clusterRoleBindings.clear();
        this.#clusterSubjects.clear();
        break;
    }
    for (const obj of objects) this.apply("ADDED", { ...obj, kind });
  }

  /**
   * Decides a request: allowed by the first rule of a binding naming the user, else not allowed
   * (no opinion, so a later authoriser may still allow it).
   */
  authorize(user: RequestUser, attributes: RequestAttributes): Decision {
    let reason: string | undefined;
    const errors = this.#visit(user, attributes.namespace ?? "", (rule, binding, subject) => {
      if (!ruleAllows(rule, attributes)) return true;
      reason = `RBAC: allowed by ${describe(binding, subject)}`;
      return false;
    });
    if (reason) return { allowed: true, reason };
    return errors.length ? { allowed: false, reason: `RBAC: ${aggregate(errors)}` } : {
      allowed: false,
    };
  }

  /** Every rule that applies to a user in a namespace ("" for cluster-wide only). */
  rulesFor(user: RequestUser, namespace: string): SubjectRules {
    const resourceRules: ResourceRule[] = [];
    const nonResourceRules: NonResourceRule[] = [];
    const errors = this.#visit(user, namespace, (rule) => {
      if (rule.resources?.length) {
        const r: ResourceRule = { verbs: [...rule.verbs] };
        if (rule.apiGroups?.length) r.apiGroups = [...rule.apiGroups];
        r.resources = [...rule.resources];
        if (rule.resourceNames?.length) r.resourceNames = [...rule.resourceNames];
        resourceRules.push(r);
      }
      if (rule.nonResourceURLs?.length) {
        nonResourceRules.push({
          verbs: [...rule.verbs],
          nonResourceURLs: [...rule.nonResourceURLs],
        });
      }
      return true;
    });
    const rules: SubjectRules = { resourceRules, nonResourceRules, incomplete: false };
    if (errors.length) rules.evaluationError = aggregate(errors);
    return rules;
  }

  /**
   * Visits the rules of the ClusterRoleBindings, then of the namespace's RoleBindings, that
   * apply to the user. @returns the errors met resolving role references.
   */
  #visit(user: RequestUser, namespace: string, visitor: RuleVisitor): string[] {
    const errors: string[] = [];
    const scopes = [this.#clusterSubjects];
    const local = namespace ? this.#namespaceSubjects.get(namespace) : undefined;
    if (local) scopes.push(local);
    for (const scope of scopes) {
      for (const binding of scope.candidates(user)) {
        const subject = binding.subjects.find((s) => applies(s, user));
        if (!subject) continue;
        const rules = this.#roleRules(binding);
        if (typeof rules === "string") {
          errors.push(rules);
          continue;
        }
        for (const rule of rules) if (!visitor(rule, binding, subject)) return errors;
      }
    }
    return errors;
  }

  /** The rules a binding's roleRef points at, or upstream's error text. */
  #roleRules(binding: IndexedBinding): PolicyRule[] | string {
    const ref = binding.roleRef;
    if (ref.kind === "ClusterRole") {
      return this.#clusterRoles.get(ref.name) ??
        `clusterrole.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`;
    }
    if (ref.kind === "Role") {
      // A ClusterRoleBinding cannot grant a Role: upstream looks it up in namespace "".
      return this.#roles.get(`${binding.namespace}/${ref.name}`) ??
        `role.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`;
    }
    return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
  }
}

/** The rules of a role, tolerating a missing or malformed list (it grants nothing). */
function rulesOf(role: KubeObject): PolicyRule[] {
  const rules: unknown = role.rules;
  if (!Array.isArray(rules)) return [];
  return rules.filter((r): r is PolicyRule =>
    typeof r === "object" && r !== null && Array.isArray((r as PolicyRule).verbs)
  );
}

/** The user name of a service account. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function indexBinding(kind: IndexedBinding["kind"], object: KubeObject): IndexedBinding {
  const namespace = kind === "RoleBinding" ? object.metadata.namespace ?? "" : "";
  const ref = (object.roleRef ?? {}) as Partial<RoleRef>;
  const subjects: Subject[] = Array.isArray(object.subjects) ? object.subjects : [];
  return {
    kind,
    namespace,
    name: object.metadata.name!,
    roleRef: { apiGroup: ref.apiGroup ?? "", kind: ref.kind ?? "", name: ref.name ?? "" },
    subjects: subjects.map((s) => indexSubject(s, namespace)),
  };
}

function indexSubject(subject: Subject, bindingNamespace: string): IndexedSubject {
  const name = String(subject?.name ?? "");
  switch (subject?.kind) {
    case "User":
      return { match: "user", key: name, description: `User ${JSON.stringify(name)}` };
    case "Group":
      return { match: "group", key: name, description: `Group ${JSON.stringify(name)}` };
    case "ServiceAccount": {
      const namespace = subject.namespace || bindingNamespace;
      const description = `ServiceAccount ${JSON.stringify(`${name}/${namespace}`)}`;
      if (!namespace) return { match: "none", key: "", description };
      return { match: "user", key: serviceAccountUser(namespace, name), description };
    }
  }
  return { match: "none", key: "", description: "" };
}

function applies(subject: IndexedSubject, user: RequestUser): boolean {
  if (subject.match === "user") return subject.key === user.name;
  if (subject.match === "group") return user.groups.includes(subject.key);
  return false;
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` */
function describe(binding: IndexedBinding, subject: IndexedSubject): string {
  const name = binding.kind === "RoleBinding"
    ? `${binding.name}/${binding.namespace}`
    : binding.name;
  return `${binding.kind} ${JSON.stringify(name)} of ${binding.roleRef.kind} ${
    JSON.stringify(binding.roleRef.name)
  } to ${subject.description}`;
}

/** Upstream's error aggregate: one message alone, several as `[a, b]`, duplicates once. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}
