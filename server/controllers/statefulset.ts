/**
 * The StatefulSet controller (stable names, ordered and parallel pod management). Not yet built: a placeholder so the loop is wired.
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { ControllerOptions } from "./shared_informers.ts";

/** Runs the StatefulSet controller until the signal aborts. */
export function startStatefulSetController(
  _stores: StoreSet,
  _options: ControllerOptions,
): Promise<void> {
  return Promise.resolve();
}
