// Turns zod's OpenAPI 3.0 output into a Kubernetes structural schema (what a CRD must carry).
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

const isSchema = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/** The CRD schema of a zod type: input types (defaults optional), made structural. */
export function crdSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", unrepresentable: "throw" });
  return structural(raw as JsonSchema);
}

/** Fixes the few shapes zod emits that the apiserver rejects in a structural schema. */
export function structural(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "id") continue;
    if (key === "properties" && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, isSchema(v) ? structural(v) : v]),
      );
    } else if ((key === "items" || key === "additionalProperties") && isSchema(value)) {
      out[key] = structural(value);
    } else if ((key === "anyOf" || key === "oneOf" || key === "allOf") && Array.isArray(value)) {
      out[key] = value.map((v: unknown) => (isSchema(v) ? structural(v) : v));
    } else {
      out[key] = value;
    }
  }
  // int-or-string: the marker alone says it all; typed anyOf branches are not structural.
  if (out["x-kubernetes-int-or-string"] === true) {
    // Keep the string branch's maxLength: CEL's cost estimate needs a bound.
    const str = Array.isArray(out.anyOf) ? out.anyOf.find((b: JsonSchema) => b.type === "string") : undefined;
    if (isSchema(str) && typeof str.maxLength === "number") out.maxLength = str.maxLength;
    delete out.anyOf;
    delete out.type;
  }
  // Free-form objects: preserve-unknown-fields replaces a schema-less additionalProperties.
  if (out["x-kubernetes-preserve-unknown-fields"] === true) {
    const ap = out.additionalProperties;
    if (ap === true || (isSchema(ap) && Object.keys(ap).length === 0)) delete out.additionalProperties;
    out.type ??= "object";
  }
  if (Array.isArray(out["x-kubernetes-validations"]) && out["x-kubernetes-validations"].length === 0) {
    delete out["x-kubernetes-validations"];
  }
  if (out.type === "integer" && out.minimum !== undefined && out.maximum === 2147483647) out.format = "int32";
  return out;
}
