/**
 * Loads the realistic manifests of `testdata/` and finds each one's schema by its
 * `x-kubernetes-group-version-kind`, the way the apiserver picks a kind's type.
 *
 * @module
 */
import { parseAllDocuments } from "yaml";
import { parseApiVersion } from "../../types.ts";
import type { SchemaSet } from "../types.ts";

/** One manifest of a fixture file. */
export interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  object: Record<string, unknown>;
}

/** Every manifest of the named YAML files in this directory. */
export function loadManifests(...files: string[]): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of files) {
    const text = Deno.readTextFileSync(new URL(`./${file}`, import.meta.url));
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as Record<string, unknown>;
      const metadata = object.metadata as { name?: string } | undefined;
      manifests.push({
        file,
        apiVersion: String(object.apiVersion),
        kind: String(object.kind),
        name: metadata?.name ?? "",
        object,
      });
    }
  }
  return manifests;
}

/** The schema whose group-version-kind matches the manifest's `apiVersion` and `kind`. */
export function schemaNameFor(schemas: SchemaSet, apiVersion: string, kind: string): string {
  const { group, version } = parseApiVersion(apiVersion);
  for (const [name, schema] of Object.entries(schemas)) {
    const match = schema["x-kubernetes-group-version-kind"]?.some((gvk) =>
      gvk.group === group && gvk.version === version && gvk.kind === kind
    );
    if (match) return name;
  }
  throw new Error(`no schema for ${apiVersion} ${kind}`);
}
