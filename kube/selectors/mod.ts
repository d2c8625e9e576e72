/**
 * Label and field selectors.
 *
 * @module
 */
export * from "./labels.ts";
export * from "./fields.ts";
