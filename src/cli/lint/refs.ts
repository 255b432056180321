// Checks across the linted files that no schema can make: every Service and analysis template a Rollout
// names is among them, template args are filled, selectors select the template, conditions compile.

import { LabelSelector } from "../../api/index.ts";
import { CelError, compileCel } from "../../cel/index.ts";
import { isObject } from "../../json.ts";
import { selectorMatches } from "../../kube/selector.ts";
import { argValueFindings, undeclaredArgFindings } from "./arg-fields.ts";
import type { Doc, Finding } from "./lint.ts";
import { pathSegments } from "./lint.ts";

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Same namespace, where a document without one may go to any. */
const sameNamespace = (a: Doc, b: Doc) => !a.namespace || !b.namespace || a.namespace === b.namespace;

type Ref = { path: string; ref: Obj; args: Obj[] };

/** Every analysis a Rollout refers to: steps, background analysis, blue-green gates. */
function analysisRefs(spec: Obj): Ref[] {
  const strategy = obj(spec.strategy);
  const canary = obj(strategy.canary);
  const blueGreen = obj(strategy.blueGreen);
  const blocks: [string, Obj][] = [
    ...list(canary.steps).flatMap((s, i): [string, Obj][] =>
      isObject(s.analysis) ? [[`spec.strategy.canary.steps[${i}].analysis`, s.analysis]] : [],
    ),
    ...(isObject(canary.analysis)
      ? [["spec.strategy.canary.analysis", canary.analysis] as [string, Obj]]
      : []),
    ...(["prePromotionAnalysis", "postPromotionAnalysis"] as const).flatMap((k): [string, Obj][] =>
      isObject(blueGreen[k]) ? [[`spec.strategy.blueGreen.${k}`, blueGreen[k]]] : [],
    ),
  ];
  return blocks.flatMap(([path, block]) =>
    list(block.templates).map((ref, j) => ({ path: `${path}.templates[${j}]`, ref, args: list(block.args) })),
  );
}

const SERVICE_FIELDS = [
  ["canary", "canaryService"],
  ["canary", "stableService"],
  ["blueGreen", "activeService"],
  ["blueGreen", "previewService"],
] as const;

const ramp = (d: Doc) => str(d.object.apiVersion)?.startsWith("ramp.dev/") === true;

/**
 * The template a Rollout's reference names among the files: a ClusterAnalysisTemplate with clusterScope,
 * else an AnalysisTemplate of the Rollout's namespace.
 */
export function findTemplate(docs: Doc[], rollout: Doc, name: string, cluster: boolean): Doc | undefined {
  const kind = cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
  const matches = docs.filter(
    (t) => ramp(t) && t.kind === kind && t.name === name && (cluster || sameNamespace(t, rollout)),
  );
  // Files for several environments may each define the template: the Rollout's own file goes first.
  return matches.find((t) => t.file === rollout.file) ?? matches[0];
}

export function referenceFindings(docs: Doc[]): Finding[] {
  const out: Finding[] = [];
  const finding = (doc: Doc, path: string, message: string, fix: string): Finding => ({
    file: doc.file,
    document: doc.document,
    line: doc.lineOf(pathSegments(path)),
    kind: doc.kind,
    name: doc.name,
    path,
    message: `${path}: ${message}`,
    fix,
  });
  const services = docs.filter((d) => d.kind === "Service" && str(d.object.apiVersion) === "v1");

  for (const doc of docs.filter((d) => ramp(d) && d.kind === "Rollout")) {
    const spec = obj(doc.object.spec);
    const strategy = obj(spec.strategy);
    for (const [s, field] of SERVICE_FIELDS) {
      const name = str(obj(strategy[s])[field]);
      if (!name || services.some((svc) => svc.name === name && sameNamespace(svc, doc))) continue;
      out.push(
        finding(
          doc,
          `spec.strategy.${s}.${field}`,
          `Service "${name}" is not in the files linted (the controller stops with ServiceNotFound without it)`,
          `add the Service "${name}" to the files (-f), or correct ${field}`,
        ),
      );
    }
    for (const { path, ref, args } of analysisRefs(spec)) {
      const name = str(ref.templateName);
      if (!name) continue;
      const cluster = ref.clusterScope === true;
      const found = findTemplate(docs, doc, name, cluster);
      if (!found) {
        const kind = cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
        out.push(
          finding(
            doc,
            `${path}.templateName`,
            `${kind} "${name}" is not in the files linted`,
            `add the ${kind} to the files (-f), correct templateName${cluster ? "" : ", or set clusterScope: true for a ClusterAnalysisTemplate"}`,
          ),
        );
        continue;
      }
      out.push(...argValueFindings(doc, path.replace(/\.templates\[\d+\]$/, ".args"), args, found, finding));
      const given = new Set(args.map((a) => str(a.name)));
      for (const arg of list(obj(found.object.spec).args)) {
        const argName = str(arg.name);
        if (!argName || arg.value !== undefined || arg.valueFrom !== undefined || given.has(argName))
          continue;
        out.push(
          finding(
            doc,
            path.replace(/\.templates\[\d+\]$/, ".args"),
            `template "${name}" needs a value for its arg "${argName}"`,
            `add { name: ${argName}, value: … } (or valueFrom) to the args`,
          ),
        );
      }
    }
    const selector = LabelSelector.safeParse(spec.selector);
    const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
    if (selector.success && selector.data.matchExpressions && !selectorMatches(selector.data, labels)) {
      out.push(
        finding(
          doc,
          "spec.selector",
          "spec.selector does not select spec.template.metadata.labels",
          "make the template's labels satisfy every matchLabels entry and matchExpressions requirement",
        ),
      );
    }
  }

  // Metric conditions are CEL over `result`: a typo would only surface at the first measurement.
  for (const doc of docs.filter((d) => ramp(d) && /AnalysisTemplate$|^AnalysisRun$/.test(d.kind ?? ""))) {
    out.push(...undeclaredArgFindings(doc, finding));
    list(obj(doc.object.spec).metrics).forEach((m, i) => {
      for (const field of ["successCondition", "failureCondition"] as const) {
        const source = str(m[field]);
        if (source === undefined) continue;
        try {
          // The controller pastes each {{args.NAME}} in as text before it compiles: lint sees a number there.
          compileCel(source.replace(/\{\{\s*args\.[\w.-]+\s*\}\}/g, "1.0"), { result: "dyn" });
        } catch (err) {
          if (!(err instanceof CelError)) throw err;
          out.push(
            finding(
              doc,
              `spec.metrics[${i}].${field}`,
              err.message,
              "write a CEL expression over `result`, e.g. result[0] >= 0.95 (the controller reports InvalidCondition)",
            ),
          );
        }
      }
    });
  }
  return out;
}
