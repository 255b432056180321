// Given canaries (half routed by Gateway API HTTPRoutes) and a controller that reaches the apiserver only
// through a proxy answering 429/503 with Retry-After, 500 and 409 on a share of requests, losing the
// answer of some applied writes (504) and cutting watches, when versions ship, then every Rollout
// completes as without faults, each Retry-After is waited out before the request comes again, and no
// write lands twice in a harmful way.
import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { kubectl } from "../../../dev/kube.ts";
import { REVISION_ANNOTATION } from "../../../src/api/labels.ts";
import { faultFigures, retryPairs } from "../../support/fault-audit.ts";
import { FaultProxy, type Faults } from "../../support/fault-proxy.ts";
import { gateway } from "../../support/traffic/backends.ts";
import { TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";

const ROLLOUTS = 8;
const FAULTS: Faults = {
  tooManyRequests: 0.05,
  internalError: 0.04,
  unavailable: 0.03,
  conflict: 0.05,
  lostAnswer: 0.03,
  retryAfterSeconds: [1, 2],
  cutWatches: 0.5,
  watchLifetimeMs: [500, 8000],
};
const STEPS = [
  { setWeight: 20 },
  { pause: { duration: "1s" } },
  { setWeight: 50 },
  { pause: { duration: "1s" } },
];

type RS = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
};

/** A counter from the controller's /metrics, summed over the series whose line contains `match`. */
async function metric(url: string, name: string, match = ""): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) && l.includes(match))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

function assertNonDecreasing(values: number[], what: string): void {
  for (let k = 1; k < values.length; k++)
    assert.ok((values[k] ?? 0) >= (values[k - 1] ?? 0), `${what} went back: ${values}`);
}

describe("API faults between the controller and the apiserver", () => {
  let t: TrafficFixture;
  let proxy: FaultProxy;
  before(async () => {
    t = await TrafficFixture.create("api-faults");
    proxy = FaultProxy.start({ faults: FAULTS });
  });
  after(async () => {
    await t?.cleanup();
    await proxy?.stop();
  });

  test(`${ROLLOUTS} canaries complete through 429/500/503/409 and cut watches, honouring Retry-After`, async (ctx: TestContext) => {
    ctx.diagnostic(`fault seed ${proxy.seed}`);
    const controller = await t.f.startController({ kubeconfig: await proxy.kubeconfigFor("ctl") });
    const names = Array.from({ length: ROLLOUTS }, (_, i) => `r${i}`);
    const routed = (name: string) => Number(name.slice(1)) % 2 === 0;
    for (const name of names) {
      if (routed(name)) {
        await t.applyRoutes(gateway.routeFile, name);
        await t.applyRollout({
          NAME: name,
          routing: { gatewayAPI: { httpRoutes: [{ name }] } },
          steps: STEPS,
        });
      } else {
        await t.f.applyFixture("canary/three-steps.yaml", {
          NAME: name,
          IMAGE: V1,
          PAUSE1: "1s",
          PAUSE2: "{duration: 1s}",
          DEADLINE: "600",
        });
      }
    }
    await Promise.all(names.map((n) => t.f.waitHealthy(n, 240_000)));

    const shipped = Date.now();
    await Promise.all(names.map((n) => t.f.setImage(n, V2)));
    const done = await Promise.all(names.map((n) => t.f.waitHealthy(n, 300_000)));
    const tookMs = Date.now() - shipped;
    proxy.faults = {};

    // Every Rollout: promoted to V2, one ReplicaSet per revision, none created twice, no step repeated.
    for (const [i, name] of names.entries()) {
      const status = done[i];
      assert.ok(status, name);
      const list = await kubectl([
        "get",
        "rs",
        "-n",
        t.namespace,
        "-l",
        `ramp.dev/rollout=${name}`,
        "-o",
        "json",
      ]);
      const rs = (JSON.parse(list.stdout) as { items: RS[] }).items;
      assert.equal(rs.length, 2, `${name}: ReplicaSets ${rs.map((r) => r.metadata.name)}`);
      const revisions = new Set(rs.map((r) => r.metadata.annotations?.[REVISION_ANNOTATION]));
      assert.equal(revisions.size, 2, `${name}: one ReplicaSet per revision`);
      const stable = rs.find((r) => r.metadata.labels?.["ramp.dev/pod-template-hash"] === status.stableRS);
      assert.equal(stable?.spec.template.spec.containers[0]?.image, V2, `${name}: stable runs ${V2}`);
      const added = t.f.history.replicaSets
        .filter((e) => e.type === "ADDED" && e.obj.metadata?.labels?.["ramp.dev/rollout"] === name)
        .map((e) => e.obj.metadata?.name);
      assert.equal(new Set(added).size, added.length, `${name}: no ReplicaSet created twice: ${added}`);
      const replicas = routed(name) ? 4 : 5;
      for (const s of t.f.history.replicaSetScales(name))
        assert.ok(s.replicas <= replicas, `${name}: ${s.name} scaled to ${s.replicas}`);
      const steps = t.f.history
        .statuses(name)
        .filter((s) => s.obj.currentPodHash === status.currentPodHash)
        .map((s) => Number(s.obj.currentStepIndex ?? 0));
      assertNonDecreasing(steps, `${name}: step indexes`);
      if (routed(name)) {
        const weights = t.routes
          .of("HTTPRoute", name)
          .map((v) => gateway.weightOf(v, name))
          .filter((w): w is number => w !== undefined);
        for (const w of weights) assert.ok([0, 20, 50, 100].includes(w), `${name}: canary weight ${w}`);
        const raised = weights.filter((w) => w > 0);
        assertNonDecreasing(raised, `${name}: canary weights`);
      }
    }

    // The proxy's log: faults of every kind happened, and each Retry-After was waited out.
    const figures = faultFigures(proxy.log);
    for (const [kind, n] of Object.entries(figures.faulted)) assert.ok(n > 0, `no ${kind} was injected`);
    assert.ok(figures.cut > 0, "no watch was cut");
    const settled = proxy.log.at(-1)?.at ?? Date.now();
    const pairs = retryPairs(proxy.log).filter((p) => (p.fault.respondedAt ?? 0) < settled - 3_000);
    assert.ok(pairs.length > 0, "no Retry-After answer to audit");
    for (const p of pairs) {
      const what = `${p.fault.method} ${p.fault.url} (${p.fault.fault}, Retry-After ${p.fault.retryAfterSeconds}s)`;
      assert.ok(p.retry, `${what} was never sent again`);
      assert.ok((p.gapMs ?? 0) >= p.askedMs, `${what} came again after ${p.gapMs} ms`);
    }
    const creates = proxy.log.filter((r) => r.verb === "create" && r.resource === "replicasets");
    const created = creates.filter((r) => r.upstreamStatus === 201).length;
    assert.equal(created, 2 * ROLLOUTS, "ReplicaSets the apiserver created");

    // The controller lived through it, retried what it was told to, and resumed its cut watches.
    assert.ok((await fetch(`${controller.healthUrl}/healthz`)).ok, "the controller is healthy");
    const retries = await metric(controller.metricsUrl, "ramp_kube_api_retries_total");
    const restarts = await metric(controller.metricsUrl, "ramp_kube_watch_restarts_total", 'reason="error"');
    const backoffs = await metric(controller.metricsUrl, "ramp_workqueue_retries_total");
    assert.ok(retries >= pairs.length, `${retries} retries counted, ${pairs.length} seen by the proxy`);
    assert.ok(restarts > 0, "no watch restarted after an error");
    const surplus = pairs.map((p) => (p.gapMs ?? 0) - p.askedMs);
    ctx.diagnostic(
      JSON.stringify({
        rollouts: ROLLOUTS,
        shipToHealthyMs: tookMs,
        ...figures,
        retryAfterAudited: pairs.length,
        retryWaitOverAskMs: { min: Math.min(...surplus), max: Math.max(...surplus) },
        controller: { retries, watchRestartsAfterError: restarts, workqueueBackoffs: backoffs },
        replicaSetCreates: { sent: creates.length, created },
      }),
    );
  });
});
