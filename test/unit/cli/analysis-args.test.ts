// `kubectl ramp lint` and `plan -f` on analysis fields written as "{{args.NAME}}": lint accepts them,
// names an undeclared arg or a literal value that would end the run Error; plan resolves what the files
// say and calls the rest unknown until the run.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planFiles } from "../../../src/cli/inspect/plan-files.ts";
import { lint } from "../../../src/cli/lint/lint.ts";

const templateYaml = (metric: string, args = "[{name: count}, {name: limit, value: '1'}, {name: every}]") =>
  `apiVersion: ramp.dev/v1alpha1
kind: AnalysisTemplate
metadata: {name: rate}
spec:
  args: ${args}
  metrics:
    - name: errors
      successCondition: "result[0] < 0.05"
      provider: {prometheus: {address: "https://prom:9090", query: up, insecure: true, timeout: 10}}
${metric}
`;
const rolloutYaml = (args: string) => `apiVersion: ramp.dev/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web:1}]}}
  strategy:
    canary:
      steps:
        - setWeight: 50
        - analysis: {templates: [{templateName: rate}], args: ${args}}
`;
const METRIC = `      count: "{{args.count}}"
      failureLimit: "{{args.limit}}"
      interval: "{{args.every}}"`;
const files = (metric: string, args: string, templateArgs?: string) => [
  { file: "t.yaml", text: templateYaml(metric, templateArgs) },
  { file: "r.yaml", text: rolloutYaml(args) },
];

describe("lint: templated analysis fields", () => {
  test("Argo's templated forms with args the Rollout fills: no findings", () => {
    assert.deepEqual(lint(files(METRIC, "[{name: count, value: '3'}, {name: every, value: 2s}]")), []);
  });

  test("an arg from valueFrom is only known at the run: no finding", () => {
    const args =
      "[{name: count, valueFrom: {fieldRef: {fieldPath: 'metadata.labels.n'}}}, {name: every, value: 2s}]";
    assert.deepEqual(lint(files(METRIC, args)), []);
  });

  test("a literal value that is no whole number: a finding at the Rollout's args naming metric, field and arg", () => {
    const found = lint(files(METRIC, "[{name: count, value: abc}, {name: every, value: 2s}]"));
    assert.deepEqual(
      found.map((f) => [f.file, f.path, f.message]),
      [
        [
          "r.yaml",
          "spec.strategy.canary.steps[1].analysis.args",
          'spec.strategy.canary.steps[1].analysis.args: template "rate": metric "errors": count "{{args.count}}" resolved to "abc", which is not a whole number: pass an integer in the analysis arg "count" (the run would end Error)',
        ],
      ],
    );
  });

  test("a field naming an arg the template does not declare", () => {
    const found = lint(
      files(`      count: "{{args.cnt}}"`, "[{name: count, value: '3'}, {name: every, value: 2s}]"),
    );
    assert.deepEqual(
      found.map((f) => [f.file, f.path, f.fix]),
      [
        [
          "t.yaml",
          "spec.metrics[0].count",
          "add { name: cnt } to spec.args (the Rollout then passes its value)",
        ],
      ],
    );
  });

  test('count: "x y" is refused with the CRD rule\'s message', () => {
    const found = lint(files(`      count: "x y"`, "[{name: count, value: '3'}, {name: every, value: 2s}]"));
    assert.equal(found.length, 1);
    assert.equal(found[0]?.path, "spec.metrics[0].count");
    assert.match(found[0]?.message ?? "", /metrics\[\]\.count must be a whole number >= 1/);
  });
});

describe("plan -f: templated analysis fields", () => {
  const analysisOf = (args: string) => {
    const { rollouts, errors } = planFiles(files(METRIC, args));
    assert.deepEqual(errors, []);
    const step = rollouts[0]?.timeline[1]?.analysis;
    assert.ok(step);
    return step;
  };

  test("args the files give: count, interval and failureLimit resolved as the run will", () => {
    const a = analysisOf("[{name: count, value: '3'}, {name: every, value: 2s}]");
    const m = a.metrics[0];
    assert.deepEqual([m?.count, m?.intervalSeconds, m?.seconds, m?.failureLimit], [3, 2, 4, 1]);
    assert.deepEqual(m?.unknown, []);
    assert.equal(a.duration, "known");
    assert.equal(a.ends, "succeeds after 4s at the earliest");
  });

  test("an arg from valueFrom: count from args.count: unknown until run", () => {
    const a = analysisOf(
      "[{name: count, valueFrom: {podTemplateHashValue: Latest}}, {name: every, value: 2s}, {name: limit, valueFrom: {podTemplateHashValue: Stable}}]",
    );
    const m = a.metrics[0];
    assert.equal(m?.count, null);
    assert.equal(m?.failureLimit, null);
    assert.deepEqual(m?.unknown, [
      "count from args.count: unknown until run",
      "failureLimit from args.limit: unknown until run",
    ]);
    assert.equal(m?.ends, "count from args.count: unknown until run");
    assert.match(m?.limits ?? "", /^fails at failureLimit unknown until run, /);
    assert.equal(a.duration, "unknown");
    assert.equal(a.ends, "duration unknown: metric errors: count from args.count: unknown until run");
  });

  test("a literal value that does not resolve: the plan says the run would end Error", () => {
    const a = analysisOf("[{name: count, value: '3'}, {name: every, value: often}]");
    assert.equal(a.duration, "unknown");
    assert.match(
      a.ends,
      /metric errors: the run would end Error: metric "errors": interval "\{\{args\.every\}\}" resolved to "often", which is not a duration/,
    );
  });
});
