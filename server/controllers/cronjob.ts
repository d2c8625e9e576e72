/**
 * The CronJob controller (creates Jobs on a cron schedule). Not yet built: a placeholder so the loop is wired.
 *
 * @module
 */
import type { StoreSet } from "../apiserver/handler.ts";
import type { ControllerOptions } from "./shared_informers.ts";

/** Runs the CronJob controller until the signal aborts. */
export function startCronJobController(
  _stores: StoreSet,
  _options: ControllerOptions,
): Promise<void> {
  return Promise.resolve();
}
