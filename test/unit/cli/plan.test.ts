// `kubectl ramp plan -f`: the timeline of each fixture in test/fixtures/plan (weights, pods, what ends each
// step, minimum time), the JSON shape, invalid input, completion, and the real launcher as a process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { repoRoot } from "../../../dev/yaml.ts";
import { candidates, type Lookups } from "../../../src/cli/commands/completion.ts";
import { EXIT } from "../../../src/cli/context.ts";
import { colored } from "../../../src/cli/inspect/format.ts";
import { type FileTimeline, planFiles } from "../../../src/cli/inspect/plan-files.ts";
import { renderPlan } from "../../../src/cli/inspect/timeline-text.ts";
import { ramp } from "./io.ts";

const dir = join(repoRoot, "test", "fixtures", "plan");
const fixture = (name: string) => join(dir, name);
const text = (name: string) => readFileSync(fixture(name), "utf8");

/** The one Rollout planned from a file's text (the test fails on any error). */
function planOf(name: string, source = text(name)): FileTimeline {
  const { rollouts, errors } = planFiles([{ file: name, text: source }]);
  assert.deepEqual(errors, []);
  assert.equal(rollouts.length, 1);
  const [plan] = rollouts;
  assert.ok(plan);
  return plan;
}

/** step (1-based, or the kind), canary/stable weight out of total, canary/stable pods, what ends it, seconds. */
type Row = [string, string, string, string, string, number | null];
const rows = (plan: FileTimeline): Row[] =>
  plan.timeline.map((e) => [
    e.index === null ? e.kind : String(e.index + 1),
    `${e.weight.canary}/${e.weight.stable} of ${e.weight.total}`,
    `${e.pods.canary}/${e.pods.stable} pods`,
    e.until,
    e.description,
    e.seconds,
  ]);

describe("plan: weights, pods and time per step", () => {
  const cases: [string, Row[], string][] = [
    [
      // Without a router the pods are the split, within replicas + maxSurge (0): at 90% the canary gets 3.
      "canary-basic.yaml",
      [
        ["1", "25/75 of 100", "1/3 pods", "pods", "setWeight 25", 0],
        ["2", "25/75 of 100", "1/3 pods", "time", "pause 1m", 60],
        ["3", "90/10 of 100", "3/1 pods", "pods", "setWeight 90", 0],
        ["4", "90/10 of 100", "3/1 pods", "time", "pause 30s", 30],
        ["promotion", "100/0 of 100", "4/0 pods", "pods", "all steps done: promotion to 100%", 0],
      ],
      "1m30s",
    ],
    [
      // Weights out of maxTrafficWeight 200; setCanaryScale decouples pods; dynamicStableScale shrinks stable.
      "canary-gateway.yaml",
      [
        ["1", "0/200 of 200", "1/10 pods", "pods", "setCanaryScale 1 pods", 0],
        ["2", "10/190 of 200", "1/9 pods", "pods", "setWeight 10", 0],
        ["3", "10/190 of 200", "1/9 pods", "time", "pause 2m", 120],
        ["4", "10/190 of 200", "8/9 pods", "pods", "setCanaryScale 80%", 0],
        ["5", "100/100 of 200", "8/5 pods", "pods", "setWeight 100", 0],
        ["6", "100/100 of 200", "5/5 pods", "pods", "setCanaryScale matchTrafficWeight", 0],
        ["7", "100/100 of 200", "5/5 pods", "time", "pause 1m", 60],
        ["promotion", "200/0 of 200", "10/0 pods", "pods", "all steps done: promotion to 100%", 0],
      ],
      "3m",
    ],
    [
      // success-rate: 30s + 4 × 1m; smoke is one Job measurement (its run time is not known).
      "canary-analysis.yaml",
      [
        ["1", "20/80 of 100", "1/4 pods", "pods", "setWeight 20", 0],
        ["2", "20/80 of 100", "1/4 pods", "analysis", "analysis success-rate", 270],
        ["3", "60/40 of 100", "3/2 pods", "pods", "setWeight 60", 0],
        ["4", "60/40 of 100", "3/2 pods", "time", "pause 45s", 45],
        ["5", "60/40 of 100", "3/2 pods", "analysis", "analysis smoke", 0],
        ["promotion", "100/0 of 100", "5/0 pods", "pods", "all steps done: promotion to 100%", 0],
      ],
      "5m15s",
    ],
    [
      "canary-manual.yaml",
      [
        ["1", "34/66 of 100", "2/1 pods", "pods", "setWeight 34", 0],
        ["2", "34/66 of 100", "2/1 pods", "promote", "pause (until promoted)", null],
        ["3", "67/33 of 100", "3/1 pods", "pods", "setWeight 67", 0],
        ["4", "67/33 of 100", "3/1 pods", "time", "pause 10m", 600],
        ["promotion", "100/0 of 100", "3/0 pods", "pods", "all steps done: promotion to 100%", 0],
      ],
      "10m + waits for a person",
    ],
    [
      // The 5m of autoPromotionSeconds count from the preview, so 3m are left after the 2m analysis.
      "bluegreen.yaml",
      [
        [
          "preview",
          "0/100 of 100",
          "2/4 pods",
          "pods",
          "preview: 2 pods of the new version behind search-preview; search stays on the old one",
          0,
        ],
        [
          "prePromotionAnalysis",
          "0/100 of 100",
          "2/4 pods",
          "analysis",
          "prePromotionAnalysis smoke-test",
          120,
        ],
        [
          "promotion",
          "0/100 of 100",
          "2/4 pods",
          "time",
          "automatic promotion 5m after the preview is available",
          180,
        ],
        [
          "switch",
          "100/0 of 100",
          "4/4 pods",
          "pods",
          "scale the new version to 4 pods, then switch search to it",
          0,
        ],
        [
          "postPromotionAnalysis",
          "100/0 of 100",
          "4/4 pods",
          "analysis",
          "postPromotionAnalysis live-errors",
          90,
        ],
      ],
      "6m30s",
    ],
  ];
  for (const [name, want, total] of cases) {
    test(name, () => {
      const plan = planOf(name);
      assert.deepEqual(rows(plan), want);
      assert.equal(plan.total.description, total);
    });
  }

  test("without dynamicStableScale a routed stable keeps every pod until the rollout completes", () => {
    const plan = planOf(
      "canary-gateway.yaml",
      text("canary-gateway.yaml").replace("dynamicStableScale: true", ""),
    );
    assert.deepEqual(
      plan.timeline.map((e) => `${e.pods.canary}/${e.pods.stable}`),
      ["1/10", "1/10", "1/10", "8/10", "8/10", "5/10", "5/10", "10/10"],
    );
  });

  test("the old version's scale-down: routed canary 1m (its scaleDownDelaySeconds), unrouted 0, blue-green 2m", () => {
    assert.equal(planOf("canary-gateway.yaml").afterCompletion.scaleDownDelaySeconds, 60);
    const routedDefault = text("canary-gateway.yaml").replace("scaleDownDelaySeconds: 60", "");
    assert.equal(planOf("canary-gateway.yaml", routedDefault).afterCompletion.scaleDownDelaySeconds, 30);
    assert.equal(planOf("canary-basic.yaml").afterCompletion.scaleDownDelaySeconds, 0);
    assert.equal(planOf("bluegreen.yaml").afterCompletion.scaleDownDelaySeconds, 120);
  });

  test("blue-green: a manual promotion waits for a person; a short autoPromotionSeconds adds nothing", () => {
    const manual = text("bluegreen.yaml").replace("autoPromotionSeconds: 300", "autoPromotionEnabled: false");
    const promotion = planOf("bluegreen.yaml", manual).timeline.find((e) => e.kind === "promotion");
    assert.equal(promotion?.until, "promote");
    assert.equal(promotion?.ends, "until `kubectl ramp promote search`");
    assert.equal(planOf("bluegreen.yaml", manual).total.description, "3m30s + waits for a person");
    const short = text("bluegreen.yaml").replace("autoPromotionSeconds: 300", "autoPromotionSeconds: 60");
    assert.equal(planOf("bluegreen.yaml", short).timeline.find((e) => e.kind === "promotion")?.seconds, 0);
  });
});

describe("plan: analyses", () => {
  test("metrics: count × interval after initialDelay; a dry-run metric without count does not keep the run going", () => {
    const step = planOf("canary-analysis.yaml").timeline[1]?.analysis;
    assert.deepEqual(
      step?.metrics.map((m) => [m.name, m.count, m.seconds, m.dryRun, m.failureLimit]),
      [
        ["success-rate", 5, 270, false, 1],
        ["latency", 3, 40, false, 0],
        ["experimental", null, null, true, 0],
      ],
    );
    assert.equal(step?.duration, "known");
    assert.equal(step?.ends, "succeeds after 4m30s at the earliest");
    assert.match(step?.onInconclusive ?? "", /until `kubectl ramp promote api`/);
    assert.equal(
      step?.metrics[0]?.limits,
      "fails at 2 failed measurements, inconclusive at 1 inconclusive measurement, errs at 5 consecutive errors",
    );
  });

  test("a Job metric: one measurement, plus the Job's run time; a ClusterAnalysisTemplate with clusterScope", () => {
    const smoke = planOf("canary-analysis.yaml").timeline[4]?.analysis;
    assert.deepEqual(smoke?.templates, [
      { name: "smoke", kind: "ClusterAnalysisTemplate", found: true, unknown: null },
    ]);
    assert.equal(smoke?.ends, "succeeds after 0s + the Job's run time at the earliest");
  });

  test("background analysis: from startingStep on, runs until the rollout completes, a failure aborts", () => {
    const plan = planOf("canary-analysis.yaml");
    assert.deepEqual(
      plan.timeline.map((e) => e.background),
      [false, true, true, true, true, true],
    );
    assert.equal(plan.background?.startingStep, 1);
    assert.equal(plan.background?.duration, "unbounded");
    assert.equal(plan.background?.ends, "runs until the rollout completes (the run then ends Successful)");
    assert.equal(
      plan.background?.onFailure,
      "Failed or Error aborts the rollout at whatever step it is (from step 2 on)",
    );
    assert.equal(plan.total.waitsForPerson, false);
  });

  test("a template not in the files: its duration is unknown, and the total says so", () => {
    const without = text("canary-analysis.yaml").replace(/^[\s\S]*?name: success-rate\n[\s\S]*?\n---\n/, "");
    assert.doesNotMatch(without, /kind: AnalysisTemplate\nmetadata:\n {2}name: success-rate/);
    const plan = planOf("canary-analysis.yaml", without);
    const step = plan.timeline[1];
    assert.equal(step?.until, "unknown");
    assert.equal(step?.seconds, null);
    assert.equal(step?.ends, 'duration unknown: AnalysisTemplate "success-rate" was not in the files');
    assert.equal(plan.total.description, "45s + analyses of unknown length");
    assert.equal(plan.total.unknown, true);
  });

  test("a step analysis whose metric has no count never ends on its own: it waits for a person", () => {
    const unbounded = text("canary-analysis.yaml").replace("      count: 5\n", "");
    const step = planOf("canary-analysis.yaml", unbounded).timeline[1];
    assert.equal(step?.until, "promote");
    assert.match(step?.ends ?? "", /^never ends on its own .*`kubectl ramp promote api`$/);
  });
});

describe("plan: invalid input", () => {
  test("an invalid Rollout is reported with file, line, document and field; the other one is planned", () => {
    const { rollouts, errors } = planFiles([{ file: "invalid.yaml", text: text("invalid.yaml") }]);
    assert.deepEqual(
      rollouts.map((r) => r.name),
      ["fine"],
    );
    assert.deepEqual(
      errors.map((f) => [f.file, f.line, f.document, f.name, f.path, f.message, f.fix]),
      [
        [
          "invalid.yaml",
          21,
          1,
          "broken",
          "spec.strategy.canary",
          "spec.strategy.canary: Invalid value: spec.strategy.canary.steps[].setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
          "spec.strategy.canary.steps[].setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
        ],
      ],
    );
  });

  test("an invalid template the Rollout uses is an error too, and its analysis has no known duration", () => {
    const broken = text("canary-analysis.yaml").replace("      count: 5\n", "      count: 0\n");
    const { rollouts, errors } = planFiles([{ file: "a.yaml", text: broken }]);
    assert.deepEqual(
      errors.map((f) => `${f.document} ${f.path}`),
      ["1 spec.metrics[0].count"],
    );
    assert.equal(
      rollouts[0]?.timeline[1]?.ends,
      'duration unknown: AnalysisTemplate "success-rate" in a.yaml is not valid',
    );
  });

  test("a Rollout of another API group is reported, not skipped; YAML errors name the file", () => {
    const argo = text("canary-basic.yaml").replace("ramp.dev/v1alpha1", "argoproj.io/v1alpha1");
    const { rollouts, errors } = planFiles([
      { file: "argo.yaml", text: argo },
      { file: "bad.yaml", text: "kind: Rollout\nmetadata: {name: web\n" },
    ]);
    assert.deepEqual(rollouts, []);
    const [other, ...yaml] = errors;
    assert.deepEqual(
      [other?.file, other?.line, other?.path, other?.message],
      [
        "argo.yaml",
        3,
        "apiVersion",
        'apiVersion: "argoproj.io/v1alpha1" is not ramp.dev/v1alpha1: this Rollout is not planned',
      ],
    );
    assert.ok(yaml.length > 0);
    for (const f of yaml) {
      assert.equal(f.file, "bad.yaml");
      assert.match(f.message, /^YAML: /);
    }
  });
});

describe("plan: the command", () => {
  test("-o json: the documented shape, exit 0", async () => {
    const r = await ramp(["plan", "-f", fixture("canary-manual.yaml"), "-o", "json"]);
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.equal(r.stderr, "");
    const out = JSON.parse(r.stdout) as { rollouts: Record<string, unknown>[]; errors: unknown[] };
    assert.deepEqual(Object.keys(out), ["rollouts", "errors"]);
    assert.deepEqual(out.errors, []);
    const [plan] = out.rollouts;
    assert.deepEqual(Object.keys(plan ?? {}), [
      "file",
      "document",
      "name",
      "namespace",
      "strategy",
      "replicas",
      "trafficRouting",
      "dynamicStableScale",
      "timeline",
      "background",
      "afterCompletion",
      "total",
    ]);
    const timeline = plan?.timeline as Record<string, unknown>[];
    assert.deepEqual(timeline[1], {
      index: 1,
      kind: "pause",
      description: "pause (until promoted)",
      weight: { canary: 34, stable: 66, total: 100 },
      pods: { canary: 2, stable: 1 },
      until: "promote",
      seconds: null,
      ends: "until `kubectl ramp promote cart`",
      analysis: null,
      background: false,
    });
    assert.deepEqual(plan?.total, {
      seconds: 600,
      waitsForPerson: true,
      unknown: false,
      description: "10m + waits for a person",
    });
    assert.deepEqual(plan?.afterCompletion, {
      scaleDownDelaySeconds: 0,
      description: "the old stable version is at 0 pods once the new version has them all",
    });
  });

  test("-o yaml says the same as -o json", async () => {
    const args = ["plan", "-f", fixture("canary-analysis.yaml")];
    const json = await ramp([...args, "-o", "json"]);
    const yaml = await ramp([...args, "-o", "yaml"]);
    assert.equal(yaml.code, EXIT.ok);
    assert.deepEqual(parse(yaml.stdout), JSON.parse(json.stdout));
  });

  test("an invalid Rollout: exit 1, the finding on stderr, the valid one still on stdout", async () => {
    const r = await ramp(["plan", "-f", fixture("invalid.yaml")]);
    assert.equal(r.code, EXIT.failed);
    assert.match(r.stdout, /^Rollout fine \(.*invalid\.yaml, document 2\): canary, 2 replicas/);
    assert.match(
      r.stderr,
      /invalid\.yaml:21: document 1 \(Rollout "broken"\): spec\.strategy\.canary: Invalid value: .*setWeight is a percentage/,
    );
    assert.match(r.stderr, /\n1 Rollout planned, 1 error\n$/);
    const json = await ramp(["plan", "-f", fixture("invalid.yaml"), "-o", "json"]);
    assert.equal(json.code, EXIT.failed);
    assert.equal((JSON.parse(json.stdout) as { errors: unknown[] }).errors.length, 1);
  });

  test("usage errors exit 64; no Rollout in the files exits 1; -f - reads stdin; a directory is read whole", async () => {
    const none = await ramp(["plan"]);
    assert.equal(none.code, EXIT.usage);
    assert.match(none.stderr, /plan needs -f FILE/);
    assert.equal((await ramp(["plan", "-f", fixture("nope.yaml")])).code, EXIT.usage);
    assert.equal((await ramp(["plan", "web", "-f", fixture("canary-basic.yaml")])).code, EXIT.usage);
    assert.equal((await ramp(["plan", "-f", fixture("canary-basic.yaml"), "-o", "wide"])).code, EXIT.usage);
    const empty = await ramp(["plan", "-f", "-"], {
      stdin: "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
    });
    assert.equal(empty.code, EXIT.failed);
    assert.equal(empty.stderr, "error: no ramp.dev/v1alpha1 Rollout in the files\n");
    const stdin = await ramp(["plan", "-f", "-"], { stdin: text("canary-basic.yaml") });
    assert.equal(stdin.code, EXIT.ok);
    assert.match(stdin.stdout, /^Rollout shop\/web \(<stdin>, document 1\)/);
    const all = await ramp(["plan", "-f", dir, "-o", "json"]);
    const names = (JSON.parse(all.stdout) as { rollouts: { name: string }[] }).rollouts.map((p) => p.name);
    assert.deepEqual(names, ["search", "api", "web", "checkout", "cart", "fine"]);
    assert.equal(all.code, EXIT.failed, "invalid.yaml is among them");
  });

  test("--help: usage with -f and NAME, examples and exit codes", async () => {
    const r = await ramp(["plan", "--help"]);
    assert.equal(r.code, EXIT.ok);
    assert.match(
      r.stdout,
      /Usage:\n {2}kubectl ramp plan -f FILE\|DIR\|- \[-f \.\.\.\] \[-o text\|json\|yaml\]\n/,
    );
    assert.match(r.stdout, /Examples:\n {2}# .+\n {2}kubectl ramp plan -f /);
    assert.match(r.stdout, /-f, --filename FILE/);
    assert.match(r.stdout, /64 {2}usage error/);
    assert.match((await ramp(["--help"])).stdout, /\n {2}plan +Show what a Rollout will do/);
  });

  test("completion: the command, its flags, -o values, and file names after -f", async () => {
    const names: Lookups = { names: async () => ["web"], namespaces: async () => [], kubeconfig: () => [] };
    assert.deepEqual(await candidates(["pl"], names), ["plan"]);
    assert.deepEqual(await candidates(["plan", "--f"], names), ["--filename"]);
    assert.deepEqual(await candidates(["plan", "-o", ""], names), ["text", "json", "yaml"]);
    assert.deepEqual(await candidates(["plan", ""], names), ["web"], "plan NAME (live) completes Rollouts");
    assert.equal((await ramp(["__complete", "plan", "-f", ""])).stdout, ":0\n");
    assert.equal((await ramp(["__complete", "plan", "--filename", ""])).stdout, ":0\n");
    assert.equal((await ramp(["__complete", "plan", "-o", "j"])).stdout, "json\n:4\n");
  });

  test("docs/plugin.md's example is what the command prints", async () => {
    const docs = readFileSync(join(repoRoot, "docs", "plugin.md"), "utf8");
    const command = "kubectl ramp plan -f test/fixtures/plan/canary-analysis.yaml";
    const example = docs.split(`\`\`\`console\n$ ${command}\n`)[1]?.split("```")[0];
    assert.ok(example, "the example is in docs/plugin.md");
    const r = await ramp(["plan", "-f", fixture("canary-analysis.yaml")]);
    assert.equal(r.stdout.replace(`${repoRoot}/`, ""), example);
  });

  test("colors only on a terminal: a person's wait is yellow there, and plain text has no escapes", () => {
    const plan = planOf("canary-manual.yaml");
    assert.ok(renderPlan(plan, plan, colored).some((l) => l.includes("\x1b[33mperson\x1b[0m")));
    assert.ok(renderPlan(plan, plan).every((l) => !l.includes("\x1b[")));
  });
});

describe("plan: bin/kubectl-ramp as a process", () => {
  const launcher = join(repoRoot, "bin", "kubectl-ramp");
  const run = (args: string[]) =>
    spawnSync(launcher, args, {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: "/nonexistent/kubeconfig", NO_COLOR: "" },
    });

  test("plan -f canary-manual.yaml: the whole text on stdout, exit 0", () => {
    const r = run(["plan", "-f", "test/fixtures/plan/canary-manual.yaml"]);
    assert.equal(r.stderr, "");
    assert.equal(r.status, EXIT.ok);
    assert.equal(
      r.stdout,
      `Rollout cart (test/fixtures/plan/canary-manual.yaml, document 1): canary, 3 replicas, no traffic routing

STEP   WHAT                                CANARY   STABLE   CANARY PODS   STABLE PODS   TIME     ENDS
1      setWeight 34                        34%      66%      2             1             -        once its pods are available
2      pause (until promoted)              34%      66%      2             1             person   until \`kubectl ramp promote cart\`
3      setWeight 67                        67%      33%      3             1             -        once its pods are available
4      pause 10m                           67%      33%      3             1             10m      after 10m
done   all steps done: promotion to 100%   100%     0%       3             0             -        once every pod of the new version is available

Then: the old stable version is at 0 pods once the new version has them all.
Minimum time: 10m + waits for a person (and the time pods take to become available)
`,
    );
  });

  test("plan -f invalid.yaml: exit 1; plan without -f: exit 64", () => {
    const bad = run(["plan", "-f", "test/fixtures/plan/invalid.yaml"]);
    assert.equal(bad.status, EXIT.failed);
    assert.match(bad.stderr, /^test\/fixtures\/plan\/invalid\.yaml:21: document 1 \(Rollout "broken"\)/);
    assert.equal(run(["plan"]).status, EXIT.usage);
  });
});
