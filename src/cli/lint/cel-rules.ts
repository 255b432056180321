// The CEL rules (x-kubernetes-validations) of ramp's CRDs, evaluated offline the way the apiserver does:
// defaults applied first, each rule on the node that carries it, messages in the apiserver's format.
import { type CompiledCel, compileCel } from "../../cel/index.ts";
import { CRDS, toCrd } from "../../crd/definitions.ts";
import type { JsonSchema } from "../../crd/structural.ts";
import { isObject } from "../../json.ts";

export type CelFinding = { path: string; message: string; rule: string };

type Rule = { rule: string; message?: string; fieldPath?: string };
const isSchema = (v: unknown): v is JsonSchema => isObject(v);

/** The openAPIV3Schema of a kind's CRD (as crds/*.yaml carries it), or undefined for another kind. */
const schemas = new Map<string, JsonSchema | undefined>();
export function crdSchemaOf(kind: string): JsonSchema | undefined {
  if (!schemas.has(kind)) {
    const def = CRDS.find((d) => d.kind === kind);
    const crd = def
      ? (toCrd(def) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } })
      : undefined;
    schemas.set(kind, crd?.spec.versions[0]?.schema.openAPIV3Schema);
  }
  return schemas.get(kind);
}

const compiled = new Map<string, CompiledCel>();
const compile = (rule: string): CompiledCel => {
  let c = compiled.get(rule);
  if (!c) {
    c = compileCel(rule, { self: "dyn" });
    compiled.set(rule, c);
  }
  return c;
};

/** JSON as CEL sees it: whole numbers are CEL ints (BigInt here), except under a `number` schema. */
function toCel(value: unknown, schema: JsonSchema | undefined): unknown {
  if (typeof value === "number")
    return Number.isInteger(value) && schema?.type !== "number" ? BigInt(value) : value;
  if (Array.isArray(value)) {
    const items = isSchema(schema?.items) ? schema.items : undefined;
    return value.map((v) => toCel(v, items));
  }
  if (isObject(value)) {
    const props = isObject(schema?.properties) ? schema.properties : {};
    const extra = isSchema(schema?.additionalProperties) ? schema.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const s = props[k];
        return [k, toCel(v, isSchema(s) ? s : extra)];
      }),
    );
  }
  return value;
}

/** The value after structural defaulting: missing properties that have a `default` get it. */
function withDefaults(value: unknown, schema: JsonSchema): unknown {
  if (Array.isArray(value)) {
    const items = schema.items;
    return isSchema(items) ? value.map((v) => withDefaults(v, items)) : value;
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const [k, s] of Object.entries(props)) {
    if (!isSchema(s)) continue;
    if (out[k] === undefined && s.default !== undefined) out[k] = structuredClone(s.default);
    if (out[k] !== undefined) out[k] = withDefaults(out[k], s);
  }
  const extra = schema.additionalProperties;
  if (isSchema(extra))
    for (const k of Object.keys(out)) if (!(k in props)) out[k] = withDefaults(out[k], extra);
  return out;
}

/** `Invalid value: "10 m": ` for a scalar, `Invalid value: ` for an object or list, as the apiserver prints. */
function invalid(value: unknown): string {
  if (typeof value === "string") return `Invalid value: ${JSON.stringify(value)}: `;
  if (typeof value === "number" || typeof value === "boolean") return `Invalid value: ${value}: `;
  return "Invalid value: ";
}

function walk(schema: JsonSchema, value: unknown, path: string, out: CelFinding[]): void {
  if (value === undefined || value === null) return;
  const rules = Array.isArray(schema["x-kubernetes-validations"])
    ? (schema["x-kubernetes-validations"] as Rule[])
    : [];
  for (const r of rules) {
    // Transition rules compare with the stored object: an offline check, like a create, has none.
    if (/\boldSelf\b/.test(r.rule)) continue;
    let ok: unknown;
    try {
      ok = compile(r.rule).evaluate({ self: toCel(value, schema) });
    } catch (err) {
      out.push({
        path,
        rule: r.rule,
        message: `Invalid value: rule could not be evaluated: ${(err as Error).message}`,
      });
      continue;
    }
    // With a fieldPath the apiserver names that field and prints no value, as for an object.
    const at = r.fieldPath ? `${path}${r.fieldPath}` : path;
    const shown = r.fieldPath ? "Invalid value: " : invalid(value);
    if (ok !== true)
      out.push({ path: at, rule: r.rule, message: `${shown}${r.message ?? `failed rule: ${r.rule}`}` });
  }
  if (Array.isArray(value) && isSchema(schema.items)) {
    const items = schema.items;
    value.forEach((v, i) => {
      walk(items, v, `${path}[${i}]`, out);
    });
  } else if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    const extra = isSchema(schema.additionalProperties) ? schema.additionalProperties : undefined;
    for (const [k, v] of Object.entries(value)) {
      const s = props[k];
      if (isSchema(s)) walk(s, v, path === "" ? k : `${path}.${k}`, out);
      else if (extra) walk(extra, v, `${path}[${k}]`, out);
    }
  }
}

/** Every CEL rule of the kind's CRD that `object.spec` breaks, with the apiserver's path and message. */
export function celFindings(kind: string, object: Record<string, unknown>): CelFinding[] {
  const root = crdSchemaOf(kind);
  const props = isObject(root?.properties) ? root.properties : {};
  const spec = props.spec;
  if (!isSchema(spec)) return [];
  const out: CelFinding[] = [];
  walk(spec, withDefaults(object.spec, spec), "spec", out);
  return out;
}
