// The API reference in Markdown, generated from the same schemas as the CRDs, so it cannot drift.
import { CRDS, toCrd } from "./definitions.ts";
import { FIELD_PROOFS, type Proofs } from "./field-proofs.ts";
import { type Field, proofCell } from "./proof-check.ts";
import type { JsonSchema } from "./structural.ts";

type Node = JsonSchema & {
  type?: string;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-validations"?: { message: string }[];
};

function typeOf(n: Node): string {
  if (n["x-kubernetes-int-or-string"]) return "int or string";
  if (n.type === "array") return `[]${n.items ? typeOf(n.items) : "any"}`;
  if (n.enum) return n.enum.map((e) => `\`${String(e)}\``).join(" \\| ");
  return n.type ?? "any";
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** One field as the reference lists it; `parent` when fields are listed under it. */
type Row = { path: string; type: string; text: string; parent: boolean };

function rows(n: Node, path: string, out: Row[]): void {
  for (const [name, child] of Object.entries(n.properties ?? {})) {
    const field = `${path}${name}`;
    const facts = [
      n.required?.includes(name) ? "required" : "",
      child.default === undefined ? "" : `default \`${JSON.stringify(child.default)}\``,
      child.minimum === undefined || child.minimum === -2147483648 ? "" : `min ${child.minimum}`,
      child.maximum === undefined || child.maximum === 2147483647 ? "" : `max ${child.maximum}`,
    ].filter(Boolean);
    const rules = (child["x-kubernetes-validations"] ?? []).map((r) => `Rule: ${r.message}.`);
    const text = [child.description ?? "", facts.length ? `(${facts.join(", ")})` : "", ...rules]
      .filter(Boolean)
      .join(" ");
    const inner = child.type === "array" ? child.items : child;
    const parent = Object.keys(inner?.properties ?? {}).length > 0;
    out.push({ path: field, type: typeOf(child), text, parent });
    if (inner && parent) rows(inner, `${field}${child.type === "array" ? "[]" : ""}.`, out);
  }
}

/** Each CRD with its spec-level rules and its fields, spec then status. */
function kinds() {
  return CRDS.flatMap((def) => {
    const crd = toCrd(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
    if (!root) return [];
    const out: Row[] = [];
    const spec = root.properties?.spec;
    if (spec) rows(spec, "spec.", out);
    const status = root.properties?.status;
    if (status) rows(status, "status.", out);
    return [{ def, rules: (spec?.["x-kubernetes-validations"] ?? []).map((r) => r.message), rows: out }];
  });
}

/** Every field of every kind, keyed "Kind path" as src/crd/field-proofs.ts keys them. */
export function referenceFields(): Field[] {
  return kinds().flatMap((k) => k.rows.map((r) => ({ key: `${k.def.kind} ${r.path}`, parent: r.parent })));
}

export function renderReference(proofs: Proofs = FIELD_PROOFS): string {
  const parts = [
    "# API reference: ramp.dev/v1alpha1",
    "",
    "Generated from the zod schemas in `src/api/` by `npm run gen:docs` (the CRDs come from the same",
    "schemas). `kubectl explain rollouts.ramp.dev.spec` shows the same text on a cluster.",
    "",
    "The last column names the tests that fail if ramp ignored the field (`file#text`: the test in that",
    "file whose source holds the text), from `src/crd/field-proofs.ts`; `npm run docs:check` fails when a",
    "field has no entry there, an entry names a test that does not exist, or a field that no longer does.",
  ];
  for (const { def, rules, rows: fields } of kinds()) {
    parts.push(
      "",
      `## ${def.kind}`,
      "",
      `${def.description} Short name \`${def.shortNames.join(", ")}\`, ${def.scope.toLowerCase()}.`,
      "",
    );
    for (const message of rules) parts.push(`- Rule: ${message}.`);
    parts.push("", "| field | type | description | proven by |", "|---|---|---|---|");
    for (const r of fields) {
      const proof = cell(proofCell(proofs[`${def.kind} ${r.path}`]));
      parts.push(`| \`${r.path}\` | ${cell(r.type)} | ${cell(r.text)} | ${proof} |`);
    }
  }
  return `${parts.join("\n")}\n`;
}
