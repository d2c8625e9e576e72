/**
 * The Node authoriser, after upstream's (`plugin/pkg/auth/authorizer/node`), simplified but
 * never broader than it: a kubelet (user `system:node:<name>` in group `system:nodes`) may
 * - read nodes, services, endpoints, endpointslices and pods;
 * - create Node objects (the name is only in the body: NodeRestriction admission checks it),
 *   get/update/patch its own Node and its status;
 * - get/list/watch a secret or config map, get a claim, volume or service account, and create a
 *   service-account token, only when a pod bound to it references the object;
 * - update/patch the status of pods bound to it, and delete them;
 * - get/create/update/patch/delete its own Lease in `kube-node-lease`;
 * - create/update/patch events, create tokenreviews and subjectaccessreviews (its own
 *   authentication and authorisation webhooks).
 * Anything else gets no opinion (not allowed), so the next authoriser decides.
 *
 * @module
 */
import type { Decision, RequestAttributes } from "../../apiserver/authz.ts";
import type { StoreSet } from "../../apiserver/handler.ts";
import type { RequestUser } from "../../apiserver/store_types.ts";
import type { Logger } from "../../log.ts";
import { runInformer, untilAborted } from "../../../kube/informers/informer.ts";
import { inProcessListWatch } from "../../apiserver/in_process_list_watch.ts";
import { NodeGraph, type PodReferenceKind } from "./node_graph.ts";
import { emptyRules, type RuleAuthorizer } from "./types.ts";

/** The group every kubelet client certificate carries. */
export const NODES_GROUP = "system:nodes";
/** The user-name prefix of kubelets. */
export const NODE_USER_PREFIX = "system:node:";
/** Where node heartbeats live. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";

/**
 * The node a user speaks for: undefined when the user is not a node, "" when it is in the nodes
 * group but its name does not say which node (upstream refuses those).
 */
export function nodeIdentity(user: RequestUser): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) {
    return undefined;
  }
  return user.name.slice(NODE_USER_PREFIX.length);
}

const NO_OPINION: Decision = { allowed: false };
const ALLOW: Decision = { allowed: true };
const READ = new Set(["get", "list", "watch"]);

function deny(reason: string): Decision {
  return { allowed: false, reason };
}

/** The Node authoriser over a graph someone else keeps current. */
export function createNodeAuthorizer(graph: NodeGraph): RuleAuthorizer {
  const related = (node: string, kind: PodReferenceKind, a: RequestAttributes): Decision => {
    if (!a.name) return deny("No Object name found");
    if (graph.references(node, kind, a.namespace ?? "", a.name)) return ALLOW;
    return deny(`no relationship found between node '${node}' and this object`);
  };

  const decide = (node: string, a: RequestAttributes): Decision => {
    const { verb, group } = a;
    const resource = a.resource ?? "";
    const sub = a.subresource ?? "";
    if (group === "") {
      switch (resource) {
        case "nodes":
          return nodeAccess(node, a);
        case "pods":
          if (sub === "" && READ.has(verb)) return ALLOW;
          // A kubelet confirms the deletion of its own pods (grace period 0).
          if (sub === "" && verb === "delete") {
            if (a.name && graph.podOnNode(node, a.namespace ?? "", a.name)) return ALLOW;
            return deny(`node '${node}' can only delete pods with spec.nodeName set to itself`);
          }
          if (sub === "status" && (verb === "update" || verb === "patch" || verb === "get")) {
            if (a.name && graph.podOnNode(node, a.namespace ?? "", a.name)) return ALLOW;
            return deny(`node '${node}' can only update the status of pods bound to it`);
          }
          return NO_OPINION;
        case "services":
        case "endpoints":
          return sub === "" && READ.has(verb) ? ALLOW : NO_OPINION;
        case "events":
          return sub === "" && isEventWrite(verb) ? ALLOW : NO_OPINION;
        case "secrets":
        case "configmaps":
          if (!READ.has(verb)) return deny("can only read resources of this type");
          if (sub !== "") return deny("cannot read subresource");
          if (!a.namespace) return deny("can only read namespaced object of this type");
          return related(node, resource === "secrets" ? "secret" : "configmap", a);
        case "persistentvolumeclaims":
          if (verb !== "get") return deny("can only get individual resources of this type");
          if (sub !== "") return deny("cannot get subresource");
          return related(node, "persistentvolumeclaim", a);
        case "persistentvolumes":
          if (verb !== "get") return deny("can only get individual resources of this type");
          if (sub !== "") return deny("cannot get subresource");
          if (a.name && graph.volumeOnNode(node, a.name)) return ALLOW;
          return deny(`no relationship found between node '${node}' and this object`);
        case "serviceaccounts":
          if (sub === "token") {
            if (verb !== "create" || !a.name) {
              return deny("can only create tokens for individual service accounts");
            }
            return related(node, "serviceaccount", a);
          }
          if (sub !== "" || verb !== "get") return NO_OPINION;
          return related(node, "serviceaccount", a);
      }
      return NO_OPINION;
    }
    if (group === "discovery.k8s.io" && resource === "endpointslices") {
      return sub === "" && READ.has(verb) ? ALLOW : NO_OPINION;
    }
    if (group === "events.k8s.io" && resource === "events") {
      return sub === "" && isEventWrite(verb) ? ALLOW : NO_OPINION;
    }
    if (group === "coordination.k8s.io" && resource === "leases") return leaseAccess(node, a);
    if (
      verb === "create" && sub === "" &&
      ((group === "authentication.k8s.io" && resource === "tokenreviews") ||
        (group === "authorization.k8s.io" && resource === "subjectaccessreviews"))
    ) {
      return ALLOW;
    }
    return NO_OPINION;
  };

  return {
    authorize(user, attributes) {
      const node = nodeIdentity(user);
      if (node === undefined) return NO_OPINION;
      if (node === "") return deny(`unknown node for user ${JSON.stringify(user.name)}`);
      if (!attributes.isResourceRequest) return NO_OPINION;
      return decide(node, attributes);
    },
    rulesFor(user) {
      if (nodeIdentity(user) === undefined) return emptyRules();
      // What a node may read depends on the pods bound to it: it cannot be listed as rules.
      return {
        resourceRules: [],
        nonResourceRules: [],
        incomplete: true,
        evaluationError: "node authorizer does not support user rule resolution",
      };
    },
  };
}

function isEventWrite(verb: string): boolean {
  return verb === "create" || verb === "update" || verb === "patch";
}

function nodeAccess(node: string, a: RequestAttributes): Decision {
  const sub = a.subresource ?? "";
  if (sub === "") {
    if (READ.has(a.verb)) return ALLOW;
    // The name of a created Node is only in the body: NodeRestriction admission checks it.
    if (a.verb === "create") return ALLOW;
    if (a.verb === "update" || a.verb === "patch") {
      return a.name === node
        ? ALLOW
        : deny(`node '${node}' cannot modify '${a.name ?? ""}', only its own Node object`);
    }
    return NO_OPINION;
  }
  if (sub === "status" && (a.verb === "get" || a.verb === "update" || a.verb === "patch")) {
    return a.name === node
      ? ALLOW
      : deny(`node '${node}' cannot modify '${a.name ?? ""}', only its own Node object`);
  }
  return NO_OPINION;
}

function leaseAccess(node: string, a: RequestAttributes): Decision {
  const verb = a.verb;
  if (!["get", "create", "update", "patch", "delete"].includes(verb)) {
    return deny("can only get, create, update, patch, or delete a node lease");
  }
  if (a.subresource) return NO_OPINION;
  if (a.namespace !== NODE_LEASE_NAMESPACE) {
    return deny(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  }
  // A create names the lease only in its body: NodeRestriction admission checks that.
  if (verb !== "create" && a.name !== node) {
    return deny("can only access node lease with the same name as the requesting node");
  }
  return ALLOW;
}

/** A running Node authoriser. */
export interface NodeAuthorizer extends RuleAuthorizer {
  /** Resolves once pods and claims have been listed; rejects if stopped first. */
  synced(): Promise<void>;
  /** Settles when the watches have stopped after the signal aborted. */
  readonly done: Promise<void>;
  readonly graph: NodeGraph;
}

/** Options of {@link startNodeAuthorizer}. */
export interface NodeAuthorizerOptions {
  signal: AbortSignal;
  logger: Logger;
}

/** Starts the Node authoriser: a graph kept current by pod and claim watches. */
export function startNodeAuthorizer(
  stores: StoreSet,
  options: NodeAuthorizerOptions,
): Promise<NodeAuthorizer> {
  const graph = new NodeGraph();
  let pending = 2;
  let markSynced!: () => void;
  const listed = new Promise<void>((resolve) => markSynced = resolve);
  const once = () => {
    let seen = false;
    return () => {
      if (!seen && --pending === 0) markSynced();
      seen = true;
    };
  };
  const podsListed = once();
  const claimsListed = once();
  const informerOptions = (name: string) => ({
    signal: options.signal,
    logger: options.logger,
    name,
  });
  const loops = [
    runInformer(inProcessListWatch(stores.forKind("", "Pod"), stores.deps.backend), {
      replace(items) {
        graph.replacePods(items);
        podsListed();
      },
      apply: (type, pod) => graph.applyPod(type, pod),
    }, informerOptions("node-authorizer-pods")),
    runInformer(
      inProcessListWatch(stores.forKind("", "PersistentVolumeClaim"), stores.deps.backend),
      {
        replace(items) {
          graph.replaceClaims(items);
          claimsListed();
        },
        apply: (type, claim) => graph.applyClaim(type, claim),
      },
      informerOptions("node-authorizer-claims"),
    ),
  ];
  const authorizer = createNodeAuthorizer(graph);
  return Promise.resolve({
    ...authorizer,
    graph,
    done: Promise.allSettled(loops).then(() => undefined),
    synced: () => untilAborted(listed, options.signal),
  });
}
