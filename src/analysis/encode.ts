// How measured values are written to status: JSON, with NaN and infinities spelled out, and bounded.
import type { Value } from "./assess.ts";

const MAX = 1000;

/** JSON for a measured value; NaN, +Inf and -Inf as strings (JSON has none); long vectors cut with a count. */
export function encodeValue(value: Value): string {
  const special = (_: string, v: unknown) =>
    typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf") : v;
  let text = JSON.stringify(value, special) ?? "null";
  if (Array.isArray(value) && text.length > MAX) {
    const head = JSON.stringify(value.slice(0, 20), special);
    text = `${head.slice(0, -1)},"…${value.length - 20} more"]`;
  }
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text;
}

/** Replaces every known secret value in a message (provider errors may echo a query or header). */
export function redact(message: string, secrets: Iterable<string>): string {
  let out = message;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("*****");
  return out;
}
