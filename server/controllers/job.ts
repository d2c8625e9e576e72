/**
 * The Job controller (completions, parallelism, backoffLimit, activeDeadlineSeconds, ttlSecondsAfterFinished). Not yet built: a placeholder so the loop is wired.
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { ControllerOptions } from "./shared_informers.ts";

/** Runs the Job controller until the signal aborts. */
export function startJobController(
  _stores: StoreSet,
  _options: ControllerOptions,
): Promise<void> {
  return Promise.resolve();
}
