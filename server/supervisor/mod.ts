/**
 * The K3s supervisor: the agent-facing endpoints on the API port (`/cacerts`, `/ping`,
 * `/v1-k3s/*`), join-token authentication, the node password rule and agent certificates.
 *
 * @example
 * ```ts
 * const supervisor = createSupervisorHandler({
 *   stores,
 *   tls,
 *   joinSecrets: { server: tokens.secret, agent: tokens.secret },
 *   agentConfig: agentConfigFor(config, advertise, config.httpsListenPort),
 *   isReady: () => ready,
 * });
 * const handler = async (request, user) =>
 *   await supervisor(request, user) ?? await api(request, user);
 * ```
 *
 * @module
 */
export { type AgentConfig, agentConfigFor } from "./agent_config.ts";
export {
  AGENT_IN_FLIGHT_LIMITS,
  createInFlightLimiter,
  type InFlightLimiter,
  type InFlightLimits,
  type ReleaseSlot,
  tooManyRequests,
} from "./in_flight.ts";
export {
  AGENT_GROUPS,
  authenticateAgent,
  authenticateJoinToken,
  type JoinSecrets,
  nodeNameOf,
  NODES_GROUP,
  readJoinSecrets,
} from "./join_auth.ts";
export {
  CLIENT_KUBE_PROXY_PROFILE,
  clientKubeletProfile,
  csrPemOf,
  parseNodeIps,
  servingKubeletProfile,
  signAgentCsr,
} from "./node_certificates.ts";
export {
  NODE_PASSWORD_NAMESPACE,
  NODE_PASSWORD_REJECTED,
  NODE_PASSWORD_SECRET_TYPE,
  type NodePasswordOptions,
  type NodePasswordOutcome,
  type NodePasswordResult,
  nodePasswordSecretName,
  requireNodeCredentials,
  verifyNodePassword,
} from "./node_password.ts";
export {
  createPasswordHash,
  PasswordHashFormatError,
  type PasswordHashOptions,
  verifyPasswordHash,
} from "./password_hash.ts";
export {
  createSupervisorHandler,
  NODE_HEADERS,
  SUPERVISOR_PREFIX,
  type SupervisorDeps,
  type SupervisorHandler,
} from "./routes.ts";
