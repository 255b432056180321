// The API reference in Markdown, generated from the same schemas as the CRDs, so it cannot drift.
import { CRDS, toCrd } from "./definitions.ts";
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

function rows(n: Node, path: string, out: string[]): void {
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
    out.push(`| \`${field}\` | ${cell(typeOf(child))} | ${cell(text)} |`);
    const inner = child.type === "array" ? child.items : child;
    if (inner?.properties) rows(inner, `${field}${child.type === "array" ? "[]" : ""}.`, out);
  }
}

export function renderReference(): string {
  const parts = [
    "# API reference: ramp.dev/v1alpha1",
    "",
    "Generated from the zod schemas in `src/api/` by `npm run gen:docs` (the CRDs come from the same",
    "schemas). `kubectl explain rollouts.ramp.dev.spec` shows the same text on a cluster.",
  ];
  for (const def of CRDS) {
    const crd = toCrd(def) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
    const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
    if (!root) continue;
    const out: string[] = [];
    const spec = root.properties?.spec;
    if (spec) rows(spec, "spec.", out);
    const status = root.properties?.status;
    if (status) rows(status, "status.", out);
    parts.push(
      "",
      `## ${def.kind}`,
      "",
      `${def.description} Short name \`${def.shortNames.join(", ")}\`, ${def.scope.toLowerCase()}.`,
      "",
    );
    for (const r of spec?.["x-kubernetes-validations"] ?? []) parts.push(`- Rule: ${r.message}.`);
    parts.push("", "| field | type | description |", "|---|---|---|", ...out);
  }
  return `${parts.join("\n")}\n`;
}
