/**
 * Leader election for the control loops: one Lease per component (kube-controller-manager,
 * kube-scheduler) in kube-system, so that of several servers sharing a datastore only one runs
 * each component's loops.
 *
 * @module
 */
export { ensureLeaderIdentity, LEADER_ID_FILE } from "./identity.ts";
export {
  LEADER_ELECTION_NAMESPACE,
  LEASE_DURATION_SECONDS,
  type LeaseClient,
  LeaseElector,
  type LeaseElectorOptions,
  RENEW_DEADLINE_MS,
  RETRY_PERIOD_MS,
} from "./lease_elector.ts";
