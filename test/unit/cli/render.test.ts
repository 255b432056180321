// Rendering of `get rollout` and `list rollouts` from fixture objects: the exact text, inline.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { colored, humanDuration } from "../../../src/cli/inspect/format.ts";
import { renderRolloutTable } from "../../../src/cli/inspect/table.ts";
import { renderRolloutTree } from "../../../src/cli/inspect/tree.ts";
import { analysisRun, NOW, pausedTree, rollout } from "./fixtures.ts";

const text = (lines: string[]) => `\n${lines.join("\n")}\n`;

describe("get rollout tree", () => {
  test("a canary paused at step 4: summary, revisions, ReplicaSets, pods, AnalysisRun metrics", () => {
    assert.equal(
      text(renderRolloutTree(pausedTree(), { now: NOW })),
      `
Name:            web
Namespace:       shop
Status:          ॥ Paused
Message:         step 4/5: paused until promoted
Strategy:        Canary
  Step:          4/5 (pause (until promoted))
  SetWeight:     50
  ActualWeight:  50
Images:          registry.example/web:2 (canary)
                 registry.example/web:1 (stable)
Replicas:
  Desired:       5
  Current:       6
  Updated:       2
  Ready:         5
  Available:     5

NAME                          KIND          STATUS                AGE    INFO
⟳ web                         Rollout       ॥ Paused              3h5m
├──# revision:3
│  ├──⧉ web-v2hash            ReplicaSet    ◌ Progressing         95s    canary,ready:1/2
│  │  ├──□ web-v2hash-q3r4s   Pod           ◌ ContainerCreating   5s     ready:0/1
│  │  └──□ web-v2hash-x1y2z   Pod           ✔ Running             90s    ready:1/1
│  └──α web-v2hash-4          AnalysisRun   ◌ Running             40s
│     ├──success-rate         Metric        ✔ Successful                 value:0.99,measurements:3
│     ├──error-rate           Metric        ◌ Running                    value:[0.12],measurements:1
│     └──latency              Metric        ◌ Pending                    no value yet,measurements:0
├──# revision:2
│  └──⧉ web-v1hash            ReplicaSet    ✔ Healthy             3h     stable,ready:4/4
│     ├──□ web-v1hash-a9f2c   Pod           ✔ Running             3h     ready:1/1,restarts:2
│     ├──□ web-v1hash-b2k4x   Pod           ✔ Running             3h     ready:1/1
│     ├──□ web-v1hash-c7d8e   Pod           ✔ Running             10m    ready:1/1
│     └──□ web-v1hash-d1e2f   Pod           ✔ Running             2m5s   ready:1/1
└──# revision:1
   └──⧉ web-v0hash            ReplicaSet    • ScaledDown          2d     ready:0/0
`,
    );
  });

  test("an aborted canary shows the abort reason; -o wide adds node, IP and the run's message", () => {
    const tree = pausedTree();
    tree.rollout = rollout({
      phase: "Degraded",
      message: "aborted (AnalysisFailed): metric error-rate: 0.12 > 0.05",
      canary: { weight: 0, stableWeight: 100 },
      abort: {
        reason: "AnalysisFailed",
        message: "metric error-rate: 0.12 > 0.05",
        at: "2026-01-01T11:59:50Z",
      },
    });
    tree.analysisRuns = [analysisRun("Failed")];
    assert.equal(
      text(renderRolloutTree(tree, { now: NOW, wide: true })),
      `
Name:            web
Namespace:       shop
Status:          ✖ Degraded
Message:         aborted (AnalysisFailed): metric error-rate: 0.12 > 0.05
Aborted:         AnalysisFailed: metric error-rate: 0.12 > 0.05
Strategy:        Canary
  Step:          4/5 (pause (until promoted))
  SetWeight:     50
  ActualWeight:  0
Images:          registry.example/web:2 (canary)
                 registry.example/web:1 (stable)
Replicas:
  Desired:       5
  Current:       6
  Updated:       2
  Ready:         5
  Available:     5

NAME                          KIND          STATUS                AGE    INFO
⟳ web                         Rollout       ✖ Degraded            3h5m
├──# revision:3
│  ├──⧉ web-v2hash            ReplicaSet    ◌ Progressing         95s    canary,ready:1/2
│  │  ├──□ web-v2hash-q3r4s   Pod           ◌ ContainerCreating   5s     ready:0/1,node:kwok-node-0,ip:10.244.0.7
│  │  └──□ web-v2hash-x1y2z   Pod           ✔ Running             90s    ready:1/1,node:kwok-node-0,ip:10.244.0.7
│  └──α web-v2hash-4          AnalysisRun   ✖ Failed              40s    metric error-rate: 0.12 > 0.05
│     ├──success-rate         Metric        ✔ Successful                 value:0.99,measurements:3
│     ├──error-rate           Metric        ✖ Failed                     value:[0.12],measurements:1
│     └──latency              Metric        ◌ Pending                    no value yet,measurements:0
├──# revision:2
│  └──⧉ web-v1hash            ReplicaSet    ✔ Healthy             3h     stable,ready:4/4
│     ├──□ web-v1hash-a9f2c   Pod           ✔ Running             3h     ready:1/1,restarts:2,node:kwok-node-0,ip:10.244.0.7
│     ├──□ web-v1hash-b2k4x   Pod           ✔ Running             3h     ready:1/1,node:kwok-node-0,ip:10.244.0.7
│     ├──□ web-v1hash-c7d8e   Pod           ✔ Running             10m    ready:1/1,node:kwok-node-0,ip:10.244.0.7
│     └──□ web-v1hash-d1e2f   Pod           ✔ Running             2m5s   ready:1/1,node:kwok-node-0,ip:10.244.0.7
└──# revision:1
   └──⧉ web-v0hash            ReplicaSet    • ScaledDown          2d     ready:0/0
`,
    );
  });

  test("colors only when asked: the plain text is the colored text without escapes", () => {
    const plainText = renderRolloutTree(pausedTree(), { now: NOW }).join("\n");
    const coloredText = renderRolloutTree(pausedTree(), { now: NOW, paint: colored }).join("\n");
    assert.notEqual(coloredText, plainText);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    assert.equal(coloredText.replace(/\x1b\[[0-9;]*m/g, ""), plainText);
  });

  test("a Rollout the controller has not reconciled yet, with nothing owned", () => {
    const bare = { ...rollout(), status: undefined };
    const lines = renderRolloutTree(
      { rollout: bare, replicaSets: [], pods: [], analysisRuns: [] },
      { now: NOW },
    );
    assert.equal(lines[2], "Status:          -");
    assert.equal(lines.at(-1), "⟳ web   Rollout            3h5m");
  });

  test("an AnalysisRun without a version label hangs under the Rollout", () => {
    const tree = pausedTree();
    const run = analysisRun("Successful");
    run.metadata.labels = { "ramp.dev/rollout": "web", "ramp.dev/pod-template-hash": "" };
    delete (run.metadata.labels as Record<string, string>)["ramp.dev/pod-template-hash"];
    tree.analysisRuns = [run];
    const lines = renderRolloutTree(tree, { now: NOW });
    assert.match(
      lines.find((l) => l.includes("AnalysisRun")) ?? "",
      /^└──α web-v2hash-4 +AnalysisRun +✔ Successful/,
    );
  });
});

describe("list rollouts table", () => {
  test("-A: every namespace, sorted; blue-green and unreconciled rows show -", () => {
    const rows = renderRolloutTable(
      [
        rollout(),
        rollout({ phase: "Healthy", currentStepIndex: 5, canary: { weight: 0 } }, "api", "core"),
        {
          apiVersion: "ramp.dev/v1alpha1",
          kind: "Rollout",
          metadata: { name: "new", namespace: "shop", creationTimestamp: "2026-01-01T11:59:58Z" },
          spec: { replicas: 2, strategy: { blueGreen: { activeService: "a" } } },
        },
      ],
      { now: NOW, allNamespaces: true },
    );
    assert.equal(
      text(rows),
      `
NAMESPACE   NAME   STRATEGY    PHASE     STEP   WEIGHT   READY   AGE
core        api    Canary      Healthy   5/5    0        5/5     3h5m
shop        new    BlueGreen   -         -      -        0/2     2s
shop        web    Canary      Paused    4/5    50       5/5     3h5m
`,
    );
  });

  test("-o wide adds images and the message", () => {
    assert.equal(
      text(renderRolloutTable([rollout()], { now: NOW, wide: true })),
      `
NAME   STRATEGY   PHASE    STEP   WEIGHT   READY   AGE    IMAGES                   MESSAGE
web    Canary     Paused   4/5    50       5/5     3h5m   registry.example/web:2   step 4/5: paused until promoted
`,
    );
  });
});

describe("ages as kubectl prints them", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [119, "119s"],
    [125, "2m5s"],
    [600, "10m"],
    [3 * 3600 + 300, "3h5m"],
    [30 * 3600, "30h"],
    [3 * 86400 + 5 * 3600, "3d5h"],
    [40 * 86400, "40d"],
    [3 * 365 * 86400 + 10 * 86400, "3y10d"],
  ];
  for (const [s, want] of cases) test(`${s}s → ${want}`, () => assert.equal(humanDuration(s * 1000), want));
});
