// Crash anywhere: many Rollouts progress at once (Gateway API weights, a Prometheus analysis, pauses) while
// the controller is SIGKILLed at seeded random moments and restarted. Every Rollout must end right, and the
// recorded history must show no skipped or repeated step, no duplicate ReplicaSet, no canary weight above
// its step and no pause cut short. Size: RAMP_CHAOS_ROLLOUTS, RAMP_CHAOS_KILLS; replay: RAMP_CHAOS_SEED.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AnalysisEnv, startAnalysisEnv } from "../../../dev/analysis-env.ts";
import { waitFor } from "../../../dev/kube.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import { auditTimeline, totals } from "../../support/chaos/audit.ts";
import { Crasher } from "../../support/chaos/crasher.ts";
import {
  applyFleet,
  fleetReplicaSets,
  fleetRoutes,
  fleetStatuses,
  type Live,
  shipFleet,
  waitFleet,
} from "../../support/chaos/fleet.ts";
import { chaosSize, killSchedule, planRollouts, seeded } from "../../support/chaos/plan.ts";
import { describeTimeline, recordRoutes, rolloutEvents, timelineOf } from "../../support/chaos/timeline.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

const size = chaosSize(process.env);
const replay = `replay: RAMP_CHAOS_SEED=${size.seed} RAMP_CHAOS_ROLLOUTS=${size.rollouts} RAMP_CHAOS_KILLS=${size.kills}`;
const dump = join(repoRoot, ".ramp", "test-logs", `crash-anywhere-${size.seed}.json`);

/** Ended one way or the other: promoted on the new version, or aborted. */
const settled = (oldHash: string | undefined, l: Live | undefined): boolean =>
  !!l?.status &&
  (!!l.status.abort ||
    (l.status.phase === "Healthy" &&
      l.status.stableRS === l.status.currentPodHash &&
      l.status.currentPodHash !== oldHash));

describe(`reliability: crash anywhere (${size.rollouts} Rollouts, ${size.kills} SIGKILLs, seed ${size.seed})`, () => {
  let f: Fixture;
  let env: AnalysisEnv;
  let routes: Awaited<ReturnType<typeof recordRoutes>>;
  before(async () => {
    env = await startAnalysisEnv({ good: { rate: 50, errors: 0.01 }, bad: { rate: 50, errors: 0.3 } });
    // The Gateway API must be served before the controller starts: it discovers route APIs once.
    await installUpstreamCrds();
    f = await Fixture.create("crash-anywhere");
    routes = await recordRoutes(f.kc, f.namespace);
  });
  after(async () => {
    routes?.follower.stop();
    await f?.cleanup();
    await env?.stop();
  });

  test("every Rollout ends right, with no step skipped or repeated, no weight above its step, no pause cut short", async (ctx) => {
    const rng = seeded(size.seed);
    const plans = planRollouts(size.rollouts, rng, size.kills);
    const kills = killSchedule(size.kills, rng);
    const budget = 120_000 + 8_000 * size.rollouts;
    const crasher = new Crasher(f);
    await crasher.start();

    // Given every Rollout Healthy on app:1.
    await applyFleet(f.namespace, plans, { IMAGE: "app:1", PROMETHEUS: env.prometheus.url });
    const healthy = (l: Live | undefined) => l?.status?.phase === "Healthy" && !!l.status.stableRS;
    const v1 = await waitFleet(f.kc, f.namespace, plans, "Healthy on app:1", (_, l) => healthy(l), budget);
    const oldHash = new Map(plans.map((p) => [p.name, v1.get(p.name)?.status?.stableRS ?? ""]));

    // When app:2 ships to all of them at once and the controller is SIGKILLed at random moments.
    const shipped = Date.now();
    await shipFleet(f.kc, f.namespace, plans, "app:2");
    const inProgress: number[] = [];
    await crasher.run(kills, async () => {
      const live = await fleetStatuses(f.kc, f.namespace);
      inProgress.push(plans.filter((p) => !settled(oldHash.get(p.name), live.get(p.name))).length);
    });

    // Then every Rollout ends: a good version promoted, a bad one aborted by its analysis.
    const final = await waitFleet(
      f.kc,
      f.namespace,
      plans,
      "settled",
      (p, l) => settled(oldHash.get(p.name), l),
      budget,
    ).catch((err: unknown) => {
      const exits = crasher.unexpectedExits.join("; ");
      throw new Error(`${(err as Error).message}\nunexpected exits: ${exits}; ${replay}`, { cause: err });
    });
    const duration = Date.now() - shipped;
    const wrong = plans.flatMap((p) => {
      const s = final.get(p.name)?.status;
      const ok = p.good
        ? s?.phase === "Healthy" && !s.abort && s.stableRS === s.currentPodHash
        : s?.abort?.reason === "AnalysisFailed" &&
          s.phase === "Degraded" &&
          s.stableRS === oldHash.get(p.name);
      return ok
        ? []
        : [`${p.name} (${p.good ? "good" : "bad"}): ${s?.phase} ${s?.abort?.reason ?? ""} ${s?.message}`];
    });
    assert.deepEqual(wrong, [], `wrong final states; ${replay}`);

    // Pods follow: the new version alone on app:2 for a good one; the canary gone for a bad one.
    await waitFor(
      async () => {
        const sets = await fleetReplicaSets(f.kc, f.namespace);
        return plans.every((p) => {
          const own = sets.filter((r) => r.rollout === p.name);
          const stable = own.find((r) => r.hash === final.get(p.name)?.status?.stableRS);
          return (
            stable?.image === (p.good ? "app:2" : "app:1") &&
            stable.replicas === 2 &&
            stable.available === 2 &&
            own.every((r) => r === stable || r.replicas === 0)
          );
        });
      },
      { what: "each stable version at 2 pods and the other at 0", timeoutMs: 60_000, intervalMs: 500 },
    );
    const live = await fleetRoutes(f.kc, f.namespace);
    for (const p of plans)
      assert.equal(live.get(p.name)?.percent, 0, `${p.name}: all traffic on stable at the end`);

    // Stop writing, and let the watches deliver everything written so far.
    await crasher.stop();
    const [rolloutsNow, routesNow] = [
      await fleetStatuses(f.kc, f.namespace),
      await fleetRoutes(f.kc, f.namespace),
    ];
    const seen = (vs: readonly { obj: object }[], rv: number) =>
      vs.some(
        (v) =>
          Number((v.obj as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion) === rv,
      );
    await waitFor(
      () =>
        [...rolloutsNow.values()].every((l) => seen(f.history.rollouts, l.rv)) &&
        [...routesNow.values()].every((r) => seen(routes.versions, r.rv)),
      { what: "the watches to deliver the last versions", timeoutMs: 30_000 },
    );

    const events = await rolloutEvents(f.kc, f.namespace);
    const timelines = plans.map((p) =>
      timelineOf(
        p,
        oldHash.get(p.name) ?? "",
        f.history,
        routes.versions,
        events.get(p.name) ?? [],
        crasher.killedAt,
      ),
    );
    const all = totals(timelines.map(auditTimeline));
    const { statuses, routes: routeVersions, replicaSets, events: eventCount } = all.audited;
    ctx.diagnostic(
      `${size.rollouts} Rollouts (${plans.filter((p) => p.good).length} good, ${plans.filter((p) => !p.good).length} bad), ` +
        `${kills.length} SIGKILLs (Rollouts still progressing at each: ${inProgress.join(", ") || "none"}), ` +
        `seed ${size.seed}; shipped to all settled in ${(duration / 1000).toFixed(1)} s`,
    );
    ctx.diagnostic(
      `audited ${statuses} status versions, ${routeVersions} HTTPRoute versions, ${replicaSets} ReplicaSet versions, ` +
        `${eventCount} Events; ${all.findings.length} violations; ${all.lostEvents.length} StepStarted Events lost to kills` +
        (all.lostEvents.length === 0
          ? ""
          : ` (each killed at most ${Math.max(...all.lostEvents.map((l) => l.killAfterMs))} ms after its step began)`),
    );
    const failed = new Set(all.findings.map((x) => x.rollout));
    if (failed.size > 0) {
      const histories = timelines
        .filter((t) => failed.has(t.plan.name))
        .map((t) => [t.plan.name, describeTimeline(t)]);
      writeFileSync(dump, JSON.stringify(Object.fromEntries(histories), null, 1));
    }
    assert.deepEqual(crasher.unexpectedExits, [], `the controller died on its own; ${replay}`);
    assert.deepEqual(
      all.findings.map((x) => `${x.rollout} ${x.check}: ${x.detail}`),
      [],
      `violations (their histories: ${dump}); ${replay}`,
    );
  });
});
