/**
 * events.k8s.io/v1: Event.
 *
 * @module
 */
import { int32, kindWithList, microTime, obj, ref, str, time } from "../dsl.ts";
import type { SchemaSet } from "../types.ts";

const PKG = "io.k8s.api.events.v1";

/** Every events.k8s.io/v1 schema. */
export const EVENTS_SCHEMAS: SchemaSet = {
  ...kindWithList(
    PKG,
    { group: "events.k8s.io", version: "v1", kind: "Event" },
    "A report of something that happened to an object.",
    {
      action: str("What was done, or failed."),
      deprecatedCount: int32("Count from the core/v1 event."),
      deprecatedFirstTimestamp: time("First timestamp from the core/v1 event."),
      deprecatedLastTimestamp: time("Last timestamp from the core/v1 event."),
      deprecatedSource: ref("io.k8s.api.core.v1.EventSource", "Source from the core/v1 event."),
      eventTime: microTime("When the event first happened."),
      note: str("Human-readable description."),
      reason: str("Short machine-readable reason."),
      regarding: ref("io.k8s.api.core.v1.ObjectReference", "The object the event is about."),
      related: ref("io.k8s.api.core.v1.ObjectReference", "A secondary object."),
      reportingController: str("Controller that emitted the event."),
      reportingInstance: str("Instance of that controller."),
      series: ref(`${PKG}.EventSeries`, "Data of a repeating event."),
      type: str("Normal or Warning."),
    },
    { required: ["eventTime"] },
  ),
  [`${PKG}.EventSeries`]: obj({
    count: int32("Occurrences so far."),
    lastObservedTime: microTime("Time of the last occurrence."),
  }, { description: "A series of repeated events.", required: ["count", "lastObservedTime"] }),
};
