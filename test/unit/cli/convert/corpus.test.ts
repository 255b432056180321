// The Argo Rollouts corpus (test/fixtures/convert/argo/*.yaml, written for ramp to cover every field of
// Argo's Rollout, AnalysisTemplate and ClusterAnalysisTemplate): each converts to its golden output and
// report (expected/), the output passes `kubectl ramp lint`, and together the inputs set every field of
// Argo's CRDs (FIELDS.txt). UPDATE_GOLDEN=1 rewrites the goldens from what the converter does now.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { lint } from "../../../../src/cli/lint/lint.ts";
import { ramp } from "../io.ts";

const dir = "test/fixtures/convert/argo";
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const update = process.env.UPDATE_GOLDEN === "1";

function golden(path: string, actual: string): void {
  if (update || !existsSync(path)) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, "utf8"), `${path} (UPDATE_GOLDEN=1 rewrites it)`);
}

describe("convert: the Argo Rollouts corpus", () => {
  for (const name of fixtures) {
    test(name, async () => {
      const res = await ramp(["convert", "-f", join(dir, name)]);
      assert.equal(res.code, 0, res.stderr);
      golden(join(dir, "expected", name), res.stdout);
      golden(join(dir, "expected", name.replace(/\.yaml$/, ".report.txt")), res.stderr);
      assert.deepEqual(lint([{ file: name, text: res.stdout }]), [], "the output passes lint");
      assert.doesNotMatch(res.stdout, /argoproj\.io\/v1alpha1/, "no Argo object is left");
    });
  }

  test("the corpus sets every field of Argo's Rollout, AnalysisTemplate and ClusterAnalysisTemplate", () => {
    const set = new Set<string>();
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v)) for (const item of v) walk(item, `${path}[]`);
      else if (v && typeof v === "object")
        for (const [k, child] of Object.entries(v)) {
          const p = path ? `${path}.${k}` : k;
          set.add(p);
          walk(child, p);
        }
    };
    for (const name of fixtures)
      for (const doc of parseAllDocuments(readFileSync(join(dir, name), "utf8"))) {
        const obj = doc.toJS() as { apiVersion?: string; kind?: string; items?: unknown[] } | null;
        for (const o of (obj?.kind === "List" ? obj.items : [obj]) as {
          apiVersion?: string;
          kind?: string;
        }[])
          if (o?.apiVersion?.startsWith("argoproj.io/")) walk(o, o.kind ?? "");
      }
    const fields = readFileSync(join(dir, "FIELDS.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    // A ClusterAnalysisTemplate's spec is an AnalysisTemplate's (one converter): either kind covers a field.
    const seen = [...set].map((f) => f.replace(/^ClusterAnalysisTemplate\./, "AnalysisTemplate."));
    const covered = (field: string) => {
      const escaped = field
        .replace(/^ClusterAnalysisTemplate\./, "AnalysisTemplate.")
        .replace(/[.[\]]/g, "\\$&");
      // `{}` is any key of a map (headers{}.exact: headers.X-Debug.exact).
      const re = new RegExp(`^${escaped.replaceAll("{}", "\\.[^.]+")}$`);
      return seen.some((f) => re.test(f));
    };
    assert.deepEqual(
      fields.filter((f) => !covered(f)),
      [],
      "fields of Argo's CRDs no fixture sets",
    );
  });
});
