// The check `npm run docs:check` runs on src/crd/field-proofs.ts (src/crd/proof-check.ts): a field with no
// entry, a test that does not exist or lacks the quoted text, and an entry for no field all fail, each
// named with what to do: no field ships without the test that proves it. Then the committed map against the
// real schemas.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { CONTAINER, FIELD_PROOFS, type Proofs } from "../../../src/crd/field-proofs.ts";
import { checkProofs, type Field, proofCell, proofReport } from "../../../src/crd/proof-check.ts";
import { referenceFields, renderReference } from "../../../src/crd/reference.ts";

const TEST = "test/integration/canary/weights.test.ts";
const tests: Record<string, string> = { [TEST]: 'test("the weight moves at every step", async () => {});' };
const read = (file: string) => tests[file];
const fields: Field[] = [
  { key: "Rollout spec.strategy.canary", parent: true },
  { key: "Rollout spec.strategy.canary.steps", parent: false },
];
const complete: Proofs = {
  "Rollout spec.strategy.canary": CONTAINER,
  "Rollout spec.strategy.canary.steps": [`${TEST}#the weight moves`],
};
const check = (proofs: Proofs) => checkProofs(fields, proofs, read);

describe("the field-proof check", () => {
  test("every field named by an existing test passes", () => {
    assert.deepEqual(check(complete), { problems: [] });
    assert.deepEqual(proofReport(check(complete)), { ok: true, errors: [] });
  });

  test("a field with no entry fails, naming the field and what to do", () => {
    const { "Rollout spec.strategy.canary.steps": _, ...missing } = complete;
    const report = proofReport(check(missing));
    assert.equal(report.ok, false);
    assert.deepEqual(report.errors, [
      "src/crd/field-proofs.ts does not match the schemas and tests (1):",
      "  Rollout spec.strategy.canary.steps: no entry in src/crd/field-proofs.ts: name the test that fails if " +
        "ramp ignored the field (test/integration/ first); a field no test proves is not ready to ship",
    ]);
  });

  test("a test file that does not exist fails, naming it", () => {
    const { problems } = check({
      ...complete,
      "Rollout spec.strategy.canary.steps": ["test/unit/gone.test.ts"],
    });
    assert.deepEqual(problems, [
      "Rollout spec.strategy.canary.steps: names test/unit/gone.test.ts, which does not exist: correct the path",
    ]);
  });

  test("quoted text the test does not hold fails, and so does a file that is no test", () => {
    const { problems } = check({
      ...complete,
      "Rollout spec.strategy.canary.steps": [`${TEST}#the weight jumps`, "src/strategy/canary/plan.ts"],
    });
    assert.deepEqual(problems, [
      `Rollout spec.strategy.canary.steps: "#the weight jumps" does not occur in ${TEST}: quote the name of the test that proves it`,
      "Rollout spec.strategy.canary.steps: names src/strategy/canary/plan.ts, which is not a test file " +
        "(test/**/*.test.ts): name the test that proves it",
    ]);
  });

  test("an entry for a path the schemas no longer have fails, naming it", () => {
    const { problems } = check({ ...complete, "Rollout spec.strategy.canary.stepz": [TEST] });
    assert.deepEqual(problems, [
      "Rollout spec.strategy.canary.stepz: no such field in the schemas (renamed or removed?): move the entry " +
        "to its new path, or delete it",
    ]);
  });

  test("CONTAINER passes only where fields are listed under it; an empty list never does", () => {
    const { problems } = check({
      "Rollout spec.strategy.canary": [],
      "Rollout spec.strategy.canary.steps": CONTAINER,
    });
    assert.deepEqual(problems, [
      "Rollout spec.strategy.canary: names no test: name the test that fails if ramp ignored it",
      "Rollout spec.strategy.canary.steps: CONTAINER, but no field is listed under it: name the test that proves it",
    ]);
  });

  test("the reference's cell for each kind of entry", () => {
    assert.equal(proofCell([`${TEST}#the weight moves`]), `\`${TEST}#the weight moves\``);
    assert.equal(proofCell(CONTAINER), "through its fields");
  });
});

describe("the committed map", () => {
  const root = join(import.meta.dirname, "..", "..", "..");
  const onDisk = (file: string): string | undefined => {
    try {
      return readFileSync(join(root, file), "utf8");
    } catch {
      return undefined;
    }
  };

  test("has an entry for every field of the schemas, and each names tests that exist", () => {
    assert.deepEqual(checkProofs(referenceFields(), FIELD_PROOFS, onDisk).problems, []);
  });

  test("the reference shows each field's proof in its row, the same every time", () => {
    const md = renderReference();
    assert.ok(
      md.includes(
        "| `spec.strategy.canary.dynamicStableScale` | boolean | With trafficRouting: shrink stable as the canary's " +
          "weight grows, to save capacity. | `test/integration/canary/fields.test.ts#dynamicStableScale:` |",
      ),
    );
    assert.ok(!md.includes("not yet proven"), "every field is proven");
    assert.equal(renderReference(), md);
  });
});
