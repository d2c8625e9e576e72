/**
 * Built-in admission: what upstream's NamespaceLifecycle plugin and the Service REST storage do
 * around a write. Namespaced objects need a live namespace; Services get a cluster IP and node
 * ports, each claimed as its own key so two creates can never share one.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/types.ts";
import { type Backend, KeyExistsError } from "../storage/types.ts";
import type { RegisteredResource } from "./resources.ts";
import type { RequestUser, WriteOptions } from "./store_types.ts";
import { type Ipv4Range, ipv4Range } from "./ip_range.ts";

/** Hooks the generic store calls around writes. */
export interface Admission {
  /** @returns an undo for what it claimed, called when the write itself fails. */
  beforeCreate(
    resource: RegisteredResource,
    obj: KubeObject,
    options: WriteOptions,
  ): Promise<Rollback>;
  beforeUpdate(
    resource: RegisteredResource,
    next: KubeObject,
    old: KubeObject,
    options: WriteOptions & { subresource?: string },
  ): Promise<void>;
  beforeDelete(resource: RegisteredResource, obj: KubeObject): Promise<void>;
  /** Releases what the object held once it is gone. */
  afterDelete(resource: RegisteredResource, obj: KubeObject): Promise<void>;
}

/** Undoes what an admission step claimed. */
export type Rollback = () => Promise<void>;

const NOTHING_TO_UNDO: Rollback = () => Promise.resolve();

/** Namespaces that always exist and cannot be deleted. */
const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

const SERVICE_IP_PREFIX = "/registry/ranges/serviceips/";
const NODE_PORT_PREFIX = "/registry/ranges/servicenodeports/";
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/** Options of {@link createAdmission}. */
export interface AdmissionOptions {
  backend: Backend;
  /** e.g. `10.43.0.0/16`. */
  serviceCidr: string;
  /** Reads a namespace, or undefined. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** Further checks of who writes what (NodeRestriction), run before every create and update. */
  checks?: AdmissionCheck[];
}

/**
 * A check of a write: `resource` is the plural, with `/subresource` when there is one; returns
 * the error to refuse the write with, or undefined.
 */
export type AdmissionCheck = (
  user: RequestUser | undefined,
  resource: string,
  verb: "create" | "update",
  obj: KubeObject,
  old?: KubeObject,
) => ApiError | undefined;

/** Creates the built-in admission chain. */
export function createAdmission(options: AdmissionOptions): Admission {
  const range = ipv4Range(options.serviceCidr);
  const allocator = new ServiceAllocator(options.backend, range);

  function runChecks(...args: Parameters<AdmissionCheck>): void {
    for (const check of options.checks ?? []) {
      const refusal = check(...args);
      if (refusal) throw refusal;
    }
  }

  async function checkNamespace(resource: RegisteredResource, obj: KubeObject): Promise<void> {
    if (!resource.info.namespaced) return;
    const name = obj.metadata.namespace!;
    const ns = await options.getNamespace(name);
    if (!ns) throw ApiError.notFound({ resource: "namespaces", group: "" }, name);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") {
      throw new ApiError(
        403,
        "Forbidden",
        `${resource.info.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${name} because it is being terminated`,
        { name: obj.metadata.name, group: resource.info.group, kind: resource.info.plural },
      );
    }
  }

  return {
    async beforeCreate(resource, obj, writeOptions) {
      runChecks(writeOptions.user, resource.info.plural, "create", obj);
      await checkNamespace(resource, obj);
      if (!isService(resource)) return NOTHING_TO_UNDO;
      const claimed = await allocator.allocate(obj, undefined, writeOptions.dryRun === true);
      return () => allocator.releaseKeys(claimed);
    },
    async beforeUpdate(resource, next, old, writeOptions) {
      const sub = writeOptions.subresource;
      runChecks(
        writeOptions.user,
        sub ? `${resource.info.plural}/${sub}` : resource.info.plural,
        "update",
        next,
        old,
      );
      if (isService(resource)) await allocator.allocate(next, old, writeOptions.dryRun === true);
    },
    beforeDelete(resource, obj) {
      if (
        resource.info.kind === "Namespace" && resource.info.group === "" &&
        IMMORTAL_NAMESPACES.has(obj.metadata.name!)
      ) {
        return Promise.reject(
          new ApiError(
            403,
            "Forbidden",
            `namespaces "${obj.metadata.name}" is forbidden: this namespace may not be deleted`,
            { name: obj.metadata.name, group: "", kind: "namespaces" },
          ),
        );
      }
      return Promise.resolve();
    },
    async afterDelete(resource, obj) {
      if (isService(resource)) await allocator.release(obj);
    },
  };
}

function isService(resource: RegisteredResource): boolean {
  return resource.info.group === "" && resource.info.kind === "Service";
}

/** Claims cluster IPs and node ports as keys in the store. */
class ServiceAllocator {
  constructor(readonly backend: Backend, readonly range: Ipv4Range) {}

  /** Claims what the Service needs; returns the keys newly claimed. */
  async allocate(svc: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<string[]> {
    const spec = (svc.spec ??= {});
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const claimed: string[] = [];
    const claim = async (key: string) => {
      if (await this.#claim(key, owner)) {
        claimed.push(key);
        return true;
      }
      return false;
    };
    if (spec.type !== "ExternalName" && spec.clusterIP !== "None") {
      if (old?.spec?.clusterIP) {
        spec.clusterIP ??= old.spec.clusterIP;
      } else if (spec.clusterIP) {
        if (!this.range.contains(spec.clusterIP)) {
          throw invalidService(
            svc,
            "spec.clusterIPs",
            [spec.clusterIP],
            `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${this.range.cidr}`,
          );
        }
        const key = SERVICE_IP_PREFIX + spec.clusterIP;
        // Held by a Service of the same name: the create will fail as AlreadyExists instead.
        if (!dryRun && !(await claim(key)) && !(await this.#ownedBy(key, owner))) {
          throw invalidService(
            svc,
            "spec.clusterIPs",
            [spec.clusterIP],
            `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`,
          );
        }
      } else {
        spec.clusterIP = await this.#allocateIp(owner, dryRun);
        if (!dryRun) claimed.push(SERVICE_IP_PREFIX + spec.clusterIP);
      }
      spec.clusterIPs = [spec.clusterIP];
    } else if (spec.clusterIP === "None") {
      spec.clusterIPs = ["None"];
    }
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
      const oldPorts = new Map<string, number>();
      for (const p of old?.spec?.ports ?? []) {
        if (p.nodePort) oldPorts.set(`${p.port}/${p.protocol}`, p.nodePort);
      }
      for (const port of spec.ports ?? []) {
        if (port.nodePort) {
          if (oldPorts.get(`${port.port}/${port.protocol}`) === port.nodePort || dryRun) continue;
          if (!(await claim(`${NODE_PORT_PREFIX}${port.nodePort}`))) {
            throw invalidService(
              svc,
              "spec.ports[0].nodePort",
              port.nodePort,
              `provided port is already allocated`,
            );
          }
        } else {
          const kept = oldPorts.get(`${port.port}/${port.protocol}`);
          port.nodePort = kept ?? await this.#allocatePort(owner, dryRun);
          if (kept === undefined && !dryRun) claimed.push(`${NODE_PORT_PREFIX}${port.nodePort}`);
        }
      }
    }
    return claimed;
  }

  /** Releases keys claimed for a write that then failed. */
  async releaseKeys(keys: string[]): Promise<void> {
    for (const key of keys) await this.backend.delete(key).catch(() => undefined);
  }

  async release(svc: KubeObject): Promise<void> {
    const spec = svc.spec ?? {};
    const keys: string[] = [];
    if (spec.clusterIP && spec.clusterIP !== "None") keys.push(SERVICE_IP_PREFIX + spec.clusterIP);
    for (const port of spec.ports ?? []) {
      if (port.nodePort) keys.push(`${NODE_PORT_PREFIX}${port.nodePort}`);
    }
    const owner = `${svc.metadata.namespace}/${svc.metadata.name}`;
    for (const key of keys) {
      const { kv } = await this.backend.get(key);
      if (kv && JSON.parse(kv.value).owner === owner) {
        await this.backend.delete(key, kv.modRevision).catch(() => undefined);
      }
    }
  }

  async #ownedBy(key: string, owner: string): Promise<boolean> {
    const { kv } = await this.backend.get(key);
    return kv !== undefined && JSON.parse(kv.value).owner === owner;
  }

  async #claim(key: string, owner: string): Promise<boolean> {
    try {
      await this.backend.create(key, JSON.stringify({ owner }));
      return true;
    } catch (error) {
      if (error instanceof KeyExistsError) return false;
      throw error;
    }
  }

  /**
   * Random probes in the upper part of the range first (the lower part is kept for static IPs,
   * as upstream's ServiceIPStaticSubrange), then a scan of the whole range.
   */
  async #allocateIp(owner: string, dryRun: boolean): Promise<string> {
    const size = this.range.size;
    const staticBand = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    const first = 2; // .0 is the network, .1 the kubernetes Service
    const usable = size - 1; // the broadcast address is never handed out
    const tryOffset = async (offset: number) => {
      const ip = this.range.at(offset);
      if (dryRun) {
        const { kv } = await this.backend.get(SERVICE_IP_PREFIX + ip);
        return kv ? undefined : ip;
      }
      return (await this.#claim(SERVICE_IP_PREFIX + ip, owner)) ? ip : undefined;
    };
    if (usable - staticBand > 0) {
      for (let i = 0; i < 32; i++) {
        const offset = staticBand + Math.floor(Math.random() * (usable - staticBand));
        const ip = await tryOffset(offset);
        if (ip) return ip;
      }
    }
    for (let offset = first; offset < usable; offset++) {
      const ip = await tryOffset(offset);
      if (ip) return ip;
    }
    throw ApiError.internal(`failed to allocate a serviceIP: range is full`);
  }

  async #allocatePort(owner: string, dryRun: boolean): Promise<number> {
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = NODE_PORT_MIN + ((start + i) % span);
      if (dryRun) return port;
      if (await this.#claim(`${NODE_PORT_PREFIX}${port}`, owner)) return port;
    }
    throw ApiError.internal("failed to allocate a nodePort: range is full");
  }
}

function invalidService(svc: KubeObject, field: string, value: unknown, detail: string): ApiError {
  return ApiError.invalid(
    { resource: "services", group: "", kind: "Service" },
    svc.metadata.name ?? "",
    [{
      reason: "FieldValueInvalid",
      message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
      field,
    }],
  );
}
