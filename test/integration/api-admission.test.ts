// The ramp.dev API on the real apiserver: CRDs install, examples are accepted, bad input is rejected
// at admission with a message that names the field and the fix.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeConfig } from "@kubernetes/client-node";
import { installCrds } from "../../dev/crds.ts";
import { createTestNamespace, deleteTestNamespace, kubectl, loadKubeConfig } from "../../dev/kube.ts";
import { installUpstreamCrds } from "../../dev/upstream-crds.ts";
import { type KubeObject, readDocuments, yamlFilesUnder } from "../../dev/yaml.ts";
import { installGitOpsCrds } from "../support/gitops-crds.ts";
import { tryCreate } from "../support/objects.ts";

type Spec = Record<string, unknown>;
const rollout = (name: string, spec: Spec): KubeObject =>
  ({ apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", metadata: { name }, spec }) as KubeObject;

const base = (): Spec => ({
  replicas: 2,
  selector: { matchLabels: { app: "web" } },
  template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "web:1" }] } },
  strategy: {
    canary: { canaryService: "web-canary", stableService: "web-stable", steps: [{ setWeight: 20 }] },
  },
});
const canary = (c: Spec): Spec => ({ ...base(), strategy: { canary: c } });
const routing = (tr: Spec, steps: unknown[] = [{ setWeight: 10 }]): Spec =>
  canary({ canaryService: "c", stableService: "s", trafficRouting: tr, steps });
const blueGreen = (bg: Spec): Spec => ({ ...base(), strategy: { blueGreen: bg } });

/** [case, spec, a fragment the apiserver's message must contain] */
const invalidRollouts: [string, Spec, string][] = [
  ["missing strategy", { ...base(), strategy: undefined }, "spec.strategy: Required value"],
  [
    "both strategies",
    { ...base(), strategy: { canary: {}, blueGreen: { activeService: "a" } } },
    "set exactly one of canary or blueGreen",
  ],
  ["empty strategy", { ...base(), strategy: {} }, "set exactly one of canary or blueGreen"],
  [
    "a step with two kinds",
    canary({ steps: [{ setWeight: 10, pause: {} }] }),
    "each step sets exactly one of setWeight, pause",
  ],
  ["an empty step", canary({ steps: [{}] }), "each step sets exactly one of"],
  [
    "weight 20000 (above any maxTrafficWeight)",
    canary({ steps: [{ setWeight: 20000 }] }),
    "spec.strategy.canary.steps[0].setWeight: Invalid value: 20000",
  ],
  ["weight -1", canary({ steps: [{ setWeight: -1 }] }), "should be greater than or equal to 0"],
  [
    "bad pause duration",
    canary({ steps: [{ pause: { duration: "10 minutes" } }] }),
    'must be whole seconds (30) or a duration such as "30s"',
  ],
  [
    "negative pause duration",
    canary({ steps: [{ pause: { duration: -5 } }] }),
    "steps[].pause.duration must be whole seconds",
  ],
  [
    "blue-green without activeService",
    blueGreen({ previewService: "p" }),
    "spec.strategy.blueGreen.activeService: Required value",
  ],
  [
    "blue-green preview = active",
    blueGreen({ activeService: "a", previewService: "a" }),
    "previewService must differ from activeService",
  ],
  [
    "autoPromotionSeconds without auto promotion",
    blueGreen({ activeService: "a", autoPromotionEnabled: false, autoPromotionSeconds: 30 }),
    "autoPromotionSeconds needs autoPromotionEnabled: true",
  ],
  [
    "trafficRouting without services",
    canary({ trafficRouting: { nginx: { stableIngress: "i" } } }),
    "trafficRouting requires canaryService and stableService",
  ],
  [
    "same canary and stable Service",
    canary({ canaryService: "s", stableService: "s" }),
    "canaryService and stableService must be two different Services",
  ],
  ["trafficRouting with no router", routing({}), "set at least one of gatewayAPI, nginx or istio"],
  [
    "nginx with both ingress fields",
    routing({ nginx: { stableIngress: "a", stableIngresses: ["b"] } }),
    "set exactly one of stableIngress or stableIngresses",
  ],
  [
    "an ALB route (a provider ramp does not route): refused by name, with what to use",
    routing({ alb: { ingress: "i" } }),
    "spec.strategy.canary.trafficRouting.alb is not supported by ramp: route with gatewayAPI",
  ],
  [
    "an experiment step",
    canary({ steps: [{ experiment: { templates: [] } }] }),
    "spec.strategy.canary.steps[].experiment is not supported by ramp",
  ],
  [
    "workloadRef beside a template",
    { ...base(), workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } },
    "spec.template, spec.workloadRef: set exactly one",
  ],
  [
    "workloadRef to a kind other than Deployment",
    {
      ...base(),
      template: undefined,
      workloadRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "web" },
    },
    "spec.workloadRef.kind",
  ],
  [
    "scaleDownDelaySeconds without trafficRouting (Argo ignores it there; ramp refuses it)",
    canary({ scaleDownDelaySeconds: 10 }),
    "spec.strategy.canary.scaleDownDelaySeconds requires trafficRouting",
  ],
  [
    "pingPong beside canaryService",
    canary({
      canaryService: "c",
      pingPong: { pingService: "a", pongService: "b" },
      trafficRouting: { nginx: { stableIngress: "i" } },
    }),
    "pingPong needs trafficRouting, two different Services, and no canaryService or stableService",
  ],
  [
    "pingPong without trafficRouting",
    canary({ pingPong: { pingService: "a", pongService: "b" } }),
    "pingPong needs trafficRouting",
  ],
  [
    "antiAffinity with both kinds",
    canary({
      steps: [{ setWeight: 10 }],
      antiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: { weight: 10 },
        requiredDuringSchedulingIgnoredDuringExecution: {},
      },
    }),
    "antiAffinity: set exactly one of preferredDuringSchedulingIgnoredDuringExecution or requiredDuringSchedulingIgnoredDuringExecution",
  ],
  [
    "setWeight above 100 without maxTrafficWeight",
    canary({ steps: [{ setWeight: 150 }] }),
    "setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
  ],
  [
    "weight above maxTrafficWeight",
    routing({ nginx: { stableIngress: "a" }, maxTrafficWeight: 50 }, [{ setWeight: 60 }]),
    "setWeight must not exceed trafficRouting.maxTrafficWeight",
  ],
  [
    "header route not in managedRoutes",
    routing({ nginx: { stableIngress: "a" } }, [
      { setHeaderRoute: { name: "hdr", match: [{ headerName: "x", headerValue: { exact: "1" } }] } },
    ]),
    "setHeaderRoute.name must be listed in spec.strategy.canary.trafficRouting.managedRoutes",
  ],
  [
    "header match with two kinds",
    routing({ nginx: { stableIngress: "a" }, managedRoutes: [{ name: "h" }] }, [
      {
        setHeaderRoute: { name: "h", match: [{ headerName: "x", headerValue: { exact: "1", prefix: "2" } }] },
      },
    ]),
    "set exactly one of exact, regex or prefix",
  ],
  [
    "maxSurge and maxUnavailable both 0",
    canary({ maxSurge: 0, maxUnavailable: "0%" }),
    "maxSurge and maxUnavailable cannot both be 0",
  ],
  ["maxSurge not a count or percent", canary({ maxSurge: "lots" }), "maxSurge must be a non-negative count"],
  [
    "setCanaryScale with two settings",
    canary({ steps: [{ setCanaryScale: { weight: 10, replicas: 2 } }] }),
    "set exactly one of weight, replicas or matchTrafficWeight",
  ],
  [
    "analysis step without templates",
    canary({ steps: [{ analysis: {} }] }),
    "steps[0].analysis.templates: Required value",
  ],
  [
    "selector not matching the template",
    { ...base(), selector: { matchLabels: { app: "other" } } },
    "spec.template.metadata.labels must include every spec.selector.matchLabels entry",
  ],
  ["empty selector", { ...base(), selector: {} }, "set matchLabels (or matchExpressions)"],
  ["negative replicas", { ...base(), replicas: -1 }, "spec.replicas: Invalid value: -1"],
  [
    "arg with value and valueFrom",
    canary({
      steps: [
        {
          analysis: {
            templates: [{ templateName: "t" }],
            args: [{ name: "a", value: "v", valueFrom: { podTemplateHashValue: "Stable" } }],
          },
        },
      ],
    }),
    "set value (a literal) or valueFrom (a Secret, a field or a pod-template hash), not both",
  ],
];

const template = (spec: Spec): KubeObject =>
  ({
    apiVersion: "ramp.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "t" },
    spec,
  }) as KubeObject;
const prom = { prometheus: { address: "http://p:9090", query: "up" } };
const dd = { query: "avg:x", secretRef: { name: "datadog" } };
/** A judge with one judged metric (`metric` over a valid one) and `judge` fields over the minimum. */
const judgeWith = (metric: object, judge: object = {}) => ({
  judge: {
    prometheus: { address: "http://p:9090" },
    metrics: [{ name: "latency", query: 'x{hash="{{version.hash}}"}', ...metric }],
    ...judge,
  },
});
const invalidTemplates: [string, Spec, string][] = [
  [
    "a Wavefront metric (a provider ramp does not have)",
    { metrics: [{ name: "m", provider: { wavefront: { query: "ts(x)" } } }] },
    "metrics[].provider.wavefront is not supported by ramp: query Wavefront's API with a web metric",
  ],
  [
    "a graphite address that is not an http(s) URL",
    { metrics: [{ name: "m", provider: { graphite: { address: "graphite:8080", query: "target=x" } } }] },
    "provider.graphite.address: Graphite's base URL, http:// or https:// (or {{args.NAME}}); ramp appends /render",
  ],
  [
    "a graphite address ending in /render",
    { metrics: [{ name: "m", provider: { graphite: { address: "http://g/render", query: "target=x" } } }] },
    "provider.graphite.address: leave /render out: ramp appends it to the base URL",
  ],
  [
    "a graphite query setting format",
    {
      metrics: [{ name: "m", provider: { graphite: { address: "http://g", query: "target=x&format=raw" } } }],
    },
    "provider.graphite.query: render parameters may be target, from and until only",
  ],
  [
    "a graphite metric without a query",
    { metrics: [{ name: "m", provider: { graphite: { address: "http://g" } } }] },
    "spec.metrics[0].provider.graphite.query: Required value",
  ],
  [
    "a datadog metric with both query and queries",
    { metrics: [{ name: "m", provider: { datadog: { ...dd, queries: { a: "avg:y" } } } }] },
    "provider.datadog: set exactly one of query or queries",
  ],
  [
    "datadog queries without apiVersion v2",
    { metrics: [{ name: "m", provider: { datadog: { secretRef: dd.secretRef, queries: { a: "x" } } } }] },
    "provider.datadog: queries, formula and aggregator need apiVersion: v2",
  ],
  [
    "a newRelic metric with both region and address",
    {
      metrics: [
        {
          name: "m",
          provider: {
            newRelic: { query: "SELECT 1", region: "eu", address: "http://nr", secretRef: { name: "nr" } },
          },
        },
      ],
    },
    "provider.newRelic: set one of region or address",
  ],
  [
    "a cloudWatch query with both expression and metricStat",
    {
      metrics: [
        {
          name: "m",
          provider: {
            cloudWatch: {
              metricDataQueries: [
                {
                  id: "q",
                  expression: "SUM(x)",
                  metricStat: { metric: { metricName: "x" }, period: 60, stat: "Sum" },
                },
              ],
            },
          },
        },
      ],
    },
    "cloudWatch.metricDataQueries[]: set exactly one of expression or metricStat",
  ],
  [
    "a prometheus metric with both basic auth and sigv4",
    {
      metrics: [
        {
          name: "m",
          provider: {
            prometheus: {
              ...prom.prometheus,
              authentication: {
                basic: { username: "u", passwordSecretKeyRef: { name: "s", key: "k" } },
                sigv4: { region: "us-west-2" },
              },
            },
          },
        },
      ],
    },
    "authentication: set one of bearerToken, basic or sigv4",
  ],
  ["no metrics", { metrics: [] }, "spec.metrics: Invalid value"],
  [
    "two providers",
    { metrics: [{ name: "m", successCondition: "true", provider: { ...prom, web: { url: "http://x" } } }] },
    "set exactly one of prometheus, web, job, judge",
  ],
  [
    "duplicate metric names",
    {
      metrics: [
        { name: "m", successCondition: "true", provider: prom },
        { name: "m", successCondition: "true", provider: prom },
      ],
    },
    "spec.metrics[].name must be unique",
  ],
  [
    "bad interval",
    { metrics: [{ name: "m", successCondition: "true", interval: "often", provider: prom }] },
    "metrics[].interval must be at least 1s",
  ],
  [
    "a judged query that selects no version",
    { metrics: [{ name: "m", provider: judgeWith({ query: "up" }) }] },
    "judge.metrics[].query must select one version with {{version.hash}} or {{version.role}}",
  ],
  [
    "a judge metric with a successCondition",
    { metrics: [{ name: "m", successCondition: "true", provider: judgeWith({}) }] },
    "metrics[].successCondition is not evaluated for a judge metric",
  ],
  [
    "a judge tolerance that is not a percentage",
    { metrics: [{ name: "m", provider: judgeWith({ tolerance: "0.1" }) }] },
    'judge.metrics[].tolerance must be a percentage such as "10%"',
  ],
  [
    "a judge window shorter than three steps",
    { metrics: [{ name: "m", provider: judgeWith({}, { window: "20s", step: "10s" }) }] },
    "judge: window / step must give 3 to 11000 samples per series",
  ],
  [
    "a judge minSamples above what window / step gives",
    { metrics: [{ name: "m", provider: judgeWith({}, { window: "1m", step: "10s", minSamples: 7 }) }] },
    "judge.minSamples is more than window / step samples can ever give",
  ],
  [
    "judge thresholds with marginal above pass",
    { metrics: [{ name: "m", provider: judgeWith({}, { thresholds: { pass: 70, marginal: 90 } }) }] },
    "judge.thresholds: marginal must not be above pass",
  ],
];

describe("ramp.dev API on the real apiserver", () => {
  let kc: KubeConfig;
  let ns: string;
  before(async () => {
    kc = loadKubeConfig();
    await installCrds();
    // examples/ route traffic through HTTPRoutes and VirtualServices: their upstream CRDs validate them.
    await installUpstreamCrds();
    // examples/argocd and examples/flux: Argo CD's Application and Flux's Kustomization validate them.
    await installGitOpsCrds();
    ns = await createTestNamespace("api-admission", kc);
  });
  after(async () => {
    if (ns) await deleteTestNamespace(ns, { wait: false, kc });
  });

  test("every CRD is Established and served", async () => {
    const res = await kubectl(["api-resources", "--api-group=ramp.dev", "-o", "name"]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split("\n").sort(), [
      "analysisruns.ramp.dev",
      "analysistemplates.ramp.dev",
      "clusteranalysistemplates.ramp.dev",
      "clusternotifiers.ramp.dev",
      "notifiers.ramp.dev",
      "rollouts.ramp.dev",
    ]);
  });

  for (const file of yamlFilesUnder("examples")) {
    const rel = file.replace(/.*examples\//, "examples/");
    test(`${rel} is accepted`, async () => {
      const docs = readDocuments(file);
      assert.ok(docs.length > 0);
      const res = await kubectl(["apply", "--server-side", "-n", ns, "-f", file]);
      assert.equal(res.code, 0, `${rel}: ${res.stderr}`);
      const got = await kubectl(["get", "-n", ns, "-f", file, "-o", "name"]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim().split("\n").length, docs.length, got.stdout);
    });
  }

  for (const [name, spec, expected] of invalidRollouts) {
    test(`rejects a Rollout: ${name}`, async () => {
      const message = await tryCreate(kc, rollout("bad", spec), ns);
      assert.ok(message, `${name}: the apiserver accepted it`);
      assert.ok(message.includes(expected), `${name}: expected "${expected}" in:\n${message}`);
    });
  }

  for (const [name, spec, expected] of invalidTemplates) {
    test(`rejects an AnalysisTemplate: ${name}`, async () => {
      const message = await tryCreate(kc, template(spec), ns);
      assert.ok(message, `${name}: the apiserver accepted it`);
      assert.ok(message.includes(expected), `${name}: expected "${expected}" in:\n${message}`);
    });
  }

  test("a background analysis starting past the last step is accepted (it never starts, as in Argo)", async () => {
    const spec = canary({
      steps: [{ setWeight: 10 }],
      analysis: { templates: [{ templateName: "t" }], startingStep: 3 },
    });
    assert.equal(await tryCreate(kc, rollout("late", spec), ns), undefined);
  });

  test("setWeight counts out of maxTrafficWeight: 500 of 1000 is accepted", async () => {
    const spec = routing({ nginx: { stableIngress: "a" }, maxTrafficWeight: 1000 }, [{ setWeight: 500 }]);
    assert.equal(await tryCreate(kc, rollout("permille", spec), ns), undefined);
  });

  test("an AnalysisRun with a fieldRef or podTemplateHashValue arg is refused: it has no Rollout to read them from", async () => {
    const run = (valueFrom: Spec) =>
      ({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "AnalysisRun",
        metadata: { name: "direct" },
        spec: {
          args: [{ name: "v", valueFrom }],
          metrics: [{ name: "m", successCondition: "true", provider: prom }],
        },
      }) as KubeObject;
    for (const valueFrom of [
      { fieldRef: { fieldPath: "metadata.name" } },
      { podTemplateHashValue: "Stable" },
    ]) {
      const message = await tryCreate(kc, run(valueFrom), ns);
      assert.ok(message?.includes("an AnalysisRun takes only secretKeyRef"), message);
    }
  });

  test("spec.selector is immutable", async () => {
    assert.equal(await tryCreate(kc, rollout("immutable", base()), ns), undefined);
    const patch = JSON.stringify({ spec: { selector: { matchLabels: { app: "web", tier: "x" } } } });
    const res = await kubectl(["patch", "rollout.ramp.dev/immutable", "-n", ns, "--type=merge", "-p", patch]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /spec\.selector is immutable: create a new Rollout to change it/);
  });

  test("the scale subresource drives spec.replicas (kubectl scale, as an HPA would)", async () => {
    assert.equal(await tryCreate(kc, rollout("scalable", base()), ns), undefined);
    const res = await kubectl(["scale", "rollout.ramp.dev/scalable", "-n", ns, "--replicas=5"]);
    assert.equal(res.code, 0, res.stderr);
    const got = await kubectl([
      "get",
      "rollout.ramp.dev/scalable",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.replicas}",
    ]);
    assert.equal(got.stdout, "5");
  });

  test("kubectl explain documents the steps", async () => {
    const res = await kubectl(["explain", "rollouts.ramp.dev.spec.strategy.canary.steps"]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Each step sets exactly one of: setWeight, pause,\s+analysis/);
    assert.match(res.stdout, /setWeight\s+<integer>/);
    assert.match(res.stdout, /Traffic for the canary: a percentage, or out of/);
  });

  test("the short name and category list ramp's objects", async () => {
    const res = await kubectl(["get", "rro,ramp", "-n", ns, "-o", "name"]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /rollout\.ramp\.dev\/scalable/);
  });
});
