// The controller's half of `kubectl ramp restart`, as a table of the pure plan: when pods are asked for, which
// pods go, when, and when it is done.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { restartTime } from "../../../../src/cli/actions/spec.ts";
import type { RolloutContext } from "../../../../src/core/context.ts";
import type { StrategyOutcome } from "../../../../src/core/outcome.ts";
import { type RolloutPlan, statusOnly } from "../../../../src/core/plan.ts";
import { planRestart, selectorOf } from "../../../../src/strategy/shared/restart.ts";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const RESTART_AT = "2026-01-01T11:59:00Z";
const before = "2026-01-01T10:00:00Z";
const after = "2026-01-01T11:59:30Z";

type PodSpec = { name: string; created: string; ready?: boolean; terminating?: boolean };
const pod = (p: PodSpec): V1Pod => ({
  metadata: {
    name: p.name,
    creationTimestamp: p.created as unknown as Date,
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-h", uid: "rs-uid", controller: true },
    ],
    ...(p.terminating ? { deletionTimestamp: after as unknown as Date } : {}),
  },
  status: { conditions: [{ type: "Ready", status: p.ready === false ? "False" : "True" }] },
});

const rs: V1ReplicaSet = {
  metadata: { name: "web-h", uid: "rs-uid" },
  spec: { replicas: 5, selector: { matchLabels: { app: "web", "ramp.dev/pod-template-hash": "h" } } },
};

function setup(opts: { restartAt?: string; restartedAt?: string; unavailable?: number; pods?: PodSpec[] }) {
  const ctx = {
    namespace: "shop",
    name: "web",
    now: NOW,
    currentHash: "h",
    replicas: 5,
    unavailable: opts.unavailable ?? 1,
    rollout: { spec: { ...(opts.restartAt ? { restartAt: opts.restartAt } : {}) } },
    status: { ...(opts.restartedAt ? { restartedAt: opts.restartedAt } : {}) },
  } as unknown as RolloutContext;
  return { ctx, pods: (opts.pods ?? []).map(pod) };
}

const outcome = (settled = true): StrategyOutcome => ({
  records: [],
  status: { stableRS: "h" },
  health: { deadlineExceeded: false, rollingOut: false, settled, available: true, message: "stable" },
});

/** The reconcile's two passes: plan without pods; when it asks for them, plan again with them. */
function restart(
  ctx: RolloutContext,
  pods: V1Pod[],
  input: StrategyOutcome,
): { plan: RolloutPlan; listed: boolean } {
  const first = planRestart(ctx, rs, statusOnly(input), undefined);
  if (!first.needsPods) return { plan: first, listed: false };
  return { plan: planRestart(ctx, rs, statusOnly(input), pods), listed: true };
}

const five = (created: string, extra: Partial<PodSpec>[] = []): PodSpec[] =>
  ["a", "b", "c", "d", "e"].map((name, i) => ({ name, created, ...extra[i] }));

describe("planRestart", () => {
  test("no spec.restartAt, or already done: no pods asked for, outcome unchanged", () => {
    for (const o of [{}, { restartAt: RESTART_AT, restartedAt: RESTART_AT }]) {
      const { ctx, pods } = setup(o);
      const input = outcome();
      const { plan, listed } = restart(ctx, pods, input);
      assert.equal(plan.outcome, input);
      assert.equal(listed, false);
    }
  });

  test("a restartAt in the future: look again then, list nothing yet", () => {
    const { ctx, pods } = setup({ restartAt: "2026-01-01T12:00:30Z", pods: five(before) });
    const { plan, listed } = restart(ctx, pods, outcome());
    assert.equal(plan.outcome.requeueAfterMs, 30_000);
    assert.equal(listed, false);
  });

  test("waits while the rollout is not settled", () => {
    const { ctx, pods } = setup({ restartAt: RESTART_AT, pods: five(before) });
    const input = outcome(false);
    const { plan, listed } = restart(ctx, pods, input);
    assert.equal(plan.outcome, input);
    assert.equal(listed, false);
  });

  test("the pods asked for are the version's own (its selector and hash)", () => {
    assert.equal(selectorOf(rs, "h"), "app=web,ramp.dev/pod-template-hash=h");
  });

  const cases: [string, { unavailable?: number; pods: PodSpec[] }, string[]][] = [
    ["maxUnavailable 1: the oldest pod first, one at a time", { pods: five(before) }, ["a"]],
    ["maxUnavailable 2: two at a time", { unavailable: 2, pods: five(before) }, ["a", "b"]],
    ["maxUnavailable 0: still one at a time", { unavailable: 0, pods: five(before) }, ["a"]],
    ["a pod not Ready uses up the budget", { pods: five(before, [{}, { ready: false }]) }, []],
    [
      "a terminating pod not yet replaced uses up the budget",
      {
        pods: [
          ...five(after).slice(0, 3),
          { name: "x", created: before, terminating: true },
          { name: "y", created: before },
        ],
      },
      [],
    ],
    [
      "only pods older than restartAt go",
      {
        unavailable: 5,
        pods: [...five(after).slice(0, 3), { name: "o1", created: before }, { name: "o2", created: before }],
      },
      ["o1", "o2"],
    ],
  ];
  for (const [name, opts, want] of cases) {
    test(name, () => {
      const { ctx, pods } = setup({ restartAt: RESTART_AT, ...opts });
      const { plan, listed } = restart(ctx, pods, outcome());
      const out = plan.outcome;
      assert.equal(listed, true);
      assert.deepEqual(plan.podDeletes, want);
      assert.equal(out.health.settled, false, "Progressing while pods remain to replace");
      assert.match(
        out.health.message,
        /^restarting version h: \d of 5 pods created before 2026-01-01T11:59:00Z left to replace$/,
      );
      assert.equal(out.status.restartedAt, undefined);
      assert.equal(out.requeueAfterMs, 5000);
    });
  }

  test("every pod newer than restartAt: status.restartedAt records it, health untouched", () => {
    const { ctx, pods } = setup({ restartAt: RESTART_AT, pods: five(after) });
    const { plan } = restart(ctx, pods, outcome());
    const out = plan.outcome;
    assert.deepEqual(plan.podDeletes, []);
    assert.equal(out.status.restartedAt, RESTART_AT);
    assert.equal(out.health.settled, true);
  });

  test("restartAt is the next whole second, so a pod created earlier this second (its timestamp truncated) is older", () => {
    for (const [now, want] of [
      ["2026-01-01T12:00:00.300Z", "2026-01-01T12:00:01Z"],
      ["2026-01-01T12:00:00.000Z", "2026-01-01T12:00:01Z"],
      ["2026-01-01T23:59:59.999Z", "2026-01-02T00:00:00Z"],
    ] as const) {
      const at = restartTime(new Date(now));
      assert.equal(at, want);
      assert.ok(Date.parse(`${now.slice(0, 19)}Z`) < Date.parse(at), "the pod's truncated creationTimestamp");
    }
  });
});
