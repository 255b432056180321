// Admission of analysis fields that would otherwise be accepted and ignored (or misread): an interval
// under 1s, a job metric's conditions, args that set both or neither form. Evaluated offline as the
// apiserver does (the CRD's CEL rules) and by zod; Argo Rollouts' valid forms stay accepted.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AnalysisTemplate, Rollout } from "../../../src/api/index.ts";
import { celFindings } from "../../../src/cli/lint/cel-rules.ts";

type Json = Record<string, unknown>;
const JOB = {
  spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } },
};
const template = (metric: Json, args: Json[] = []): Json => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "t" },
  spec: {
    args,
    metrics: [{ name: "m", successCondition: "true", provider: { web: { url: "http://x" } }, ...metric }],
  },
});
const cel = (obj: Json) => celFindings(String(obj.kind), obj).map((f) => `${f.path}: ${f.message}`);
const zodOk = (obj: Json) => (obj.kind === "Rollout" ? Rollout : AnalysisTemplate).safeParse(obj).success;

describe("metrics[].interval: at least 1s", () => {
  for (const interval of [1, "1s", "30s", "1m", "1h30m", "1500ms", "{{args.every}}"])
    test(`${JSON.stringify(interval)} is accepted`, () => {
      const t = template({ interval });
      assert.deepEqual([cel(t), zodOk(t)], [[], true]);
    });
  for (const interval of [0, "0s", "0m0s", "500ms", "999ms"])
    test(`${JSON.stringify(interval)} is refused naming the field (it would measure without a pause)`, () => {
      const t = template({ interval });
      const found = cel(t);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(
        found[0] ?? "",
        /^spec\.metrics\[0\]\.interval: Invalid value: .*metrics\[\]\.interval must be at least 1s: .*0 would measure without a pause$/,
      );
      assert.equal(zodOk(t), false);
    });
});

describe("a job metric: the Job's exit status decides", () => {
  test("a job metric without conditions is accepted (Argo Rollouts' examples write none)", () => {
    const t = template({ successCondition: undefined, provider: { job: JOB }, count: 1, interval: "5s" });
    assert.deepEqual([cel(t), zodOk(t)], [[], true]);
  });
  for (const [field, value] of [
    ["successCondition", "result == 1"],
    ["failureCondition", "result == 0"],
    ["noData", "fail"],
  ] as const) {
    test(`${field} on a job metric is refused naming the field and why`, () => {
      const t = template({ successCondition: undefined, [field]: value, provider: { job: JOB } });
      assert.deepEqual(cel(t), [
        `spec.metrics[0].${field}: Invalid value: metrics[].${field} is not evaluated for a job metric: the Job's own success or failure decides the measurement; remove ${field}, or measure with a prometheus or web metric`,
      ]);
    });
  }
});

describe("template args: value or valueFrom, and one source", () => {
  const accepted: [string, Json][] = [
    ["a bare name (the Rollout passes it)", { name: "a" }],
    ["a default value", { name: "a", value: "x" }],
    ["an empty default value", { name: "a", value: "" }],
    [
      "valueFrom.secretKeyRef (Argo's form)",
      { name: "a", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
    ],
    [
      "valueFrom.fieldRef (Argo's form)",
      { name: "a", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    ],
  ];
  for (const [what, arg] of accepted)
    test(`${what} is accepted`, () => {
      const t = template({}, [arg]);
      assert.deepEqual([cel(t), zodOk(t)], [[], true]);
    });
  const refused: [string, Json, string][] = [
    [
      "value and valueFrom",
      { name: "a", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      "spec.args[0]: Invalid value: spec.args[]: set value (a default) or valueFrom (a Secret or a field of the Rollout), not both; with neither, the Rollout must pass the arg",
    ],
    [
      "an empty valueFrom",
      { name: "a", valueFrom: {} },
      "spec.args[0].valueFrom: Invalid value: spec.args[].valueFrom: set exactly one of secretKeyRef or fieldRef (a literal default goes in args[].value)",
    ],
    [
      "valueFrom with two sources",
      {
        name: "a",
        valueFrom: { secretKeyRef: { name: "s", key: "k" }, fieldRef: { fieldPath: "metadata.name" } },
      },
      "spec.args[0].valueFrom: Invalid value: spec.args[].valueFrom: set exactly one of secretKeyRef or fieldRef (a literal default goes in args[].value)",
    ],
  ];
  for (const [what, arg, message] of refused)
    test(`${what} is refused naming the field and the fix`, () => {
      assert.deepEqual(cel(template({}, [arg])), [message]);
    });
});

describe("Rollout analysis args: value or valueFrom, and one source", () => {
  const rollout = (arg: Json): Json => ({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "r" },
    spec: {
      selector: { matchLabels: { app: "r" } },
      template: { metadata: { labels: { app: "r" } }, spec: { containers: [{ name: "c", image: "i" }] } },
      strategy: {
        canary: { steps: [{ analysis: { templates: [{ templateName: "t" }], args: [arg] } }] },
      },
    },
  });
  const at = "spec.strategy.canary.steps[0].analysis.args[0]";
  const accepted: Json[] = [
    { name: "a", value: "x" },
    { name: "a", valueFrom: { podTemplateHashValue: "Latest" } },
    { name: "a", valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    { name: "a", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
  ];
  for (const arg of accepted)
    test(`${JSON.stringify(arg)} is accepted`, () => {
      const r = rollout(arg);
      assert.deepEqual([cel(r), zodOk(r)], [[], true]);
    });
  test("value and valueFrom together are refused", () => {
    assert.deepEqual(cel(rollout({ name: "a", value: "x", valueFrom: { podTemplateHashValue: "Stable" } })), [
      `${at}: Invalid value: args[]: set value (a literal) or valueFrom (a Secret, a field or a pod-template hash), not both`,
    ]);
  });
  test("two sources in valueFrom are refused naming each and the literal form", () => {
    const found = cel(
      rollout({ name: "a", valueFrom: { podTemplateHashValue: "Stable", fieldRef: { fieldPath: "x" } } }),
    );
    assert.deepEqual(found, [
      `${at}.valueFrom: Invalid value: args[].valueFrom: set exactly one of podTemplateHashValue (Stable or Latest), fieldRef (a path into the Rollout) or secretKeyRef (a Secret key); for a literal, use args[].value instead of valueFrom`,
    ]);
  });
});
