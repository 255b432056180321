// `kubectl ramp plan -f`: every ramp Rollout in a set of files, planned with the analysis templates found
// beside it; each document that cannot be planned becomes a finding in lint's words (file, line, document,
// field path, fix), and the other Rollouts are still planned.
import { AnalysisTemplate, ClusterAnalysisTemplate, Rollout } from "../../api/index.ts";
import { type Doc, type Finding, type LintInput, parseInputs, pathSegments, validate } from "../lint/lint.ts";
import { findTemplate } from "../lint/refs.ts";
import type { TemplateLookup } from "./analysis-plan.ts";
import { type RolloutTimeline, rolloutTimeline } from "./timeline.ts";

/** A Rollout's plan and the document it came from. */
export type FileTimeline = RolloutTimeline & { file: string; document: number };

export type PlanOutput = { rollouts: FileTimeline[]; errors: Finding[] };

const RAMP_API = "ramp.dev/v1alpha1";

/** Templates among the files, as the Rollout in `rollout` would find them; invalid ones add findings. */
function lookupIn(docs: Doc[], rollout: Doc, errors: Finding[]): TemplateLookup {
  return (ref) => {
    const cluster = ref.clusterScope === true;
    const kind = cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
    const found = findTemplate(docs, rollout, ref.templateName, cluster);
    if (!found) return { unknown: `${kind} "${ref.templateName}" was not in the files` };
    const problems = validate(found);
    const parsed = (cluster ? ClusterAnalysisTemplate : AnalysisTemplate).safeParse(found.object);
    if (problems.length > 0 || !parsed.success) {
      errors.push(...problems);
      return { unknown: `${kind} "${ref.templateName}" in ${found.file} is not valid` };
    }
    return parsed.data.spec;
  };
}

/** A finding for what the planning itself refused (a pause longer than 68 years): its message names the field. */
function refusal(doc: Doc, err: unknown): Finding {
  const message = err instanceof Error ? err.message : String(err);
  const path = /^([\w.[\]]+): /.exec(message)?.[1] ?? "spec";
  return {
    file: doc.file,
    document: doc.document,
    line: doc.lineOf(pathSegments(path)),
    kind: doc.kind,
    name: doc.name,
    path,
    message,
    fix: "correct the field the message names",
  };
}

/** A Rollout of another API group (argoproj.io) would be planned by nobody: say so rather than skip it. */
function otherGroup(doc: Doc): Finding {
  return {
    file: doc.file,
    document: doc.document,
    line: doc.lineOf(["apiVersion"]),
    kind: doc.kind,
    name: doc.name,
    path: "apiVersion",
    message: `apiVersion: "${String(doc.object.apiVersion)}" is not ${RAMP_API}: this Rollout is not planned`,
    fix: `use apiVersion: ${RAMP_API}`,
  };
}

const keyOf = (f: Finding) => `${f.file}\n${f.document}\n${f.path}\n${f.message}`;

/** The plan of every Rollout in the files, in file and document order, and the findings that stopped others. */
export function planFiles(inputs: LintInput[]): PlanOutput {
  const { docs, findings } = parseInputs(inputs);
  const errors = [...findings];
  const rollouts: FileTimeline[] = [];
  for (const doc of docs.filter((d) => d.kind === "Rollout")) {
    if (typeof doc.object.apiVersion !== "string" || !doc.object.apiVersion.startsWith("ramp.dev/")) {
      errors.push(otherGroup(doc));
      continue;
    }
    const problems = validate(doc);
    const parsed = Rollout.safeParse(doc.object);
    if (problems.length > 0 || !parsed.success) {
      errors.push(...problems);
      continue;
    }
    try {
      const plan = rolloutTimeline(parsed.data, lookupIn(docs, doc, errors));
      rollouts.push({ file: doc.file, document: doc.document, ...plan });
    } catch (err) {
      errors.push(refusal(doc, err));
    }
  }
  // A template several Rollouts use is reported once; the rest in file, document and line order, as lint.
  const unique = [...new Map(errors.map((f) => [keyOf(f), f])).values()];
  const fileIndex = (f: Finding) => inputs.findIndex((i) => i.file === f.file);
  unique.sort(
    (a, b) => fileIndex(a) - fileIndex(b) || a.document - b.document || (a.line ?? 0) - (b.line ?? 0),
  );
  return { rollouts, errors: unique };
}
