// The Argo Rollouts converter, mapping by mapping: each test a small input, the ramp object it becomes, and
// what is reported (field, line, reason). The corpus test covers every field at once; these pin the rules.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { convertArgo, convertArgoObject } from "../../../../src/cli/convert/argo/index.ts";
import { renderStream } from "../../../../src/cli/convert/output.ts";
import { parseSource } from "../../../../src/cli/convert/source.ts";
import type { ConvertResult } from "../../../../src/cli/convert/types.ts";
import { lint } from "../../../../src/cli/lint/lint.ts";

const convert = (text: string): ConvertResult => convertArgo(parseSource("in.yaml", text).docs);
// biome-ignore lint/suspicious/noExplicitAny: the tests read deep into converted JSON they just wrote
type Json = any;
const objects = (r: ConvertResult) => r.outputs.map((o) => o.doc.toJS() as Json);
const report = (drops: ConvertResult["drops"]) => drops.map((d) => `${d.line ?? "-"} ${d.path}: ${d.reason}`);

const rollout = (strategy: string, extra = "") => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web${extra}
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers: [{ name: app, image: app:1 }]
  strategy:
${strategy}`;

const template = (metrics: string, extra = "") => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: checks
spec:${extra}
  metrics:
${metrics}`;

const prom = (name: string, condition: string) => `    - name: ${name}
      successCondition: ${condition}
      provider:
        prometheus: { address: "http://p:9090", query: up }
`;

describe("convert: Argo Rollouts mappings", () => {
  test("apiVersion becomes ramp.dev/v1alpha1; an object from the cluster loses what the server wrote", () => {
    const r = convertArgoObject({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web", namespace: "shop", uid: "u1", resourceVersion: "9", managedFields: [] },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "a", image: "a:1" }] },
        },
        strategy: { blueGreen: { activeService: "web" } },
      },
      status: { phase: "Healthy" },
    });
    const [out] = objects(r);
    assert.equal(out?.apiVersion, "ramp.dev/v1alpha1");
    assert.deepEqual(out?.metadata, { name: "web", namespace: "shop" });
    assert.equal(out?.status, undefined);
    assert.deepEqual(r.drops, []);
    assert.equal(r.notes[0]?.file, "cluster:Rollout/shop/web");
    assert.equal(r.notes[0]?.line, undefined);
    assert.match(r.notes[0]?.reason ?? "", /^written by the cluster, not carried: status, metadata\.uid/);
  });

  test("Argo notification subscriptions become ramp's (notifications.test.ts has each rule)", () => {
    const r = convert(
      rollout("    blueGreen: { activeService: web }\n").replace(
        "  name: web\n",
        "  name: web\n  annotations:\n    notifications.argoproj.io/subscribe.on-rollout-aborted.slack: ops\n",
      ),
    );
    assert.deepEqual(r.drops, []);
    assert.deepEqual(objects(r)[0]?.metadata.annotations, {
      "notifications.ramp.dev/subscribe.aborted.slack": "ops",
    });
  });

  test("scaleDownDelaySeconds without a router is removed with a note (Argo ignores it there; ramp refuses it)", () => {
    const r = convert(
      rollout("    canary:\n      scaleDownDelaySeconds: 10\n      steps: [{ setWeight: 50 }]"),
    );
    assert.equal(objects(r)[0]?.spec.strategy.canary.scaleDownDelaySeconds, undefined);
    assert.deepEqual(r.drops, []);
    assert.ok(r.notes.some((n) => n.path === "spec.strategy.canary.scaleDownDelaySeconds" && n.line === 15));
    assert.deepEqual(lint([{ file: "out.yaml", text: renderStream(r.outputs) }]), []);
  });

  test("a step with several actions is split in Argo's order of effect: scale, header route, then the wait", () => {
    const r = convert(
      rollout(`    canary:
      canaryService: c
      stableService: s
      trafficRouting:
        managedRoutes: [{ name: h }]
        istio: { virtualService: { name: vs } }
      analysis:
        templates: [{ templateName: other }]
        startingStep: 2
      steps:
        - setWeight: 10
          setHeaderRoute: { name: h, match: [{ headerName: x, headerValue: { exact: "1" } }] }
          setCanaryScale: { replicas: 1 }
        - pause: {}
        - setWeight: 50
`),
    );
    const steps = objects(r)[0]?.spec.strategy.canary.steps as object[];
    assert.deepEqual(
      steps.map((s) => Object.keys(s)[0]),
      ["setCanaryScale", "setHeaderRoute", "setWeight", "pause", "setWeight"],
    );
    assert.equal(
      objects(r)[0]?.spec.strategy.canary.analysis.startingStep,
      4,
      "startingStep follows its step",
    );
    assert.deepEqual(report(r.notes), [
      "24 spec.strategy.canary.steps[0]: split into 3 steps (setCanaryScale, setHeaderRoute, setWeight): ramp takes one action a step; later step indices shift",
      "22 spec.strategy.canary.analysis.startingStep: 2 becomes 4: the steps before it were split or dropped",
    ]);
  });

  test("the Gateway API plugin for routes in another namespace is dropped, and its header steps with it", () => {
    const r = convert(
      rollout(`    canary:
      canaryService: c
      stableService: s
      trafficRouting:
        managedRoutes: [{ name: h }]
        plugins:
          argoproj-labs/gatewayAPI: { httpRoute: r, namespace: gateways }
      steps:
        - setHeaderRoute: { name: h, match: [{ headerName: x, headerValue: { exact: "1" } }] }
        - setWeight: 50
`).replace("  name: web\n", "  name: web\n  namespace: shop\n"),
    );
    const canary = objects(r)[0]?.spec.strategy.canary;
    assert.equal(canary.trafficRouting, undefined);
    assert.deepEqual(canary.steps, [{ setWeight: 50 }]);
    assert.deepEqual(report(r.drops), [
      '21 spec.strategy.canary.trafficRouting.plugins[argoproj-labs/gatewayAPI]: Gateway API plugin not carried: the HTTPRoutes are in namespace "gateways": ramp weights routes in the Rollout\'s own namespace only',
      "19 spec.strategy.canary.trafficRouting.managedRoutes: no traffic router ramp runs is left (see the drops above)",
      "23 spec.strategy.canary.steps[0].setHeaderRoute: needs trafficRouting, which was dropped (see above)",
    ]);
  });

  test("the Gateway API plugin in the Rollout's namespace becomes gatewayAPI.httpRoutes, where plugins stood", () => {
    const r = convert(
      rollout(`    canary:
      canaryService: c
      stableService: s
      trafficRouting:
        plugins: # Argo's plugin
          argoproj-labs/gatewayAPI: { httpRoutes: [{ name: a }, { name: b }], namespace: shop }
        maxTrafficWeight: 100
`).replace("  name: web\n", "  name: web\n  namespace: shop\n"),
    );
    const text = renderStream(r.outputs);
    assert.match(
      text,
      /trafficRouting:\n {8}gatewayAPI:\n {10}# Argo's plugin\n {10}httpRoutes:\n {12}- name: a\n {12}- name: b\n {8}maxTrafficWeight: 100\n/,
    );
    assert.deepEqual(r.drops, []);
  });

  test("an untranslatable condition drops its metric, never leaves it without one; dryRun naming only it goes", () => {
    const r = convert(
      template(
        `${prom("peak", "max(result) < 5")}${prom("rate", "result[0] < 0.01")}`,
        "\n  dryRun:\n    - metricName: peak",
      ),
    );
    const [out] = objects(r);
    assert.deepEqual(
      out?.spec.metrics.map((m: { name: string }) => m.name),
      ["rate"],
    );
    assert.equal(out?.spec.dryRun, undefined);
    assert.deepEqual(report(r.drops), [
      '9 spec.metrics[0]: metric dropped: successCondition "max(result) < 5" has no CEL translation (column 1: the function max() is not translated: ramp\'s CEL has no equivalent): rewrite it in CEL',
    ]);
    assert.deepEqual(report(r.notes), ["7 spec.dryRun[0]: names only metrics that were dropped: removed"]);
  });

  test("conditions: expr becomes CEL; {{args.NAME}} is kept as written, as ramp pastes args too", () => {
    const r = convert(
      template(prom("m", "'len(result) > 0 && result[0] <= {{args.max}}'"), "\n  args: [{ name: max }]"),
    );
    assert.equal(
      objects(r)[0]?.spec.metrics[0].successCondition,
      "result.size() > 0 && result[0] <= {{args.max}}",
    );
    assert.deepEqual(r.drops, []);
    assert.ok(r.notes.some((n) => n.path === "spec.metrics[0].successCondition"));
    // Lint pastes a stand-in for {{args.max}} as the controller pastes the value: the output is clean.
    assert.deepEqual(lint([{ file: "out.yaml", text: renderStream(r.outputs) }]), []);
  });

  test("what ramp's own rules refuse after conversion drops the metric with ramp's message", () => {
    const r = convert(
      template(
        `${prom("fast", "result[0] < 1").replace("      provider:", "      interval: 0s\n      provider:")}${prom("ok", "result[0] < 1")}`,
      ),
    );
    assert.deepEqual(
      objects(r)[0]?.spec.metrics.map((m: { name: string }) => m.name),
      ["ok"],
    );
    assert.equal(r.drops.length, 1);
    assert.match(
      r.drops[0]?.reason ?? "",
      /^metric dropped: ramp refuses spec\.metrics\[0\]\.interval: .*at least 1s/,
    );
    assert.equal(r.drops[0]?.line, 7, "the metric's line");
  });

  test("a template whose every metric is dropped is not written, and references to it go", () => {
    const r = convert(`${template(`    - name: wavefront
      provider:
        wavefront: { query: "ts(x)" }
`)}---
${rollout(`    canary:
      steps:
        - analysis:
            templates: [{ templateName: checks }]
        - setWeight: 100
`)}`);
    assert.deepEqual(
      r.outputs.map((o) => o.kind),
      ["Rollout"],
    );
    assert.deepEqual(objects(r)[0]?.spec.strategy.canary.steps, [{ setWeight: 100 }]);
    assert.deepEqual(report(r.drops), [
      "7 spec.metrics[0]: metric dropped: the wavefront provider is not supported by ramp: query Wavefront's API with a web metric",
      "6 spec.metrics: no metric of the template could be converted: the template is not written",
      "26 spec.strategy.canary.steps[0].analysis: analysis dropped: none of its templates (checks) was converted (see their drops)",
    ]);
  });

  test("a reference to a template that is not among the inputs stays as it is", () => {
    const r = convert(
      rollout(
        "    canary:\n      steps:\n        - analysis: { templates: [{ templateName: elsewhere }] }\n",
      ),
    );
    assert.deepEqual(objects(r)[0]?.spec.strategy.canary.steps, [
      { analysis: { templates: [{ templateName: "elsewhere" }] } },
    ]);
    assert.deepEqual(r.drops, []);
  });

  test("without a router, maxTrafficWeight's setWeight becomes a percentage of replicas", () => {
    const r = convert(
      rollout(`    canary:
      trafficRouting:
        maxTrafficWeight: 200
        alb: { ingress: i, servicePort: 80 }
      steps:
        - setWeight: 30
`),
    );
    assert.deepEqual(objects(r)[0]?.spec.strategy.canary, { steps: [{ setWeight: 15 }] });
    assert.equal(
      r.notes[0]?.reason,
      "30 of maxTrafficWeight 200 is 15% of replicas now that trafficRouting was dropped",
    );
  });

  test('a pause of "30" (Argo: seconds) becomes 30; abortScaleDownDelaySeconds 0 is noted only with a router', () => {
    const r = convert(
      rollout(
        '    canary:\n      abortScaleDownDelaySeconds: 0\n      steps:\n        - pause: { duration: "30" }\n',
      ),
    );
    assert.deepEqual(objects(r)[0]?.spec.strategy.canary.steps, [{ pause: { duration: 30 } }]);
    assert.deepEqual(r.notes, []);
  });

  test("a field ramp has no place for is dropped by name, with its line", () => {
    const r = convert(rollout("    canary:\n      someFutureField: true\n      steps: [{ setWeight: 5 }]\n"));
    assert.deepEqual(report(r.drops), [
      '15 spec.strategy.canary.someFutureField: ramp has no field "someFutureField" here (see kubectl explain)',
    ]);
  });

  test("jsonBody: the JSON as body text with Content-Type, unless the user set one", () => {
    const web = (headers: string) => `    - name: w
      provider:
        web:
          url: http://x
          method: POST${headers}
          jsonBody: { a: 1 }
`;
    const added = objects(convert(template(web(""))))[0]?.spec.metrics[0].provider.web;
    assert.deepEqual(added, {
      url: "http://x",
      method: "POST",
      body: '{"a":1}',
      headers: [{ key: "Content-Type", value: "application/json" }],
    });
    const own = objects(
      convert(template(web("\n          headers: [{ key: content-type, value: text/json }]"))),
    )[0]?.spec.metrics[0].provider.web;
    assert.deepEqual(own.headers, [{ key: "content-type", value: "text/json" }]);
  });

  test("a Rollout ramp still refuses after conversion is not written; each reason is reported", () => {
    const r = convert(rollout("    blueGreen: { activeService: web }\n").replace(/ {2}selector:\n.*\n/, ""));
    assert.deepEqual(r.outputs, []);
    assert.deepEqual(report(r.drops), [
      "5 spec.selector: not converted: ramp refuses the result: spec.selector: Invalid input: expected object, received undefined (fix: add the required field selector)",
    ]);
  });

  test("a workloadRef to anything but an apps/v1 Deployment is dropped (and the Rollout, without a template, with it)", () => {
    const r = convert(
      rollout("    canary: { steps: [{ setWeight: 5 }] }\n")
        .replace(/ {2}template:\n(.*\n){4}/, "")
        .replace("spec:\n", "spec:\n  workloadRef: { apiVersion: apps/v1, kind: ReplicaSet, name: web }\n"),
    );
    assert.deepEqual(r.outputs, []);
    assert.match(
      report(r.drops)[0] ?? "",
      /^6 spec\.workloadRef: a workloadRef to ReplicaSet \(apps\/v1\): ramp reads/,
    );
  });

  test("an AnalysisRun is skipped with a note, an Experiment dropped; a List's items are read, lines from the file", () => {
    const r = convert(`apiVersion: v1
kind: List
items:
  - apiVersion: argoproj.io/v1alpha1
    kind: AnalysisRun
    metadata: { name: run }
    spec: { metrics: [] }
  - apiVersion: argoproj.io/v1alpha1
    kind: Experiment
    metadata: { name: ex }
    spec: {}
`);
    assert.deepEqual(r.outputs, []);
    assert.deepEqual(report(r.notes), [
      `4 : AnalysisRun "run" skipped: an AnalysisRun records one run of Argo's; ramp creates its own from the Rollout`,
    ]);
    assert.match(report(r.drops)[0] ?? "", /^8 : Experiment "ex" not converted: ramp has no Experiments/);
  });

  test("what no Kubernetes object can be is refused: a placeholder name, an unquoted {{…}} read as a map key", () => {
    const placeholder = convert(rollout("    blueGreen: { activeService: web }\n", "-$$name$$"));
    assert.deepEqual(placeholder.outputs, []);
    assert.match(
      report(placeholder.drops)[0] ?? "",
      /^4 metadata\.name: not converted: metadata\.name "web-\$\$name\$\$" is not a DNS-1123 subdomain/,
    );
    const unquoted = convert(
      template(`    - name: j
      provider:
        job:
          spec:
            template:
              metadata:
                annotations:
                  linkerd.io/inject: {{args.inject}}
              spec: { containers: [] }
`),
    );
    assert.deepEqual(unquoted.outputs, []);
    assert.match(
      report(unquoted.drops)[0] ?? "",
      /^14 spec\.metrics\[0\]\.provider\.job\.spec\.template\.metadata\.annotations\[linkerd\.io\/inject\]: not converted: it holds a key that is not a string/,
    );
  });

  test("every output of the mappings above passes lint", () => {
    const r = convert(
      `${template(prom("rate", "result[0] < 0.01"))}---\n${rollout("    canary:\n      steps:\n        - analysis: { templates: [{ templateName: checks }] }\n")}`,
    );
    assert.deepEqual(lint([{ file: "out.yaml", text: renderStream(r.outputs) }]), []);
  });
});
