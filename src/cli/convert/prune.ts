// The last pass over a converted object: every field ramp's schema (the CRD's, from the zod schemas) does
// not declare is dropped and reported, so nothing reaches the apiserver to be pruned silently.
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { z } from "zod";
import { crdSchema, type JsonSchema } from "../../crd/structural.ts";
import type { Edit } from "./edit.ts";
import type { Path } from "./source.ts";

const isSchema = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

const cache = new Map<z.ZodType, JsonSchema>();

/** The structural (CRD) schema of a zod type, computed once. */
export function schemaOf(type: z.ZodType): JsonSchema {
  let s = cache.get(type);
  if (!s) {
    s = crdSchema(type);
    cache.set(type, s);
  }
  return s;
}

const UNSUPPORTED = "Not supported by ramp: ";

/** The schema node at `path` under `root` (indices step into items), or undefined. */
export function schemaAt(root: JsonSchema, path: Path): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const p of path) {
    if (!node) return undefined;
    const next: unknown =
      typeof p === "number"
        ? node.items
        : isSchema(node.properties) && p in node.properties
          ? node.properties[p]
          : node.additionalProperties;
    node = isSchema(next) ? next : undefined;
  }
  return node;
}

/**
 * What ramp says instead of a field it declares only to refuse (src/api/meta.ts unsupportedFields), e.g.
 * "route with gatewayAPI (…), nginx or istio"; undefined for a field ramp supports or does not declare.
 */
export function unsupportedReason(root: JsonSchema, path: Path): string | undefined {
  const d = schemaAt(root, path)?.description;
  return typeof d === "string" && d.startsWith(UNSUPPORTED) ? d.slice(UNSUPPORTED.length) : undefined;
}

export type ReasonFor = (path: Path) => string;

/** Drops every key under `at` that `schema` (the schema of `at`) does not declare, or declares only to refuse. */
export function pruneUnknown(edit: Edit, at: Path, schema: JsonSchema, reasonFor: ReasonFor): void {
  const node = edit.doc.getIn(at, true) as Node | undefined;
  if (schema["x-kubernetes-preserve-unknown-fields"] === true && !isSchema(schema.properties)) return;
  if (isSeq(node) && isSchema(schema.items)) {
    const items = schema.items;
    node.items.forEach((_, i) => {
      pruneUnknown(edit, [...at, i], items, reasonFor);
    });
    return;
  }
  if (!isMap(node)) return;
  const props = isSchema(schema.properties) ? schema.properties : {};
  const extra = isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  for (const key of keys) pruneKey(edit, [...at, key], schema, key in props ? props[key] : extra, reasonFor);
  // A mapping all of whose fields were dropped goes too (`authentication: {}` would say nothing).
  if (keys.length > 0 && node.items.length === 0 && at.length > 1) edit.remove(at);
}

/** One key of a mapping against its schema (`child`, undefined when the mapping does not declare it). */
function pruneKey(edit: Edit, path: Path, parent: JsonSchema, child: unknown, reasonFor: ReasonFor): void {
  if (!isSchema(child)) {
    if (parent["x-kubernetes-preserve-unknown-fields"] !== true) edit.drop(path, reasonFor(path));
    return;
  }
  const d = child.description;
  if (typeof d === "string" && d.startsWith(UNSUPPORTED))
    edit.drop(path, `not supported by ramp: ${d.slice(UNSUPPORTED.length)}`);
  else pruneUnknown(edit, path, child, reasonFor);
}
