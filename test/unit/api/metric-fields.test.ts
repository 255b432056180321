// Argo Rollouts' forms of the analysis fields: counts and limits as "{{args.NAME}}", durations from args,
// Prometheus' insecure and integer timeout. Each is accepted by the zod schema and the CRD's CEL rules
// (evaluated offline as the apiserver does), and each bad form is refused naming its field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AnalysisTemplate } from "../../../src/api/index.ts";
import { celFindings } from "../../../src/cli/lint/cel-rules.ts";

type Json = Record<string, unknown>;
const template = (metric: Json, prometheus: Json = {}): Json => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "t" },
  spec: {
    args: [{ name: "count" }],
    metrics: [
      {
        name: "errors",
        successCondition: "result[0] < 0.05",
        provider: { prometheus: { address: "https://p:9090", query: "up", ...prometheus } },
        ...metric,
      },
    ],
  },
});

/** What the apiserver and the controller say: CEL findings, and zod issues as "path: message". */
function verdict(obj: Json): { cel: string[]; zod: string[] } {
  const parsed = AnalysisTemplate.safeParse(obj);
  return {
    cel: celFindings("AnalysisTemplate", obj).map((f) => `${f.path}: ${f.message}`),
    zod: parsed.success ? [] : parsed.error.issues.map((i) => i.path.join(".")),
  };
}

const accepted: [string, Json][] = [
  ["count 3", { count: 3 }],
  ['count "3"', { count: "3" }],
  ['count "{{args.count}}"', { count: "{{args.count}}" }],
  ['count "{{ args.count }}"', { count: "{{ args.count }}" }],
  ['failureLimit "{{args.limit}}"', { failureLimit: "{{args.limit}}" }],
  ["failureLimit 0", { failureLimit: 0 }],
  ['failureLimit "0"', { failureLimit: "0" }],
  ['inconclusiveLimit "{{args.i}}"', { inconclusiveLimit: "{{args.i}}" }],
  ['consecutiveErrorLimit "{{args.e}}"', { consecutiveErrorLimit: "{{args.e}}" }],
  ['interval "{{args.every}}"', { interval: "{{args.every}}" }],
  ['interval "30s"', { interval: "30s" }],
  ["interval 30", { interval: 30 }],
  ['initialDelay "{{args.wait}}"', { initialDelay: "{{args.wait}}" }],
];
const refused: [string, Json, string][] = [
  ['count "x y"', { count: "x y" }, "metrics[].count must be a whole number >= 1"],
  ["count 0", { count: 0 }, "metrics[].count must be a whole number >= 1"],
  ['count "0"', { count: "0" }, "metrics[].count must be a whole number >= 1"],
  ['count "1.5"', { count: "1.5" }, "metrics[].count must be a whole number >= 1"],
  ['count ""', { count: "" }, "metrics[].count must be a whole number >= 1"],
  ['count "{{count}}"', { count: "{{count}}" }, "metrics[].count must be a whole number >= 1"],
  ["failureLimit -1", { failureLimit: -1 }, "metrics[].failureLimit must be a whole number >= 0"],
  ['failureLimit "lots"', { failureLimit: "lots" }, "metrics[].failureLimit must be a whole number >= 0"],
  [
    'inconclusiveLimit "-1"',
    { inconclusiveLimit: "-1" },
    "metrics[].inconclusiveLimit must be a whole number >= 0",
  ],
  [
    'consecutiveErrorLimit "4 errors"',
    { consecutiveErrorLimit: "4 errors" },
    "metrics[].consecutiveErrorLimit must be a whole number >= 0",
  ],
  ['interval "often"', { interval: "often" }, "metrics[].interval must be at least 1s: whole seconds (30)"],
  ['initialDelay "5 s"', { initialDelay: "5 s" }, "metrics[].initialDelay must be whole seconds (30)"],
];

describe("templated analysis fields", () => {
  for (const [name, metric] of accepted)
    test(`${name} is accepted`, () => assert.deepEqual(verdict(template(metric)), { cel: [], zod: [] }));

  for (const [name, metric, message] of refused) {
    test(`${name} is refused naming the field`, () => {
      const field = Object.keys(metric)[0] ?? "";
      const v = verdict(template(metric));
      assert.equal(v.cel.length, 1, JSON.stringify(v.cel));
      assert.ok(v.cel[0]?.startsWith(`spec.metrics[0].${field}: Invalid value: `), v.cel[0]);
      assert.ok(v.cel[0]?.includes(message), v.cel[0]);
      assert.deepEqual(v.zod, [`spec.metrics.0.${field}`]);
    });
  }
});

describe("Prometheus insecure and timeout, as Argo Rollouts writes them", () => {
  const ok: [string, Json][] = [
    ["insecure: true", { insecure: true }],
    ["insecure and insecureSkipVerify both true", { insecure: true, insecureSkipVerify: true }],
    ["insecure and insecureSkipVerify both false", { insecure: false, insecureSkipVerify: false }],
    ["timeout 30 (seconds, Argo's form)", { timeout: 30 }],
    ['timeout "30s"', { timeout: "30s" }],
    ['timeout "500ms"', { timeout: "500ms" }],
  ];
  for (const [name, prom] of ok)
    test(`${name} is accepted`, () => assert.deepEqual(verdict(template({}, prom)), { cel: [], zod: [] }));

  test("insecure and insecureSkipVerify that disagree are refused naming both", () => {
    const v = verdict(template({}, { insecure: true, insecureSkipVerify: false }));
    assert.deepEqual(v.cel, [
      "spec.metrics[0].provider.prometheus: Invalid value: provider.prometheus: insecure and insecureSkipVerify disagree: set one of them (insecure is Argo Rollouts' name for insecureSkipVerify)",
    ]);
  });

  const bad: [string, unknown][] = [
    ["0", 0],
    ["-1", -1],
    ['"0s"', "0s"],
    ['"30 seconds"', "30 seconds"],
  ];
  for (const [name, timeout] of bad) {
    test(`timeout ${name} is refused naming the field (0 would mean no timeout)`, () => {
      const v = verdict(template({}, { timeout }));
      assert.equal(v.cel.length, 1, JSON.stringify(v.cel));
      assert.match(
        v.cel[0] ?? "",
        /^spec\.metrics\[0\]\.provider\.prometheus\.timeout: Invalid value: .*provider\.prometheus\.timeout must be whole seconds >= 1/,
      );
      assert.deepEqual(v.zod, ["spec.metrics.0.provider.prometheus.timeout"]);
    });
  }
});
