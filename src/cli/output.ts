// -o json|yaml|name for API objects, as kubectl prints them (managedFields left out).
import { stringify } from "yaml";

type Obj = { metadata?: { name?: string; managedFields?: unknown } };

const trim = (o: unknown): unknown => {
  if (!o || typeof o !== "object") return o;
  const { metadata, ...rest } = o as Obj & Record<string, unknown>;
  if (!metadata) return o;
  const { managedFields: _, ...meta } = metadata;
  return { ...rest, metadata: meta };
};

/** One object, or a kubectl-style List when `items` is an array. */
export function formatObjects(
  format: "json" | "yaml" | "name",
  value: unknown | { items: unknown[] },
): string[] {
  const isList =
    typeof value === "object" && value !== null && "items" in value && Array.isArray(value.items);
  const items = isList ? (value as { items: unknown[] }).items : [value];
  if (format === "name") return items.map((o) => `rollout.ramp.dev/${(o as Obj).metadata?.name ?? ""}`);
  const out = isList
    ? { apiVersion: "v1", kind: "List", items: items.map(trim), metadata: { resourceVersion: "" } }
    : trim(value);
  return format === "json" ? JSON.stringify(out, null, 4).split("\n") : stringify(out).trimEnd().split("\n");
}
