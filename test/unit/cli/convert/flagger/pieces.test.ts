// The Flagger converter's pure pieces as tables: Flagger's weight schedule, durations, query templates, the
// pass range in CEL (evaluated with ramp's own CEL), webhooks by type, and the report of every field not
// carried (an unknown field, the deprecated canaryAnalysis, --inline consuming the Deployment).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compileCel } from "../../../../../src/cel/index.ts";
import { convertFlagger } from "../../../../../src/cli/convert/flagger/index.ts";
import { type Report, Source } from "../../../../../src/cli/convert/flagger/source.ts";
import { promotionWeights, weightsOf } from "../../../../../src/cli/convert/flagger/steps.ts";
import { renderQuery } from "../../../../../src/cli/convert/flagger/templates.ts";
import { formatDuration, goDurationMs, metricName } from "../../../../../src/cli/convert/flagger/util.ts";
import { lint } from "../../../../../src/cli/lint/lint.ts";
import { sourceDocs } from "./support.ts";

const analysis = (yaml: string): Source => {
  const [doc] = sourceDocs("t.yaml", `spec:\n  analysis:\n${yaml.replace(/^/gm, "    ")}\n`);
  if (!doc) throw new Error("no document");
  return new Source(doc, { drops: [], notes: [] });
};
const BASE = ["spec", "analysis"];

/** A Canary (and other documents) converted; its Rollout's spec, templates and report. */
function convert(yaml: string, inline = false) {
  const r = convertFlagger(sourceDocs("c.yaml", yaml), { inline });
  const js = r.outputs.map((o) => o.doc.toJS() as { kind: string; metadata: { name: string }; spec: never });
  const rollout = js.find((o) => o.kind === "Rollout")?.spec as Record<string, never> | undefined;
  return { r, js, rollout, report: [...r.drops, ...r.notes].map((d) => `${d.line}: ${d.path}: ${d.reason}`) };
}

/** A Canary; `extra` lines go under spec.service. */
const canary = (analysisYaml: string, extra = "") => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: web
  namespace: shop
spec:
  provider: istio
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  service:
    port: 80
${extra}  analysis:
${analysisYaml.replace(/^/gm, "    ")}
`;

describe("Flagger's weights", () => {
  const cases: [string, number[], number[]][] = [
    ["stepWeight: 10\nmaxWeight: 50", [10, 20, 30, 40, 50], []],
    // Flagger adds stepWeight until the weight reaches maxWeight, so it may pass it (capped at 100).
    ["stepWeight: 20\nmaxWeight: 50", [20, 40, 60], []],
    ["stepWeight: 30", [30, 60, 90, 100], []],
    ["stepWeights: [1, 5, 25, 50]", [1, 5, 25, 50], []],
    ["stepWeights: [10, 5, 120]", [10, 100], []],
    // stepWeight wins; the last of stepWeights is the maximum.
    ["stepWeight: 25\nstepWeights: [10, 40]", [25, 50], []],
    ["stepWeight: 10\nmaxWeight: 30\nstepWeightPromotion: 40", [10, 20, 30], [70, 100]],
    ["stepWeights: [20, 60]\nstepWeightPromotion: 20", [20, 60], [80, 100]],
    ["interval: 1m", [], []],
  ];
  for (const [yaml, weights, promotion] of cases)
    test(yaml.replaceAll("\n", ", "), () => {
      const src = analysis(yaml);
      const w = weightsOf(src, BASE);
      assert.deepEqual(w, weights);
      assert.deepEqual(promotionWeights(src, BASE, w.at(-1) ?? 100), promotion);
    });
});

describe("durations and names", () => {
  const go: [string, number | undefined, string][] = [
    ["1m", 60_000, "1m"],
    ["90s", 90_000, "1m30s"],
    ["1h30m", 5_400_000, "1h30m"],
    ["1.5m", 90_000, "1m30s"],
    ["500ms", 500, "500ms"],
    ["2m0s", 120_000, "2m"],
  ];
  for (const [text, ms, out] of go)
    test(`Go duration ${text}`, () => {
      assert.equal(goDurationMs(text), ms);
      if (ms !== undefined) assert.equal(formatDuration(ms), out);
    });
  test("not durations", () => {
    for (const t of ["", "1", "1d", "m", "-1m"]) assert.equal(goDurationMs(t), undefined, t);
  });
  test("metric names ramp accepts", () => {
    assert.equal(metricName("404s percentage", "x"), "404s-percentage");
    assert.equal(metricName(" error rate (5xx) ", "x"), "error-rate-5xx");
    assert.equal(metricName("***", "metric-3"), "metric-3");
  });
});

describe("query templates", () => {
  const model = {
    name: "web",
    service: "web-svc",
    ingress: "web-ing",
    route: "web-route",
    interval: "2m",
    variables: { direction: "inbound" },
  };
  const cases: [string, string, string[]][] = [
    ['x{ns="{{ namespace }}"}', 'x{ns="{{args.namespace}}"}', []],
    ['x{w=~"{{ target }}"}', 'x{w=~"{{args.rollout-name}}-{{args.canary-hash}}"}', []],
    // Flagger's pod-name match of its target's pods becomes ramp's canary pods.
    [
      'x{pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}',
      'x{pod=~"{{args.rollout-name}}-{{args.canary-hash}}-[0-9a-zA-Z]+"}',
      [],
    ],
    [
      "{{name}} {{ service }}-canary {{ingress}} {{ route }}[{{ interval }}]",
      "web web-svc-canary web-ing web-route[2m]",
      [],
    ],
    ['d="{{ variables.direction }}" e="{{ index variables "direction" }}"', 'd="inbound" e="inbound"', []],
    [
      "{{ variables.missing }} {{ if .x }}",
      "{{ variables.missing }} {{ if .x }}",
      ["{{ variables.missing }}", "{{ if .x }}"],
    ],
    ["{{- namespace -}}", "{{args.namespace}}", []],
  ];
  for (const [query, out, unknown] of cases)
    test(query, () => {
      const r = renderQuery(query, model);
      assert.equal(r.query, out);
      assert.deepEqual(r.unknown, unknown);
    });
});

describe("thresholds as CEL, evaluated with ramp's CEL", () => {
  const conditionOf = (metric: string) => {
    const { js } = convert(canary(`interval: 1m\nstepWeight: 50\nmetrics:\n${metric.replace(/^/gm, "  ")}`));
    const t = js.find((o) => o.kind === "AnalysisTemplate") as unknown as {
      spec: { metrics: { successCondition?: string }[] };
    };
    return t.spec.metrics[0]?.successCondition;
  };
  const cases: [string, string | undefined, [number, boolean][]][] = [
    [
      "- name: request-success-rate\n  thresholdRange: {min: 99}",
      "result[0] >= 99.0",
      [
        [99, true],
        [98.9, false],
      ],
    ],
    [
      "- name: request-duration\n  thresholdRange: {max: 500}",
      "result[0] <= 500.0",
      [
        [500, true],
        [500.5, false],
      ],
    ],
    [
      "- name: q\n  query: up\n  thresholdRange: {min: 0.5, max: 2.5}",
      "result[0] >= 0.5 && result[0] <= 2.5",
      [
        [0.5, true],
        [2.5, true],
        [0.4, false],
        [3, false],
      ],
    ],
    // The deprecated threshold: a minimum for the success rate, a maximum otherwise (Flagger's reading).
    [
      "- name: request-success-rate\n  threshold: 95",
      "result[0] >= 95.0",
      [
        [96, true],
        [94, false],
      ],
    ],
    [
      "- name: request-duration\n  threshold: 300",
      "result[0] <= 300.0",
      [
        [299, true],
        [301, false],
      ],
    ],
    [
      "- name: q\n  query: up\n  threshold: 3",
      "result[0] <= 3.0",
      [
        [3, true],
        [4, false],
      ],
    ],
  ];
  for (const [metric, cel, samples] of cases)
    test(metric.replaceAll("\n", " "), () => {
      const condition = conditionOf(metric);
      assert.equal(condition, cel);
      if (!condition) return;
      const program = compileCel(condition, { result: "dyn" });
      for (const [value, pass] of samples)
        assert.equal(program.evaluate({ result: [value] }), pass, String(value));
    });
});

describe("webhooks by type", () => {
  const hooks = (yaml: string, extra = "") =>
    convert(canary(`interval: 1m\nstepWeight: 50\nwebhooks:\n${yaml.replace(/^/gm, "  ")}`, extra));
  test("confirm-rollout and confirm-promotion: indefinite pauses first and last", () => {
    const { rollout } = hooks(
      "- {name: a, type: confirm-rollout, url: http://g/a}\n- {name: b, type: confirm-promotion, url: http://g/b}",
    );
    const steps = (rollout as unknown as { strategy: { canary: { steps: unknown[] } } }).strategy.canary
      .steps;
    assert.deepEqual(steps[0], { pause: {} });
    assert.deepEqual(steps.at(-1), { pause: {} });
    assert.deepEqual(steps.slice(1, -1), [
      { setWeight: 50 },
      { pause: { duration: "1m" } },
      { setWeight: 100 },
      { pause: { duration: "1m" } },
    ]);
  });
  test("pre-rollout: an analysis step before any weight; rollout: a job metric beside the steps", () => {
    const { rollout, js } = hooks(
      "- {name: pre, type: pre-rollout, url: http://t/pre, timeout: 30s, retries: 1}\n- {name: load, url: http://t/load}",
    );
    const canarySpec = (rollout as unknown as { strategy: { canary: Record<string, unknown> } }).strategy
      .canary;
    assert.deepEqual((canarySpec.steps as unknown[])[0], {
      analysis: { templates: [{ templateName: "web-pre-rollout" }] },
    });
    assert.deepEqual(canarySpec.analysis, { templates: [{ templateName: "web" }], startingStep: 2 });
    const pre = js.find((o) => o.metadata.name === "web-pre-rollout") as unknown as {
      spec: { metrics: Record<string, unknown>[] };
    };
    const env = (
      pre.spec.metrics[0] as {
        provider: {
          job: { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
        };
      }
    ).provider.job.spec.template.spec.containers[0]?.env;
    assert.deepEqual(Object.fromEntries((env ?? []).map((e) => [e.name, e.value])), {
      URL: "http://t/pre",
      PAYLOAD:
        '{"name":"web","namespace":"{{args.namespace}}","phase":"Progressing","checksum":"{{args.canary-hash}}"}',
      TIMEOUT: "30",
      RETRIES: "1",
    });
    assert.equal(pre.spec.metrics[0]?.count, 1);
  });
  test("rollback, event, confirm-traffic-increase, post-rollout of a canary: reported, not carried", () => {
    const { report, js } = hooks(
      "- {name: a, type: rollback, url: http://g/a}\n- {name: b, type: event, url: http://g/b}\n" +
        "- {name: c, type: confirm-traffic-increase, url: http://g/c}\n- {name: d, type: post-rollout, url: http://g/d}",
    );
    for (const i of [0, 1, 2, 3])
      assert.ok(
        report.some((l) => l.includes(`spec.analysis.webhooks[${i}]: `)),
        String(i),
      );
    assert.ok(!js.some((o) => o.kind === "AnalysisTemplate"));
  });
});

describe("every field not carried is reported", () => {
  test("a field the converter does not know, with its line", () => {
    const { report } = convert(
      canary("interval: 1m\nstepWeight: 50\nfutureKnob: 3", "    futureService: true\n"),
    );
    for (const line of [
      "14: spec.service.futureService: not carried: the converter does not know this field",
      "18: spec.analysis.futureKnob: not carried: the converter does not know this field",
    ])
      assert.ok(report.includes(line), report.join("\n"));
  });
  test("the deprecated spec.canaryAnalysis is read as spec.analysis", () => {
    const { rollout, report } = convert(
      canary("interval: 1m").replace(
        "  analysis:\n    interval: 1m",
        "  canaryAnalysis:\n    interval: 2m\n    stepWeight: 50",
      ),
    );
    const steps = (rollout as unknown as { strategy: { canary: { steps: unknown[] } } }).strategy.canary
      .steps;
    assert.deepEqual(steps[1], { pause: { duration: "2m" } });
    assert.ok(report.some((l) => l.includes("spec.canaryAnalysis: the deprecated")));
  });
  test("--inline consumes the Deployment and copies its template; without it, a workloadRef", () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1}]}
---
`;
    const text = deployment + canary("interval: 1m\nstepWeight: 50");
    const inline = convert(text, true);
    assert.equal(inline.r.consumed.length, 1);
    assert.deepEqual((inline.rollout as unknown as { template: unknown }).template, {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "web:1" }] },
    });
    const ref = convert(text, false);
    assert.equal(ref.r.consumed.length, 0);
    assert.deepEqual((ref.rollout as unknown as { workloadRef: unknown }).workloadRef, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      scaleDown: "onsuccess",
    });
    // Flagger left its target at 0: the Rollout keeps ramp's default and says so.
    assert.equal((ref.rollout as unknown as { replicas?: number }).replicas, undefined);
    assert.ok(
      ref.report.some((l) => l.startsWith("5: spec.replicas: Deployment web has 0 replicas")),
      ref.report.join("\n"),
    );
  });
});

describe("minimal and malformed Canaries", () => {
  const cases: [string, string, string][] = [
    ["no spec", "metadata: {name: a}\n", "no analysis: Flagger promotes every release at once"],
    [
      "no analysis",
      "metadata: {name: b}\nspec:\n  targetRef: {name: b}\n  service: {port: 80}\n",
      "no analysis",
    ],
    [
      "wrong shapes",
      "metadata: {name: c}\nspec:\n  targetRef: {name: c}\n  analysis:\n    metrics: 3\n    webhooks: [1]\n" +
        "    stepWeights: [x, 10]\n    interval: soon\n",
      "spec.analysis.webhooks[0]: a webhook without a url",
    ],
  ];
  for (const [name, body, expected] of cases)
    test(name, () => {
      const { r, report } = convert(`apiVersion: flagger.app/v1beta1\nkind: Canary\n${body}`);
      const text = r.outputs.map((o) => o.doc.toString()).join("---\n");
      assert.deepEqual(lint([{ file: name, text }]), []);
      assert.ok(
        report.some((l) => l.includes(expected)),
        report.join("\n"),
      );
    });
});

export type { Report };
