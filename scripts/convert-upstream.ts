// How much of Argo Rollouts' own published manifests `kubectl ramp convert` carries whole: downloads the
// argo-rollouts Go module (go mod download), converts every YAML file under its examples/ and test/e2e/,
// and prints per file the Argo objects, those written, those written with nothing dropped, then the share
// and the most common drop reasons. Every written object is also checked with ramp's lint rules.
//   node scripts/convert-upstream.ts [--version v1.10.1] [--fields FILE]
// --fields writes the field paths of Argo's Rollout/AnalysisTemplate/ClusterAnalysisTemplate CRDs (the
// list test/fixtures/convert/argo/FIELDS.txt the corpus test checks).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { convertAll } from "../src/cli/convert/dispatch.ts";
import { renderStream } from "../src/cli/convert/output.ts";
import { parseSource } from "../src/cli/convert/source.ts";
import type { Drop, SourceDoc } from "../src/cli/convert/types.ts";
import { lint } from "../src/cli/lint/lint.ts";

const { values } = parseArgs({
  options: { version: { type: "string", default: "v1.10.1" }, fields: { type: "string" } },
});
const CONVERTED = ["Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate"];

/** The module's directory in the Go module cache, downloading it first if needed. */
function moduleDir(version: string): string {
  const out = execFileSync(
    "go",
    ["mod", "download", "-json", `github.com/argoproj/argo-rollouts@${version}`],
    { env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" }, encoding: "utf8" },
  );
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download gave no directory: ${out}`);
  return dir;
}

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
};

// Free-form Kubernetes types (a pod template, a JobSpec) and the bodies of providers ramp refuses whole.
const OPAQUE =
  /\.template\.(spec|metadata)$|\.job\.spec\.|\.provider\.(datadog|newRelic|cloudWatch|graphite|influxdb|kayenta|wavefront|skywalking)\./;

/** Every field path under a CRD's spec, e.g. Rollout.spec.strategy.canary.steps[].setWeight. */
function crdFields(file: string): string[] {
  const crd = parse(readFileSync(file, "utf8")) as {
    spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: Schema } }[] };
  };
  const out: string[] = [];
  const walk = (s: Schema | undefined, path: string) => {
    if (!s || OPAQUE.test(path)) return;
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const p = `${path}.${k}`;
      out.push(p);
      if (!OPAQUE.test(`${p}.`)) walk(v, p);
    }
    if (s.items) walk(s.items, `${path}[]`);
    if (typeof s.additionalProperties === "object") walk(s.additionalProperties, `${path}{}`);
  };
  const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
  walk(root?.properties?.spec, `${crd.spec.names.kind}.spec`);
  return out;
}

function writeFields(dir: string, file: string): void {
  const crds = ["rollout-crd.yaml", "analysis-template-crd.yaml", "cluster-analysis-template-crd.yaml"];
  const fields = crds.flatMap((c) => crdFields(join(dir, "manifests", "crds", c)));
  const header = `# Field paths of Argo Rollouts ${values.version}'s CRDs (scripts/convert-upstream.ts --fields);\n# pod templates, Job specs and the bodies of metric providers ramp refuses whole are not listed.\n`;
  writeFileSync(file, `${header}${fields.join("\n")}\n`);
  console.log(`wrote ${fields.length} fields to ${file}`);
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();

type Row = {
  file: string;
  objects: number;
  written: number;
  clean: number;
  lint: number;
  unparsed: boolean;
  /** Anything at all dropped from the file (an Experiment too). */
  drops: number;
};

/** The object of `docs` a drop belongs to: the last whose first line is at or before the drop's. */
function ownerOf(docs: SourceDoc[], d: Drop): SourceDoc | undefined {
  const mine = docs.filter((s) => s.file === d.file);
  return mine.filter((s) => (s.lineOf([]) ?? 0) <= (d.line ?? 0)).at(-1);
}

function convertFile(file: string, name: string, reasons: Map<string, number>): Row {
  const { docs, errors } = parseSource(name, readFileSync(file, "utf8"));
  const argo = docs.filter((d) => String(d.doc.get("apiVersion") ?? "").startsWith("argoproj.io/"));
  const ours = argo.filter((d) => CONVERTED.includes(String(d.doc.get("kind"))));
  const row: Row = {
    file: name,
    objects: ours.length,
    written: 0,
    clean: 0,
    lint: 0,
    unparsed: errors.length > 0,
    drops: 0,
  };
  if (argo.length === 0) return row;
  const result = convertAll(docs, { inline: false });
  row.drops = result.drops.length;
  const dirty = new Set(result.drops.map((d) => ownerOf(docs, d)));
  const written = new Set(result.outputs.map((o) => o.source));
  row.written = ours.filter((d) => written.has(d)).length;
  row.clean = ours.filter((d) => written.has(d) && !dirty.has(d)).length;
  for (const d of result.drops) {
    const reason = d.reason.replace(/"[^"]*"/g, '"…"').replace(/\([^)]*\)/g, "(…)");
    const key = `${d.path.replace(/\[\d+\]/g, "[]").replace(/\[[^\]]*\/[^\]]*\]/g, "[…]")}: ${reason}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  const outputs = result.outputs.filter((o) => o.source && ours.includes(o.source));
  row.lint = lint([{ file: name, text: renderStream(outputs) }]).filter(
    (f) => !/not in the files/.test(f.message),
  ).length;
  return row;
}

const pct = (n: number, d: number) => (d === 0 ? "-" : `${((100 * n) / d).toFixed(1)}%`);

function report(rows: Row[], reasons: Map<string, number>): void {
  const argoRows = rows.filter((r) => r.objects > 0);
  console.log(`${"file".padEnd(72)} objects written clean lint`);
  for (const r of argoRows)
    console.log(
      `${r.file.padEnd(72)} ${String(r.objects).padStart(7)} ${String(r.written).padStart(7)} ${String(r.clean).padStart(5)} ${String(r.lint).padStart(4)}`,
    );
  const sum = (k: "objects" | "written" | "clean" | "lint") => argoRows.reduce((n, r) => n + r[k], 0);
  const files = argoRows.filter((r) => r.drops === 0).length;
  console.log(
    `\n${rows.length} YAML files, ${rows.filter((r) => r.unparsed).length} not YAML (templates), ${argoRows.length} with Rollouts or (Cluster)AnalysisTemplates`,
  );
  console.log(
    `objects: ${sum("objects")}; written: ${sum("written")} (${pct(sum("written"), sum("objects"))}); ` +
      `written with nothing dropped: ${sum("clean")} (${pct(sum("clean"), sum("objects"))}); lint findings: ${sum("lint")}`,
  );
  console.log(
    `files converted with nothing dropped (an Experiment in the file counts as dropped): ${files} of ${argoRows.length} (${pct(files, argoRows.length)})`,
  );
  console.log("\nmost common drops:");
  for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${String(n).padStart(4)}  ${k}`);
}

const dir = moduleDir(values.version);
if (values.fields) writeFields(dir, values.fields);
else {
  const reasons = new Map<string, number>();
  const rows = ["examples", join("test", "e2e")].flatMap((sub) =>
    yamlFiles(join(dir, sub)).map((f) => convertFile(f, relative(dir, f), reasons)),
  );
  report(rows, reasons);
}
