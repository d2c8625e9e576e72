/**
 * The schemas of every built-in kind, merged from one file per API group.
 *
 * @module
 */
import { APPS_SCHEMAS } from "./definitions/apps.ts";
import { AUTHENTICATION_SCHEMAS } from "./definitions/authentication.ts";
import { AUTHORIZATION_SCHEMAS } from "./definitions/authorization.ts";
import { AUTOSCALING_SCHEMAS } from "./definitions/autoscaling.ts";
import { BATCH_SCHEMAS } from "./definitions/batch.ts";
import { COORDINATION_SCHEMAS } from "./definitions/coordination.ts";
import { CORE_SCHEMAS } from "./definitions/core.ts";
import { DISCOVERY_SCHEMAS } from "./definitions/discovery.ts";
import { EVENTS_SCHEMAS } from "./definitions/events.ts";
import { META_SCHEMAS } from "./definitions/meta.ts";
import { NETWORKING_SCHEMAS } from "./definitions/networking.ts";
import { POLICY_SCHEMAS } from "./definitions/policy.ts";
import { RBAC_SCHEMAS } from "./definitions/rbac.ts";
import { STORAGE_SCHEMAS } from "./definitions/storage.ts";
import type { SchemaSet } from "./types.ts";

/**
 * Every built-in schema by upstream name (`io.k8s.api.core.v1.Pod`, ...). Treat it as read-only:
 * copy it (`{ ...BUILTIN_SCHEMAS }`) before adding custom resource schemas.
 */
export const BUILTIN_SCHEMAS: SchemaSet = Object.freeze({
  ...META_SCHEMAS,
  ...CORE_SCHEMAS,
  ...APPS_SCHEMAS,
  ...BATCH_SCHEMAS,
  ...AUTOSCALING_SCHEMAS,
  ...AUTHENTICATION_SCHEMAS,
  ...AUTHORIZATION_SCHEMAS,
  ...COORDINATION_SCHEMAS,
  ...DISCOVERY_SCHEMAS,
  ...EVENTS_SCHEMAS,
  ...NETWORKING_SCHEMAS,
  ...POLICY_SCHEMAS,
  ...RBAC_SCHEMAS,
  ...STORAGE_SCHEMAS,
});
