// Which converter takes which document: argoproj.io to Argo's, flagger.app to Flagger's (each sees every
// document as context: the Deployment a workloadRef or a Canary names, its HPA); every other object passes
// through unchanged (Services, Ingresses, routes), so the output is a complete set. Outputs keep the
// input's order.
import { convertArgo } from "./argo/index.ts";
import { convertFlagger } from "./flagger/index.ts";
import type { ConvertResult, OutputDoc, SourceDoc } from "./types.ts";

export type ConvertOptions = {
  /** Flagger: copy a Canary's Deployment into the Rollout (and drop it) instead of a workloadRef. */
  inline: boolean;
};

const apiVersion = (d: SourceDoc) => String(d.doc.get("apiVersion") ?? "");
const isArgo = (d: SourceDoc) => apiVersion(d).startsWith("argoproj.io/");
const isFlagger = (d: SourceDoc) => apiVersion(d).startsWith("flagger.app/");

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** An input document written out as it is. */
function passThrough(d: SourceDoc): OutputDoc {
  return {
    kind: str(d.doc.get("kind")) ?? "",
    name: str(d.doc.getIn(["metadata", "name"])) ?? "",
    namespace: str(d.doc.getIn(["metadata", "namespace"])),
    doc: d.doc,
    source: d,
  };
}

const identity = (o: OutputDoc) => `${o.kind}/${o.namespace ?? ""}/${o.name}`;

/** Converts every document; the outputs of each converter stand where their input stood. */
export function convertAll(docs: SourceDoc[], opts: ConvertOptions): ConvertResult {
  const argo = docs.some(isArgo) ? convertArgo(docs) : undefined;
  const flagger = docs.some(isFlagger) ? convertFlagger(docs, opts) : undefined;
  const converted = [argo, flagger].flatMap((r) => r?.outputs ?? []);
  const consumed = new Set(flagger?.consumed ?? []);
  // An object a converter wrote (a retargeted HPA, say) replaces the input of the same kind and name.
  const written = new Set(converted.map(identity));
  const result: ConvertResult = { outputs: [], drops: [], notes: [] };
  const placed = new Set<ConvertResult>();
  for (const d of docs) {
    result.outputs.push(...converted.filter((o) => o.source === d));
    const from = isArgo(d) ? argo : isFlagger(d) ? flagger : undefined;
    if (!from) {
      const out = passThrough(d);
      const replaced =
        consumed.has(d.doc) || converted.some((o) => o.source === d) || written.has(identity(out));
      if (!replaced) result.outputs.push(out);
      continue;
    }
    // Outputs that name no source stand where their converter's first input stood.
    if (!placed.has(from)) result.outputs.push(...from.outputs.filter((o) => !o.source));
    placed.add(from);
  }
  for (const r of [argo, flagger]) {
    result.drops.push(...(r?.drops ?? []));
    result.notes.push(...(r?.notes ?? []));
  }
  return result;
}
