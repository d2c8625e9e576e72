/**
 * `k3ts server`: opens the datastore, ensures TLS material and tokens, serves the API on one TLS
 * port, creates the bootstrap objects and writes the admin kubeconfig.
 *
 * @module
 */
import { join } from "node:path";
import { createAdmission } from "./apiserver/admission.ts";
import { createFieldChecker } from "./apiserver/field_check.ts";
import { type ApiHandler, createApiHandler, StoreSet } from "./apiserver/handler.ts";
import { startHttpsServer } from "./apiserver/https_server.ts";
import { impersonate } from "./apiserver/impersonation.ts";
import { ipv4Range } from "./apiserver/ip_range.ts";
import { createPatchEngine } from "./apiserver/patching.ts";
import { ResourceRegistry } from "./apiserver/resources.ts";
import type { StoreDeps } from "./apiserver/rest_store.ts";
import {
  checkNodeRestriction,
  ensureBootstrapPolicy,
  privilegedGroupsAuthorizer,
  startClusterRoleAggregation,
  startNodeAuthorizer,
  startRbacAuthorizer,
  unionAuthorizer,
} from "./auth/rbac/mod.ts";
import {
  createBearerAuthenticator,
  createTokenRequest,
  ensureServiceAccountKey,
  ServiceAccountTokens,
} from "./auth/tokens/mod.ts";
import { ensureBootstrapObjects } from "./bootstrap_objects.ts";
import {
  ensureDefaultServiceAccounts,
  startServiceAccountController,
} from "./controllers/service_account.ts";
import { startNodeIpam } from "./controllers/node_ipam.ts";
import { startNodeLifecycle } from "./controllers/node_lifecycle.ts";
import type { InformerCache } from "../kube/informers/shared_informers.ts";
import { inProcessInformers } from "./apiserver/in_process_list_watch.ts";
import { startWorkloadControllers } from "./controllers/workloads.ts";
import { ensureLeaderIdentity, LeaseElector } from "./leader/mod.ts";
import { startScheduler } from "./scheduler/mod.ts";
import { agentConfigFor, createSupervisorHandler } from "./supervisor/mod.ts";
import type { ServerConfig } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";
import { BUILTIN_RESOURCES } from "./registry/catalog.ts";
import { strategyFor } from "./registry/strategies/mod.ts";
import { startCompactor } from "./storage/compactor.ts";
import { openSqliteBackend } from "./storage/sqlite.ts";
import type { Backend } from "./storage/types.ts";
import {
  ensureClusterTls,
  ensureJoinTokens,
  startCertificateExpiryMonitor,
  writeAdminKubeconfig,
} from "./tls/mod.ts";
import { startNamespaceController } from "./controllers/namespace.ts";
import { startMemoryReducer } from "./memory_reducer.ts";

/** A running server. */
export interface RunningServer {
  /** The bound HTTPS port. */
  port: number;
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** Where the admin kubeconfig was written. */
  kubeconfigPath: string;
  /** The join token (`K10...::server:...`). */
  token: string;
  /** The in-process stores (the server's own controllers use them). */
  stores: StoreSet;
  backend: Backend;
  /** Milliseconds from start to API ready. */
  startupMs: number;
  /** Stops listening, stops loops, closes the datastore. */
  close(): Promise<void>;
}

/** Options besides the configuration. */
export interface StartServerOptions {
  logger?: Logger;
}

/** The node's first non-loopback IPv4 address, or 127.0.0.1. */
function nodeIp(): string {
  try {
    for (const iface of Deno.networkInterfaces()) {
      if (iface.family === "IPv4" && !iface.address.startsWith("127.")) return iface.address;
    }
  } catch {
    // --allow-sys not granted: fall back to loopback.
  }
  return "127.0.0.1";
}

async function ensureDir(path: string, mode: number): Promise<void> {
  await Deno.mkdir(path, { recursive: true, mode });
  await Deno.chmod(path, mode);
}

/** Starts a server; resolves once the API answers and bootstrap objects exist. */
export async function startServer(
  config: ServerConfig,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const started = performance.now();
  const log = options.logger ?? createLogger(config.logLevel);
  const serverDir = join(config.dataDir, "server");
  try {
    await ensureDir(config.dataDir, 0o700);
    await ensureDir(serverDir, 0o700);
    await ensureDir(join(serverDir, "db"), 0o700);
  } catch (error) {
    throw new Error(`data dir ${config.dataDir} is not usable: ${(error as Error).message}`);
  }
  const advertise = config.advertiseAddress ?? nodeIp();
  const serviceIp = ipv4Range(config.serviceCidr).at(1);
  const sanIps = [advertise, serviceIp, ...config.tlsSan.filter(isIp)];
  const sanDns = [config.nodeName, ...config.tlsSan.filter((s) => !isIp(s))];
  const tls = await ensureClusterTls({
    dataDir: config.dataDir,
    sans: { dns: sanDns, ips: sanIps },
  });
  for (const change of tls.changes) {
    log.info("Wrote certificate", { name: change.name, reason: change.reason });
  }
  const tokens = await ensureJoinTokens({
    dataDir: config.dataDir,
    caPem: tls.serverCa.certPem,
    secret: config.token,
  });
  const serviceAccountKey = await ensureServiceAccountKey(config.dataDir);
  if (serviceAccountKey.created) {
    log.info("Wrote service account signing key", { path: serviceAccountKey.path });
  }
  const serviceAccountTokens = new ServiceAccountTokens(serviceAccountKey);
  const leaderIdentity = await ensureLeaderIdentity(serverDir, config.nodeName);

  const backend = openSqliteBackend(join(serverDir, "db", "state.db"));
  const registry = new ResourceRegistry();
  for (const info of BUILTIN_RESOURCES) registry.add(info, strategyFor(info));

  // Namespaced writes check their namespace from a watch-fed cache once it is synced; a miss
  // (a namespace created a moment ago) reads the datastore, as upstream's NamespaceLifecycle.
  // `namespaceCache` is assigned below, before the listener opens and any request arrives.
  const storeDeps: StoreDeps = {
    backend,
    admission: createAdmission({
      backend,
      serviceCidr: config.serviceCidr,
      getNamespace: (name) => {
        const cached = namespaceCache.hasSynced ? namespaceCache.get(undefined, name) : undefined;
        return cached
          ? Promise.resolve(cached)
          : stores.forKind("", "Namespace").find(undefined, name);
      },
      checks: [checkNodeRestriction],
    }),
    fields: createFieldChecker(),
    patches: createPatchEngine(),
  };
  const stores: StoreSet = new StoreSet(registry, storeDeps);
  const stop = new AbortController();
  const apiInformers = inProcessInformers(stores, {
    signal: stop.signal,
    logger: log,
  });
  const namespaceCache: InformerCache = apiInformers.forKind("", "Namespace");
  const rbac = await startRbacAuthorizer(stores, { signal: stop.signal, logger: log });
  const nodeAuthorizer = await startNodeAuthorizer(stores, { signal: stop.signal, logger: log });
  let ready = false;
  // system:masters first, so the admin is never locked out while RBAC syncs.
  const authorizer = unionAuthorizer(privilegedGroupsAuthorizer(), nodeAuthorizer, rbac);
  const authenticateToken = createBearerAuthenticator({ stores, key: serviceAccountKey });
  const api = createApiHandler({
    registry,
    backend,
    storeDeps,
    authorizer,
    authenticateToken,
    subresourceCreators: new Map([
      [
        "/serviceaccounts/token",
        (namespace: string, name: string, body: unknown) =>
          createTokenRequest(
            { objects: stores, tokens: serviceAccountTokens },
            namespace,
            name,
            body,
          ),
      ],
    ]),
    serverAddress: `${advertise}:${config.httpsListenPort}`,
    serverCaPem: tls.serverCa.certPem,
    isReady: () => ready,
  }, stores);
  const supervisor = createSupervisorHandler({
    stores,
    tls,
    joinSecrets: { server: tokens.secret, agent: tokens.secret },
    agentConfig: agentConfigFor(config, advertise, config.httpsListenPort),
    isReady: () => ready,
    logger: log,
  });
  const handler: ApiHandler = async (request, user) => {
    const supervised = await supervisor(request, user);
    if (supervised) return supervised;
    return await api(request, user);
  };
  const https = await startHttpsServer({
    host: config.bindAddress,
    port: config.httpsListenPort,
    certPem: tls.serving.certPem + tls.serverCa.certPem,
    keyPem: tls.serving.keyPem,
    clientCaPem: tls.clientCa.certPem,
    handler,
    authenticateRequest: authenticateToken,
    impersonate: (headers, caller) => impersonate(headers, caller, authorizer),
  });
  try {
    await ensureBootstrapObjects(stores, {
      serviceIp,
      advertiseAddress: advertise,
      port: https.port,
    });
    await ensureBootstrapPolicy(stores, { logger: log });
    await ensureDefaultServiceAccounts(stores);
    await Promise.all([rbac.synced(), nodeAuthorizer.synced()]);
    const url = `https://127.0.0.1:${https.port}`;
    await writeAdminKubeconfig({
      path: config.writeKubeconfig,
      mode: config.writeKubeconfigMode,
      serverUrl: url,
      caPem: tls.serverCa.certPem,
      certPem: tls.admin.certPem,
      keyPem: tls.admin.keyPem,
    });
    const loops = [
      startCompactor(backend, {
        signal: stop.signal,
        onError: (e) => log.error("compaction failed", { error: String(e) }),
      }),
      startClusterRoleAggregation(stores, { signal: stop.signal, logger: log }),
      // Control loops: of the servers sharing the datastore, the holder of each component's
      // Lease runs them (upstream's kube-controller-manager and kube-scheduler).
      new LeaseElector(stores, {
        name: "kube-controller-manager",
        component: "kube-controller-manager",
        identity: leaderIdentity,
        logger: log,
      }).run(stop.signal, (signal) => {
        const informers = inProcessInformers(stores, {
          signal,
          logger: log,
        });
        return Promise.allSettled([
          startNamespaceController(stores, { signal, logger: log }),
          startServiceAccountController(stores, { signal, logger: log }),
          startWorkloadControllers(stores, { signal, logger: log, informers }),
          informers.stopped(),
          startNodeIpam(stores, { clusterCidr: config.clusterCidr, signal, logger: log }),
          startNodeLifecycle(stores, {
            gracePeriodMs: config.nodeMonitorGracePeriod * 1000,
            signal,
            logger: log,
          }),
        ]);
      }),
      new LeaseElector(stores, {
        name: "kube-scheduler",
        component: "default-scheduler",
        identity: leaderIdentity,
        logger: log,
      }).run(stop.signal, (signal) => startScheduler(stores, { signal, logger: log })),
      startCertificateExpiryMonitor({
        dataDir: config.dataDir,
        logger: log,
        host: config.nodeName,
        postEvent: (event) =>
          stores.forKind("", "Event").create("default", event, { fieldManager: "k3ts" }),
        signal: stop.signal,
        onError: (e) => log.error("certificate expiry check failed", { error: String(e) }),
      }),
      rbac.done,
      nodeAuthorizer.done,
      apiInformers.stopped(),
    ];
    ready = true;
    loops.push(startMemoryReducer({ activity: https.requests, signal: stop.signal, logger: log }));
    const startupMs = performance.now() - started;
    log.info("k3ts server is up", {
      url,
      kubeconfig: config.writeKubeconfig,
      startup_ms: Math.round(startupMs),
    });
    return {
      port: https.port,
      url,
      kubeconfigPath: config.writeKubeconfig,
      token: tokens.token,
      stores,
      backend,
      startupMs,
      async close() {
        ready = false;
        stop.abort();
        await https.close();
        await Promise.allSettled(loops);
        await backend.close();
      },
    };
  } catch (error) {
    stop.abort();
    await https.close();
    await Promise.allSettled([rbac.done, nodeAuthorizer.done, apiInformers.stopped()]);
    await backend.close();
    throw error;
  }
}

function isIp(value: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(":");
}
