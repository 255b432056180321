// Stable hashes: a pod template's identity (names its ReplicaSet) and the steps' identity.
import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

// The alphabet Kubernetes uses for generated names: no vowels (no words), no look-alikes.
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** A short, label-safe hash of any JSON value. */
export function shortHash(value: unknown, length = 10): string {
  const digest = createHash("sha256").update(canonicalJson(value)).digest();
  let out = "";
  for (let i = 0; out.length < length; i++) out += SAFE[(digest[i] ?? 0) % SAFE.length];
  return out;
}

/** The pod-template hash that names a version's ReplicaSet and pins Service selectors to it. */
export const podTemplateHash = (template: unknown): string => shortHash(template);
