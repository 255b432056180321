// `kubectl ramp lint`: offline validation of ramp YAML with the controller's zod schemas, the CRDs' CEL
// rules and the checks across files that no schema can make. Every finding names file, document, field
// path and fix.
import { type Document, LineCounter, parseAllDocuments } from "yaml";
import type { z } from "zod";
import {
  AnalysisRun,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  ClusterNotifier,
  Notifier,
  Rollout,
} from "../../api/index.ts";
import { isObject } from "../../json.ts";
import { celFindings } from "./cel-rules.ts";
import { referenceFindings } from "./refs.ts";

export type Finding = {
  file: string;
  /** 1-based index of the YAML document in the file. */
  document: number;
  line: number | undefined;
  kind: string | undefined;
  name: string | undefined;
  /** The field, as the apiserver writes it: spec.strategy.canary.steps[2].setWeight */
  path: string;
  message: string;
  fix: string;
};

export type LintInput = { file: string; text: string };

/** One parsed document of the file set. */
export type Doc = {
  file: string;
  document: number;
  object: Record<string, unknown>;
  kind: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
  lineOf: (path: readonly (string | number)[]) => number | undefined;
};

const SCHEMAS: Record<string, z.ZodType> = {
  Rollout,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  AnalysisRun,
  Notifier,
  ClusterNotifier,
};
const PLURALS: Record<string, string> = {
  Rollout: "rollouts",
  AnalysisTemplate: "analysistemplates",
  ClusterAnalysisTemplate: "clusteranalysistemplates",
  AnalysisRun: "analysisruns",
  Notifier: "notifiers",
  ClusterNotifier: "clusternotifiers",
};

/** A zod issue path as the controller writes it (src/reconcile/reconciler.ts): spec.steps[0].setWeight */
export const fieldPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");

/** `spec.strategy.canary.steps[2]` → ["spec", "strategy", "canary", "steps", 2] */
export const pathSegments = (path: string): (string | number)[] =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? ""),
  );

/** The fix for a schema issue, from its code; the field's documentation otherwise. */
function fixOf(issue: z.core.$ZodIssue, kind: string, path: string): string {
  const field =
    path
      .split(".")
      .at(-1)
      ?.replace(/\[\d+\]$/, "") ?? path;
  const explain = `see \`kubectl explain ${PLURALS[kind] ?? kind}.ramp.dev.${path.replace(/\[\d+\]/g, "")}\``;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `add the required field ${field}`
        : `make ${field} a ${issue.expected}`;
    case "too_big":
      return `use at most ${String(issue.maximum)}${issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : ""}`;
    case "too_small":
      return `use at least ${String(issue.minimum)}${issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : ""}`;
    case "invalid_value":
      return `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return "pattern" in issue && issue.pattern ? `match the pattern ${String(issue.pattern)}` : explain;
    default:
      return explain;
  }
}

/** The text after the field a CEL message names: "spec.strategy: set exactly one…" → "set exactly one…". */
const celFix = (message: string): string => {
  const body = message
    .replace(/^Invalid value: ("(?:[^"\\]|\\.)*"|[^:]+): (?=\S)/, "")
    .replace(/^Invalid value: /, "");
  const m = /^[\w.[\]]+: (.*)$/s.exec(body);
  return m?.[1] ?? body;
};

function parseFile(input: LintInput, findings: Finding[]): Doc[] {
  const counter = new LineCounter();
  const docs = parseAllDocuments(input.text, { lineCounter: counter });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const out: Doc[] = [];
  list.forEach((doc, i) => {
    const document = i + 1;
    const lineAt = (offset: number | undefined) =>
      offset === undefined ? undefined : counter.linePos(offset).line;
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        findings.push({
          file: input.file,
          document,
          line: e.linePos?.[0]?.line,
          kind: undefined,
          name: undefined,
          path: "",
          message: `YAML: ${e.message.split("\n")[0]}`,
          fix: "correct the YAML syntax at that line",
        });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!isObject(value)) {
      findings.push({
        file: input.file,
        document,
        line: lineAt(doc.contents?.range?.[0]),
        kind: undefined,
        name: undefined,
        path: "",
        message: "the document is not a Kubernetes object (a YAML mapping)",
        fix: "write the object as a mapping with apiVersion, kind, metadata and spec",
      });
      return;
    }
    const meta = isObject(value.metadata) ? value.metadata : {};
    out.push({
      file: input.file,
      document,
      object: value,
      kind: typeof value.kind === "string" ? value.kind : undefined,
      name: typeof meta.name === "string" ? meta.name : undefined,
      namespace: typeof meta.namespace === "string" ? meta.namespace : undefined,
      lineOf(path) {
        // The deepest node of the path that exists: a missing field points at its parent.
        for (let n = path.length; n >= 0; n--) {
          const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
          if (node?.range) return lineAt(node.range[0]);
        }
        return undefined;
      },
    });
  });
  return out;
}

/** The schema and CRD-rule findings of one document (none for kinds outside ramp.dev). */
export function validate(doc: Doc): Finding[] {
  const base = { file: doc.file, document: doc.document, kind: doc.kind, name: doc.name };
  const apiVersion = doc.object.apiVersion;
  if (typeof apiVersion !== "string" || !apiVersion.startsWith("ramp.dev/")) return [];
  const kind = doc.kind ?? "";
  const schema = SCHEMAS[kind];
  if (!schema)
    return [
      {
        ...base,
        line: doc.lineOf(["kind"]),
        path: "kind",
        message: `kind "${kind}" is not part of ramp.dev/v1alpha1`,
        fix: `use one of ${Object.keys(SCHEMAS).join(", ")}`,
      },
    ];
  const out: Finding[] = [];
  const parsed = schema.safeParse(doc.object);
  const celIssues = celFindings(kind, doc.object).filter(
    // A rule that cannot run on a value of the wrong type adds nothing to the schema finding about it.
    (f) => parsed.success || !f.message.startsWith("Invalid value: rule could not be evaluated"),
  );
  // Where a CRD rule and the zod schema reject the same field, the apiserver's message is the one to show.
  const celPaths = new Set(celIssues.map((f) => f.path));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = fieldPath(issue.path);
      if (celPaths.has(path)) continue;
      out.push({
        ...base,
        line: doc.lineOf(issue.path.filter((p) => typeof p !== "symbol") as (string | number)[]),
        path,
        message: `${path}: ${issue.message}`,
        fix: fixOf(issue, kind, path),
      });
    }
  }
  for (const f of celIssues) {
    out.push({
      ...base,
      line: doc.lineOf(pathSegments(f.path)),
      path: f.path,
      message: `${f.path}: ${f.message}`,
      fix: celFix(f.message),
    });
  }
  return out;
}

/** Every document of the files, and a finding for each one that is not YAML or not a mapping. */
export function parseInputs(inputs: LintInput[]): { docs: Doc[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const docs = inputs.flatMap((input) => parseFile(input, findings));
  return { docs, findings };
}

/** Every finding in a set of YAML files, in file and document order. */
export function lint(inputs: LintInput[]): Finding[] {
  const { docs, findings } = parseInputs(inputs);
  for (const doc of docs) findings.push(...validate(doc));
  findings.push(...referenceFindings(docs));
  return findings.sort(
    (a, b) =>
      inputs.findIndex((i) => i.file === a.file) - inputs.findIndex((i) => i.file === b.file) ||
      a.document - b.document ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

/** `file:line: document N (Rollout "web"): message` and an indented `fix:` line per finding. */
export function formatFindings(findings: Finding[]): string[] {
  return findings.flatMap((f) => {
    const where = `${f.file}${f.line === undefined ? "" : `:${f.line}`}`;
    const what = f.kind ? ` (${f.kind}${f.name ? ` "${f.name}"` : ""})` : "";
    return [`${where}: document ${f.document}${what}: ${f.message}`, `  fix: ${f.fix}`];
  });
}
