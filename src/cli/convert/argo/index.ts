// Argo Rollouts (argoproj.io/v1alpha1) → ramp.dev/v1alpha1: Rollouts, AnalysisTemplates and
// ClusterAnalysisTemplates convert; AnalysisRuns are skipped (ramp makes its own); other kinds are dropped.
import { refuseOnFindings } from "../check.ts";
import { Edit } from "../edit.ts";
import { objectSource } from "../source.ts";
import type { ConvertResult, OutputDoc, SourceDoc } from "../types.ts";
import type { TemplateIndex, TemplateInfo } from "./analysis-ref.ts";
import { convertTemplate } from "./analysis-template.ts";
import { convertRollout, type Deployments } from "./rollout.ts";

const TEMPLATE_KINDS = ["AnalysisTemplate", "ClusterAnalysisTemplate"];

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

const SKIPPED: Record<string, string> = {
  AnalysisRun: "skipped: an AnalysisRun records one run of Argo's; ramp creates its own from the Rollout",
};
const DROPPED: Record<string, string> = {
  Experiment:
    "ramp has no Experiments: use an analysis step against the canary (a baseline ReplicaSet comes with the " +
    "statistical judge)",
};

const nameOf = (edit: Edit) => str(edit.value(["metadata", "name"])) ?? "";

function output(edit: Edit): OutputDoc {
  return {
    kind: str(edit.value(["kind"])) ?? "",
    name: str(edit.value(["metadata", "name"])) ?? "",
    namespace: str(edit.value(["metadata", "namespace"])),
    doc: edit.doc,
    source: edit.src,
  };
}

/** The templates of the input, by how a Rollout's reference finds them. */
function templateIndex(templates: { edit: Edit; info: TemplateInfo }[]): TemplateIndex {
  return (name, cluster, namespace) => {
    const kind = cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate";
    const found = templates.find(({ edit }) => {
      const ns = str(edit.value(["metadata", "namespace"]));
      return (
        edit.value(["kind"]) === kind &&
        edit.value(["metadata", "name"]) === name &&
        (cluster || !ns || !namespace || ns === namespace)
      );
    });
    return found?.info;
  };
}

const isArgo = (d: SourceDoc) => String(d.doc.get("apiVersion") ?? "").startsWith("argoproj.io/");

/** The Deployments among the inputs, for a workloadRef without a selector. */
function deploymentIndex(docs: SourceDoc[]): Deployments {
  const list = docs
    .filter((d) => d.doc.get("kind") === "Deployment")
    .map(
      (d) =>
        d.doc.toJS() as { metadata?: { name?: string; namespace?: string }; spec?: { selector?: unknown } },
    );
  return (name, namespace) =>
    list.find(
      (d) =>
        d.metadata?.name === name &&
        (!namespace || !d.metadata.namespace || d.metadata.namespace === namespace),
    )?.spec?.selector;
}

/**
 * Converts every argoproj.io document of `docs` (the others are context: the Deployment a workloadRef
 * names); outputs keep the input's order.
 */
export function convertArgo(docs: SourceDoc[]): ConvertResult {
  const result: ConvertResult = { outputs: [], drops: [], notes: [] };
  const deployments = deploymentIndex(docs);
  const edits = docs.filter(isArgo).map((src) => new Edit(src));
  const templates = edits
    .filter((e) => TEMPLATE_KINDS.includes(String(e.value(["kind"]))))
    .map((edit) => ({ edit, info: convertTemplate(edit) }));
  const index = templateIndex(templates);
  for (const edit of edits) {
    const kind = String(edit.value(["kind"]));
    const template = templates.find((t) => t.edit === edit);
    let written = false;
    if (template) written = template.info.written && refuseOnFindings(edit);
    else if (kind === "Rollout") {
      convertRollout(edit, index, deployments);
      written = refuseOnFindings(edit);
    } else if (SKIPPED[kind]) edit.note([], `${kind} "${nameOf(edit)}" ${SKIPPED[kind]}`);
    else
      edit.report(
        [],
        `${kind} "${nameOf(edit)}" not converted: ${DROPPED[kind] ?? "not an Argo Rollouts kind ramp converts"}`,
      );
    if (written) result.outputs.push(output(edit));
    result.drops.push(...edit.drops);
    result.notes.push(...edit.notes);
  }
  return result;
}

/** One object as read from the cluster (or built in code); `file` names it in reports. */
export function convertArgoObject(obj: object, file?: string): ConvertResult {
  return convertArgo([objectSource(obj, file)]);
}
