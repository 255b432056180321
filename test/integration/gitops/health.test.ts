// Given Rollouts driven by the real controller through every state, when the GitOps tools read the live
// objects, then Argo CD's health check (examples/argocd/health.lua, run by Debian's lua5.4 as Argo CD runs
// it) answers Healthy, Progressing (a timed pause too), Healthy for a pause that waits for a person, and
// Degraded for aborts, missed deadlines, bad references and inconclusive analyses, never Suspended; and
// Flux's kstatus (the library behind examples/flux's healthChecks) reads ramp's conditions as Current,
// InProgress or Failed. Every Rollout version the watch saw during the run is checked as well.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { kubectl } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { type HealthCheckExprs, type KStatus, kstatus } from "../../support/kstatus.ts";
import { type Health, runHealthCheck } from "../../support/lua.ts";

const script = readFileSync(join(repoRoot, "examples", "argocd", "health.lua"), "utf8");
const STATUSES = ["Healthy", "Progressing", "Degraded"];
type Kustomization = {
  spec: { healthCheckExprs: (HealthCheckExprs & { apiVersion: string; kind: string })[] };
};
const fluxExample = parse(
  readFileSync(join(repoRoot, "examples", "flux", "kustomization.yaml"), "utf8"),
) as Kustomization;
const exprs = fluxExample.spec.healthCheckExprs.find(
  (e) => e.apiVersion === "ramp.dev/v1alpha1" && e.kind === "Rollout",
) as HealthCheckExprs;
const errorRate =
  'sum(rate(http_requests_total{version="{{args.version}}",code=~"5.."}[5s])) / sum(rate(http_requests_total{version="{{args.version}}"}[5s]))';

describe("GitOps health of ramp.dev/Rollout: Argo CD's Lua check and Flux's kstatus", () => {
  let f: Fixture;
  let env: AnalysisEnv;
  before(async () => {
    env = await startAnalysisEnv({ silent: { rate: 0, errors: 0 } });
    f = await Fixture.create("argocd-health");
    await f.startController();
  });
  after(async () => {
    await f?.cleanup();
    await env?.stop();
  });

  /** Argo CD's health of the Rollout as it is now in the cluster; Flux's verdict must be `flux`. */
  const health = async (name: string, flux: KStatus["status"]): Promise<Health> => {
    const obj = await f.rollout(name);
    const [k] = kstatus([obj]);
    assert.equal(k?.status, flux, `kstatus of ${name}: ${JSON.stringify(k)}`);
    const [e] = kstatus([obj], exprs);
    assert.equal(e?.status, flux, `examples/flux healthCheckExprs on ${name}: ${JSON.stringify(e)}`);
    return runHealthCheck(script, obj);
  };
  const canary = (name: string, vars: Record<string, string> = {}) =>
    f.applyFixture("canary/three-steps.yaml", {
      NAME: name,
      IMAGE: "app:1",
      PAUSE1: "30s",
      PAUSE2: "{}",
      DEADLINE: "600",
      ...vars,
    });

  test("argocd-cm.yaml embeds health.lua verbatim under the key Argo CD reads", () => {
    const cm = parse(readFileSync(join(repoRoot, "examples", "argocd", "argocd-cm.yaml"), "utf8")) as {
      metadata: { name: string };
      data: Record<string, string>;
    };
    assert.equal(cm.metadata.name, "argocd-cm");
    assert.equal(
      cm.data["resource.customizations.health.ramp.dev_Rollout"],
      script,
      "examples/argocd/argocd-cm.yaml is stale: run npm run gen:integrations",
    );
  });

  test("a canary: Healthy, a timed pause Progressing, an indefinite pause Healthy with what it waits for, an abort Degraded", async () => {
    await canary("web");
    await f.waitHealthy("web");
    assert.deepEqual(await health("web", "Current"), {
      status: "Healthy",
      message: (await f.rollout("web")).status?.message,
    });

    await f.setImage("web", "app:2");
    await f.waitStatus("web", "in the timed pause", (s) => s.phase === "Paused" && s.currentStepIndex === 1);
    const timed = await health("web", "InProgress");
    assert.equal(timed.status, "Progressing", timed.message);
    assert.match(timed.message, /step 2\/5: paused, resumes at \d{4}-/);

    await f.actions.promote("web");
    await f.waitStatus(
      "web",
      "at the indefinite pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    const waiting = await health("web", "InProgress");
    assert.equal(waiting.status, "Healthy", waiting.message);
    assert.equal(waiting.message, "step 4/5: paused until promoted (kubectl ramp promote web to continue)");

    await f.actions.abort("web");
    await f.waitStatus("web", "aborted", (s) => s.phase === "Degraded");
    const aborted = await health("web", "Failed");
    assert.equal(aborted.status, "Degraded");
    assert.match(aborted.message, /^AbortedByUser: aborted \(AbortedByUser\)/);

    await f.actions.retry("web");
    await f.waitStatus("web", "retried", (s) => s.phase !== "Degraded");
    assert.notEqual((await health("web", "InProgress")).status, "Degraded");
  });

  test("pods that never become ready: Progressing, Healthy while a person or Git holds it, Degraded past the deadline", async () => {
    await canary("stuck");
    await f.waitHealthy("stuck");
    await f.patchSpec("stuck", { template: { spec: { nodeSelector: { "ramp.dev/no-such-node": "true" } } } });
    await f.waitStatus(
      "stuck",
      "stepping",
      (s) => s.phase === "Progressing" && s.currentPodHash !== s.stableRS,
    );
    assert.equal((await health("stuck", "InProgress")).status, "Progressing");

    await f.actions.pause("stuck");
    await f.waitStatus("stuck", "paused by a user", (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === "Paused" && c.reason === "PausedByUser" && c.status === "True",
      ),
    );
    const byUser = await health("stuck", "InProgress");
    assert.equal(byUser.status, "Healthy", byUser.message);
    assert.match(byUser.message, /paused by a user \(kubectl ramp resume stuck to continue\)$/);

    await f.actions.resume("stuck");
    await f.patchSpec("stuck", { paused: true });
    await f.waitStatus("stuck", "paused in Git", (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === "Paused" && c.reason === "PausedInGit" && c.status === "True",
      ),
    );
    const inGit = await health("stuck", "InProgress");
    assert.equal(inGit.status, "Healthy", inGit.message);
    assert.match(inGit.message, /paused by spec\.paused \(set spec\.paused to false in Git to continue\)$/);

    await f.patchSpec("stuck", { paused: false, progressDeadlineSeconds: 3 });
    await f.waitStatus("stuck", "past its deadline", (s) =>
      (s.conditions ?? []).some((c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded"),
    );
    const late = await health("stuck", "Failed");
    assert.equal(late.status, "Degraded");
    assert.match(late.message, /^ProgressDeadlineExceeded: /);
  });

  test("a workloadRef Rollout: Degraded while its Deployment is missing, Healthy on the Deployment's template, in progress while the Deployment's change waits at a pause, Healthy once promoted", async () => {
    await f.applyFixture("workload/rollout.yaml", {
      NAME: "wl",
      DEPLOYMENT: "wl",
      SCALE_DOWN: "onsuccess",
      REPLICAS: "2",
      PAUSE: "{}",
    });
    await f.waitStatus("wl", "WorkloadNotFound", (s) => s.phase === "Degraded");
    const missing = await health("wl", "Failed");
    assert.equal(missing.status, "Degraded");
    assert.match(missing.message, /^WorkloadNotFound: spec\.workloadRef: Deployment "wl" does not exist/);
    await f.applyFixture("workload/deployment.yaml", { NAME: "wl", DEPLOY_REPLICAS: "2", IMAGE: "app:1" });
    await f.waitHealthy("wl");
    assert.equal((await health("wl", "Current")).status, "Healthy");
    const first = (await f.rollout("wl")).status?.stableRS;
    const image = await kubectl(["set", "image", "deployment/wl", "app=app:2", "-n", f.namespace]);
    assert.equal(image.code, 0, image.stderr);
    await f.waitStatus(
      "wl",
      "the Deployment's new template at 50%, waiting for a person",
      (s) => s.currentPodHash !== first && s.phase === "Paused",
    );
    assert.equal(
      (await health("wl", "InProgress")).status,
      "Healthy",
      "a pause for a person is not a failure",
    );
    await f.actions.promote("wl");
    await f.waitHealthy("wl");
    assert.equal((await health("wl", "Current")).status, "Healthy");
  });

  test("a Service the Rollout names is missing: Degraded with the code", async () => {
    await canary("nosvc");
    await f.waitHealthy("nosvc");
    await kubectl(["delete", "service", "nosvc-canary", "-n", f.namespace]);
    await f.setImage("nosvc", "app:2");
    await f.waitStatus("nosvc", "stalled", (s) => s.phase === "Degraded");
    const h = await health("nosvc", "Failed");
    assert.equal(h.status, "Degraded");
    assert.match(h.message, /^ServiceNotFound: .*Service "nosvc-canary" does not exist/);
  });

  test("an inconclusive analysis (no data): Degraded, saying how to decide", async () => {
    await f.applyFixture("analysis/step.yaml", {
      NAME: "quiet",
      METRIC: "error-rate",
      COUNT: "2",
      CONDITION: 'failureCondition: "result[0] > 0.05"',
      // No requests: 0 errors out of 0 is NaN, no data, which ramp judges Inconclusive.
      PROVIDER: `prometheus: {address: "${env.prometheus.url}", timeout: 2s, query: '${errorRate}'}`,
      VERSION: "silent",
    });
    await f.waitHealthy("quiet");
    await f.setImage("quiet", "app:2");
    await f.waitStatus(
      "quiet",
      "paused on an inconclusive analysis",
      (s) =>
        s.phase === "Paused" &&
        (s.conditions ?? []).some((c) => c.type === "Paused" && c.reason === "InconclusiveAnalysis"),
      60_000,
    );
    const h = await health("quiet", "InProgress");
    assert.equal(h.status, "Degraded", h.message);
    assert.match(
      h.message,
      /^InconclusiveAnalysis: .*\(decide: kubectl ramp promote quiet or kubectl ramp abort quiet\)$/,
    );
  });

  test("a blue-green preview waiting for promotion: Healthy; promoted: Healthy on the new version", async () => {
    await f.applyFixture("bluegreen/basic.yaml", {
      NAME: "bg",
      AUTO: "false",
      AUTO_SECONDS: "",
      DELAY: "2",
      PRE: "",
      POST: "",
    });
    await f.waitHealthy("bg");
    await f.setImage("bg", "app:2");
    await f.waitStatus("bg", "waiting for promotion", (s) => s.phase === "Paused");
    const waiting = await health("bg", "InProgress");
    assert.equal(waiting.status, "Healthy", waiting.message);
    assert.match(
      waiting.message,
      /ready in preview: waiting for promote \(kubectl ramp promote bg to continue\)$/,
    );
    await f.actions.promote("bg");
    await f.waitHealthy("bg", 60_000);
    assert.equal((await health("bg", "Current")).status, "Healthy");
  });

  test("every Rollout version seen in this run: valid Argo CD and Flux verdicts, never done before ramp observed the spec", () => {
    const seen = f.history.rollouts.filter((r) => r.type !== "DELETED");
    assert.ok(seen.length > 30, `${seen.length} versions`);
    const counts: Record<string, number> = {};
    let waitingForRamp = 0;
    let unreported = 0;
    const flux = kstatus(seen.map((x) => x.obj));
    const fluxExprs = kstatus(
      seen.map((x) => x.obj),
      exprs,
    );
    for (const [i, { obj }] of seen.entries()) {
      const h = runHealthCheck(script, obj);
      const k = flux[i]?.status;
      const e = fluxExprs[i]?.status;
      counts[h.status] = (counts[h.status] ?? 0) + 1;
      const where = `${obj.metadata?.name} ${JSON.stringify(obj.status?.phase)}: ${JSON.stringify(h)} kstatus ${k} exprs ${e}`;
      assert.ok(STATUSES.includes(h.status), where);
      const meta = obj.metadata as { generation?: number };
      const observed = obj.status?.observedGeneration as number | undefined;
      if (observed === undefined || observed < (meta.generation ?? 0)) {
        assert.equal(h.status, "Progressing", where);
        assert.match(h.message, /^Waiting for ramp to (observe generation \d+|report the Rollout's status)$/);
        if (obj.status === undefined) {
          // Not reported on yet: plain kstatus calls that Current; the example's expressions do not
          // (Unknown: Flux keeps polling), which is why the example has them.
          assert.equal(k, "Current", where);
          assert.equal(e, "Unknown", where);
          unreported++;
        } else {
          assert.equal(k, "InProgress", where);
          assert.equal(e, "InProgress", where);
        }
        waitingForRamp++;
        continue;
      }
      const phase = obj.status?.phase;
      if (phase === "Healthy") assert.equal(h.status, "Healthy", where);
      if (phase === "Degraded") assert.equal(h.status, "Degraded", where);
      if (phase === "Progressing") assert.equal(h.status, "Progressing", where);
      // kstatus reads the conditions: Stalled=True fails, Reconciling=True is in progress, else current.
      const want = {
        Healthy: "Current",
        Degraded: "Failed",
        Progressing: "InProgress",
        Paused: "InProgress",
      };
      assert.equal(k, want[phase as keyof typeof want], where);
      assert.equal(e, want[phase as keyof typeof want], where);
    }
    for (const s of STATUSES)
      assert.ok((counts[s] ?? 0) > 0, `no version was ${s}: ${JSON.stringify(counts)}`);
    assert.ok(waitingForRamp > unreported, "the watch saw spec changes before ramp observed them");
    assert.ok(unreported > 0, "the watch saw Rollouts before ramp's first status");
  });
});
