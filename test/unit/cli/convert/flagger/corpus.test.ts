// The Flagger corpus (test/fixtures/convert/flagger/*.yaml, written for ramp to cover every field of Flagger's
// Canary and MetricTemplate): each converts to its golden output and report (expected/), with a workloadRef
// and with --inline; every output passes `kubectl ramp lint`; every drop and note points at the line of its
// field; together the inputs set every field of FIELDS.txt. UPDATE_GOLDEN=1 rewrites the goldens.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { lint } from "../../../../../src/cli/lint/lint.ts";
import { convertText, DIR } from "./support.ts";

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const update = process.env.UPDATE_GOLDEN === "1";

function golden(path: string, actual: string): void {
  mkdirSync(join(DIR, "expected"), { recursive: true });
  if (update || !existsSync(path)) writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, "utf8"), `${path} (UPDATE_GOLDEN=1 rewrites it)`);
}

/** The last key of a dotted path: `spec.analysis.webhooks[3].muteAlert` → "muteAlert"; an index → its item. */
function lastSegment(path: string): string | number | undefined {
  const m = /(?:\.|^)([^.[\]]+)$|\[(\d+)\]$/.exec(path);
  return m?.[2] !== undefined ? Number(m[2]) : m?.[1];
}

describe("convert: the Flagger corpus", () => {
  for (const name of fixtures) {
    const file = join(DIR, name);
    const text = readFileSync(file, "utf8");
    // --inline changes only what a Deployment among the inputs becomes.
    for (const inline of /^kind: Deployment$/m.test(text) ? [false, true] : [false]) {
      const label = `${name}${inline ? " --inline" : ""}`;
      const base = name.replace(/\.yaml$/, inline ? ".inline" : "");
      test(label, () => {
        const { yaml, report } = convertText(file, inline);
        golden(join(DIR, "expected", `${base}.yaml`), yaml);
        golden(join(DIR, "expected", `${base}.report.txt`), report);
        assert.deepEqual(lint([{ file: label, text: yaml }]), [], "the output passes lint");
        assert.doesNotMatch(yaml, /flagger\.app\//, "no Flagger object is left");
        assert.doesNotMatch(yaml, /[&*]a\d+\b/, "no YAML alias: kubectl users read these files");
      });
    }

    test(`${name}: each drop and note points at its field's line`, () => {
      const lines = text.split("\n");
      const { result } = convertText(file, true);
      for (const d of [...result.drops, ...result.notes]) {
        assert.equal(d.file, file);
        assert.ok(d.line !== undefined, `${d.path}: a line`);
        const at = lines[d.line - 1] ?? "";
        const last = lastSegment(d.path);
        if (d.path === "") assert.match(at, /^apiVersion: /, `${d.reason}: the object's first line`);
        else if (typeof last === "number")
          assert.match(at, /^\s*- /, `${d.path}: line ${d.line} is a list item`);
        else assert.ok(at.includes(`${last}:`), `${d.path}: line ${d.line} is "${at}"`);
      }
    });
  }

  test("the corpus sets every field of Flagger's Canary and MetricTemplate", () => {
    const set = new Set<string>();
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v)) for (const item of v) walk(item, `${path}[]`);
      else if (v && typeof v === "object")
        for (const [k, child] of Object.entries(v)) {
          set.add(`${path}.${k}`);
          walk(child, `${path}.${k}`);
        }
    };
    for (const name of fixtures)
      for (const doc of parseAllDocuments(readFileSync(join(DIR, name), "utf8"))) {
        const o = doc.toJS() as { apiVersion?: string; kind?: string; spec?: unknown } | null;
        if (o?.apiVersion?.startsWith("flagger.app/")) walk(o.spec, `${o.kind}.spec`);
      }
    const fields = readFileSync(join(DIR, "FIELDS.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    assert.deepEqual(
      fields.filter((f) => !set.has(f)),
      [],
      "fields of Flagger's CRDs no fixture sets",
    );
  });
});
