/**
 * The supervisor: K3s's agent-facing endpoints on the API port. `/cacerts` and `/ping` are open
 * to anyone (an agent pins the CA by the hash in its token before it trusts anything); the
 * `/v1-k3s/*` routes need the join token or a node certificate, are capped at 20 concurrent
 * reads and 10 concurrent writes, and hand out kubelet/kube-proxy certificates for CSRs, the
 * CAs, the API server addresses and the agent configuration.
 *
 * @module
 */
import { ApiError } from "../../kube/errors.ts";
import type { StoreSet } from "../apiserver/handler.ts";
import { errorResponse, jsonResponse, readBody } from "../apiserver/http_io.ts";
import type { RequestUser } from "../apiserver/store_types.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { CertificateProfile, CertKeyPair } from "../tls/mod.ts";
import type { AgentConfig } from "./agent_config.ts";
import { createInFlightLimiter, type InFlightLimits, tooManyRequests } from "./in_flight.ts";
import {
  AGENT_GROUPS,
  authenticateAgent,
  type JoinSecrets,
  nodeNameOf,
  NODES_GROUP,
} from "./join_auth.ts";
import {
  CLIENT_KUBE_PROXY_PROFILE,
  clientKubeletProfile,
  parseNodeIps,
  servingKubeletProfile,
  signAgentCsr,
} from "./node_certificates.ts";
import {
  type NodePasswordOptions,
  requireNodeCredentials,
  verifyNodePassword,
} from "./node_password.ts";
import { type ApiRequest, requestUrl } from "../apiserver/api_request.ts";

/** The prefix of the authenticated routes (K3s: `/v1-<program>`). */
export const SUPERVISOR_PREFIX = "/v1-k3s";

/** Request headers the agent identifies its node with (K3s: `<program>-Node-*`). */
export const NODE_HEADERS = {
  name: "K3s-Node-Name",
  password: "K3s-Node-Password",
  ips: "K3s-Node-IP",
} as const;

/** What the supervisor needs from a running server. */
export interface SupervisorDeps {
  /** In-process stores: node-password Secrets, Nodes, the `kubernetes` Endpoints. */
  stores: StoreSet;
  /** The CAs: the server CA signs kubelet serving certs, the client CA client certs. */
  tls: { serverCa: CertKeyPair; clientCa: CertKeyPair };
  /** Secrets basic-auth join tokens are checked against. */
  joinSecrets: JoinSecrets;
  /** What `/v1-k3s/config` serves (a function when it may change, e.g. the bound port). */
  agentConfig: AgentConfig | (() => AgentConfig);
  /** False until bootstrap objects exist: `/v1-k3s/readyz` and node checks answer 503. */
  isReady(): boolean;
  /**
   * `host:port` of every API server; by default read from the `kubernetes` Endpoints in
   * `default`, falling back to the advertised address.
   */
  apiServerAddresses?: () => Promise<string[]>;
  /** Concurrency limits of the agent routes; K3s's 20 read / 10 mutating when omitted. */
  limits?: InFlightLimits;
  /** Node password hashing options (tests use cheap scrypt parameters). */
  nodePassword?: NodePasswordOptions;
  /** Where refused requests and new node names are logged. */
  logger?: Logger;
}

/**
 * The supervisor handler: a Response for supervisor paths, undefined for every other path
 * (the caller then hands the request to the Kubernetes API handler).
 */
export type SupervisorHandler = (
  request: ApiRequest,
  user: RequestUser | undefined,
) => Promise<Response | undefined>;

interface Route {
  /** Groups allowed to call the route. */
  groups: readonly string[];
  /** Whether the in-flight limit applies (not for the long-lived tunnel). */
  limited: boolean;
  /** Methods accepted; others get 405. */
  methods: readonly string[];
  handle(request: ApiRequest, user: RequestUser): Promise<Response> | Response;
}

const READ = ["GET", "HEAD"] as const;
const TEXT = { "content-type": "text/plain; charset=utf-8" };

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: TEXT });
}

/**
 * Creates the supervisor handler.
 *
 * @param deps Stores, CAs, join secrets, agent configuration and readiness of the server.
 * @returns `(request, user) => Promise<Response | undefined>`; `user` is the verified client
 * certificate's user, as the TLS listener passes it to the API handler.
 */
export function createSupervisorHandler(deps: SupervisorDeps): SupervisorHandler {
  const log = deps.logger ?? silentLogger;
  const limiter = createInFlightLimiter(deps.limits);
  const agentConfig = () =>
    typeof deps.agentConfig === "function" ? deps.agentConfig() : deps.agentConfig;
  const apiServerAddresses = deps.apiServerAddresses ??
    (() => endpointAddresses(deps.stores, agentConfig()));

  const requireReady = () => {
    if (!deps.isReady()) throw ApiError.unavailable("runtime core not ready");
  };

  /** K3s's node check for kubelet certificates; returns the verified node name. */
  const authorizeNode = async (request: ApiRequest, user: RequestUser): Promise<string> => {
    const headers = request.headers;
    const { name } = requireNodeCredentials(
      headers.get(NODE_HEADERS.name),
      headers.get(NODE_HEADERS.password),
    );
    // A node renewing with its own client certificate may only ask for itself, and only
    // while its Node exists (a deleted node's certificate must not mint new ones).
    const identity = nodeNameOf(user);
    if (identity !== undefined && identity !== name) {
      throw ApiError.badRequest("header node name does not match auth node name");
    }
    requireReady();
    if (identity !== undefined && !await deps.stores.forKind("", "Node").find(undefined, name)) {
      throw ApiError.unauthorized(`unable to verify node identity: nodes "${name}" not found`);
    }
    const result = await verifyNodePassword(
      deps.stores,
      name,
      headers.get(NODE_HEADERS.password),
      deps.nodePassword,
    );
    if (result.outcome !== "verified") {
      log.info("Node password accepted", { node: result.nodeName, outcome: result.outcome });
    }
    return result.nodeName;
  };

  const certificate = async (
    request: ApiRequest,
    ca: CertKeyPair,
    profile: CertificateProfile,
  ): Promise<Response> => {
    const chain = await signAgentCsr(ca, await readBody(request), profile);
    return text(chain);
  };

  const certificateRoute = (
    issue: (request: ApiRequest, user: RequestUser) => Promise<Response>,
  ): Route => ({ groups: AGENT_GROUPS, limited: true, methods: ["POST"], handle: issue });

  const readRoute = (handle: Route["handle"]): Route => ({
    groups: AGENT_GROUPS,
    limited: true,
    methods: READ,
    handle,
  });

  const routes = new Map<string, Route>([
    [
      "/serving-kubelet.crt",
      certificateRoute(async (request, user) => {
        const nodeIps = parseNodeIps(request.headers.get(NODE_HEADERS.ips));
        const nodeName = await authorizeNode(request, user);
        return certificate(
          request,
          deps.tls.serverCa,
          servingKubeletProfile(nodeName, nodeIps),
        );
      }),
    ],
    [
      "/client-kubelet.crt",
      certificateRoute(async (request, user) => {
        const nodeName = await authorizeNode(request, user);
        return certificate(request, deps.tls.clientCa, clientKubeletProfile(nodeName));
      }),
    ],
    [
      "/client-kube-proxy.crt",
      // K3s checks no node password here: the identity is shared by every node.
      certificateRoute((request) =>
        certificate(request, deps.tls.clientCa, CLIENT_KUBE_PROXY_PROFILE)
      ),
    ],
    ["/client-ca.crt", readRoute(() => text(deps.tls.clientCa.certPem))],
    ["/server-ca.crt", readRoute(() => text(deps.tls.serverCa.certPem))],
    ["/apiservers", readRoute(async () => jsonResponse(200, await apiServerAddresses()))],
    ["/config", readRoute(() => jsonResponse(200, agentConfig()))],
    [
      "/readyz",
      readRoute(() => {
        requireReady();
        return text("ok");
      }),
    ],
    [
      "/connect",
      {
        groups: [NODES_GROUP],
        limited: false,
        methods: READ,
        handle: () => {
          throw new ApiError(
            501,
            "NotImplemented",
            "the agent tunnel (/v1-k3s/connect) is not implemented yet",
          );
        },
      },
    ],
  ]);

  return async (request, user) => {
    const path = requestUrl(request).pathname;
    // Open to all: an agent fetches the CA before it can verify the server.
    if (path === "/cacerts") return text(deps.tls.serverCa.certPem);
    if (path === "/ping") return text("pong");
    if (!path.startsWith(SUPERVISOR_PREFIX + "/")) return undefined;
    const route = routes.get(path.slice(SUPERVISOR_PREFIX.length));
    // Unknown /v1-k3s paths fall through to the API, which answers 404 (as in K3s).
    if (!route) return undefined;
    let release: (() => void) | undefined;
    try {
      const caller = authenticateAgent(request, user, deps.joinSecrets, route.groups);
      if (route.limited) {
        release = limiter.tryAcquire(request, caller);
        if (!release) return tooManyRequests();
      }
      if (!route.methods.includes(request.method)) {
        throw ApiError.methodNotAllowed(
          `${request.method} is not supported on ${path}; use ${route.methods.join(" or ")}`,
        );
      }
      return await route.handle(request, caller);
    } catch (error) {
      const response = errorResponse(error);
      log.warn("Supervisor request refused", {
        path,
        status: response.status,
        error: error instanceof Error ? error.message : String(error),
      });
      return response;
    } finally {
      release?.();
    }
  };
}

/** The parts of an Endpoints subset read here. */
interface EndpointSubset {
  addresses?: { ip?: string }[];
  ports?: { port?: number; name?: string }[];
}

/** `host:port` of every address in the `kubernetes` Endpoints, or the advertised address. */
async function endpointAddresses(stores: StoreSet, config: AgentConfig): Promise<string[]> {
  const endpoints = await stores.forKind("", "Endpoints").find("default", "kubernetes");
  const addresses = new Set<string>();
  for (const subset of (endpoints?.subsets ?? []) as EndpointSubset[]) {
    const ports = subset.ports ?? [];
    const port = ports.find((p) => p.name === "https")?.port ?? ports[0]?.port;
    if (port === undefined) continue;
    for (const address of subset.addresses ?? []) {
      if (address.ip) addresses.add(hostPort(address.ip, port));
    }
  }
  if (addresses.size === 0) addresses.add(hostPort(config.AdvertiseIP, config.AdvertisePort));
  return [...addresses];
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
