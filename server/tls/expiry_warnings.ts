/**
 * Warnings for certificates close to expiry: a log line and a core/v1 Event each, shaped like
 * K3s's `CertificateExpirationWarning` events so `kubectl get events` shows them the same way.
 *
 * The Event is about the server's Node when it has one (as K3s: `kubectl describe node` lists
 * it). A k3ts server without an agent has no Node object, so the Event is then about the
 * `kube-system` Namespace, the control plane's home. Both kinds are cluster-scoped, and
 * upstream only accepts events about cluster-scoped objects in the `default` namespace.
 *
 * @module
 */
import type { KubeObject } from "../../kube/types.ts";
import { rfc3339, usageNames } from "./certificate_report.ts";
import {
  type CertificateRecord,
  certificateStatus,
  type ClusterCertificateInventory,
  daysRemaining,
  EXPIRY_WARNING_DAYS,
} from "./inventory.ts";

/** The Event reason, as K3s. */
export const CERTIFICATE_EXPIRATION_WARNING = "CertificateExpirationWarning";

/** The component named in the Event's `source` and `reportingComponent`. */
const COMPONENT = "k3ts-certificate-monitor";

/** Options for {@link expiryWarnings}. */
export interface ExpiryWarningOptions {
  /** Warn for certificates with at most this many days left; {@link EXPIRY_WARNING_DAYS}. */
  withinDays?: number;
  /**
   * The server's Node. When given the Events are about it (`uid` defaults to the name, the
   * kubelet's convention, which `kubectl describe node` also searches for); when omitted they
   * are about the `kube-system` Namespace.
   */
  node?: { name: string; uid?: string };
  /** The host name put in `source.host` and `reportingInstance`; the node name when omitted. */
  host?: string;
}

/** core/v1 ObjectReference, as far as Events use it. */
export interface EventObjectReference {
  /** `v1`. */
  apiVersion: string;
  /** `Node` or `Namespace`. */
  kind: string;
  /** The object's name. */
  name: string;
  /** The object's uid, when known. */
  uid?: string;
}

/** The core/v1 Event body for one certificate, ready to create. */
export interface CertificateExpiryEvent extends KubeObject {
  /** `v1`. */
  apiVersion: "v1";
  /** `Event`. */
  kind: "Event";
  /** Name (unique per certificate and time) and namespace (`default`). */
  metadata: { name: string; namespace: string };
  /** What the Event is about: the Node, or the `kube-system` Namespace. */
  involvedObject: EventObjectReference;
  /** {@link CERTIFICATE_EXPIRATION_WARNING}. */
  reason: string;
  /** The same text as the log message. */
  message: string;
  /** `Warning`. */
  type: "Warning";
  /** Who reports it. */
  source: { component: string; host?: string };
  /** Same as `source.component`. */
  reportingComponent: string;
  /** The host, or empty. */
  reportingInstance: string;
  /** The time of the check, RFC 3339 seconds. */
  firstTimestamp: string;
  /** Same as `firstTimestamp`. */
  lastTimestamp: string;
  /** 1. */
  count: number;
}

/** One certificate within the warning window. */
export interface ExpiryWarning {
  /** The certificate. */
  certificate: CertificateRecord;
  /** A one-line message for the log and the Event. */
  message: string;
  /** Structured fields for the log line. */
  logFields: { path: string; subject: string; notAfter: string; daysRemaining: number };
  /** The Event to create (POST /api/v1/namespaces/default/events). */
  event: CertificateExpiryEvent;
}

function messageFor(certificate: CertificateRecord, now: Date, withinDays: number): string {
  const { path, subject, usages, notAfter } = certificate;
  const what = `${path}: certificate ${subject || "<no CN>"} (${usageNames(usages)})`;
  const expired = certificateStatus(certificate, now, withinDays) === "EXPIRED";
  const when = expired
    ? `expired at ${rfc3339(notAfter)}`
    : `will expire within ${withinDays} days at ${rfc3339(notAfter)}`;
  // A restart renews leaves (fewer than 120 days left) but never a CA: say what helps.
  const remedy = usages.includes("CA")
    ? "k3ts does not renew CA certificates; every certificate this CA signed stops " +
      "working when it expires"
    : "restart k3ts on this node, or run 'k3ts certificate rotate', to renew it";
  return `${what} ${when}; ${remedy}`;
}

/** A DNS-subdomain-safe piece of an Event name. */
function namePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[.-]+|[.-]+$/g, "") || "x";
}

/**
 * The certificates of an inventory that expire within the warning window (or have expired),
 * each with a log message and a core/v1 Event body. Certificates not yet valid are not
 * expiry problems and are left out.
 *
 * @param inventory From {@link listClusterCertificates}.
 * @param now The time to judge at (the Event timestamps).
 * @param options Window, Node and host.
 * @returns One warning per certificate, in inventory order; empty when all is well.
 * @example
 * ```ts
 * const inventory = await listClusterCertificates(dataDir);
 * for (const warning of expiryWarnings(inventory, new Date(), { node: { name: nodeName } })) {
 *   log.warn(warning.message, warning.logFields);
 *   await stores.forKind("", "Event").create("default", warning.event, { fieldManager: "k3ts" });
 * }
 * ```
 */
export function expiryWarnings(
  inventory: Pick<ClusterCertificateInventory, "certificates">,
  now: Date,
  options: ExpiryWarningOptions = {},
): ExpiryWarning[] {
  const withinDays = options.withinDays ?? EXPIRY_WARNING_DAYS;
  const host = options.host ?? options.node?.name;
  const involvedObject: EventObjectReference = options.node
    ? {
      apiVersion: "v1",
      kind: "Node",
      name: options.node.name,
      uid: options.node.uid ?? options.node.name,
    }
    : { apiVersion: "v1", kind: "Namespace", name: "kube-system" };
  const timestamp = rfc3339(now);
  // kubelet names events `<object>.<unix nanoseconds in hex>`; the file keeps names unique
  // when several certificates warn at the same instant.
  const stamp = (BigInt(now.getTime()) * 1_000_000n).toString(16);
  const usedNames = new Set<string>();
  return inventory.certificates
    .filter((certificate) => {
      const status = certificateStatus(certificate, now, withinDays);
      return status === "WARNING" || status === "EXPIRED";
    })
    .map((certificate) => {
      const message = messageFor(certificate, now, withinDays);
      const base = `${namePart(involvedObject.name)}.${
        namePart(certificate.file.replace(/\.crt$/, ""))
      }`;
      // A file holding a chain yields several certificates: number the later ones.
      let name = `${base}.${stamp}`;
      for (let n = 2; usedNames.has(name); n++) name = `${base}-${n}.${stamp}`;
      usedNames.add(name);
      const event: CertificateExpiryEvent = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: "default" },
        involvedObject: { ...involvedObject },
        reason: CERTIFICATE_EXPIRATION_WARNING,
        message,
        type: "Warning",
        source: { component: COMPONENT, ...(host ? { host } : {}) },
        reportingComponent: COMPONENT,
        reportingInstance: host ?? "",
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      };
      return {
        certificate,
        message,
        logFields: {
          path: certificate.path,
          subject: certificate.subject,
          notAfter: rfc3339(certificate.notAfter),
          daysRemaining: daysRemaining(certificate.notAfter, now),
        },
        event,
      };
    });
}
