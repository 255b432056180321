// The pure migration plan: source objects → ordered steps, each with its one write. The order is what keeps
// every Service selecting live pods, so it is asserted step by step.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { argoMidRollout } from "../../../../src/cli/migrate/argo.ts";
import { adoptingSelector, unpinnedMismatches } from "../../../../src/cli/migrate/flagger.ts";
import {
  flaggerMidRollout,
  flaggerStableReplicaSet,
  templateDifference,
} from "../../../../src/cli/migrate/flagger-source.ts";
import { MIGRATING_ANNOTATION } from "../../../../src/cli/migrate/model.ts";
import { planMigration } from "../../../../src/cli/migrate/plan.ts";
import { rampObjects } from "../../../../src/cli/migrate/ramp-objects.ts";
import { renderPlan, type Step, type Write } from "../../../../src/cli/migrate/steps.ts";
import {
  argoMigration,
  argoReplicaSet,
  argoRollout,
  convertedRollout,
  convertedTraffic,
  flaggerMigration,
  flaggerSource,
  H,
  NS,
  primaryReplicaSet,
} from "./fixtures.ts";

const HASH = "ramp.dev/pod-template-hash";
const summary = (steps: Step[]) =>
  steps.map((s) => {
    const w = s.write;
    if (w.verb === "labelPods") return `labelPods ${w.owner.name}`;
    if (w.verb === "wait") return `wait ${w.until.what}`;
    return `${w.verb} ${w.target.kind} ${w.target.name}`;
  });
const write = (steps: Step[], i: number): Write => {
  const s = steps[i];
  assert.ok(s, `step ${i}`);
  return s.write;
};

describe("migration plan: Argo Rollouts", () => {
  test("pause, label, re-pin Services and subsets, release, create, wait; --delete-source last", () => {
    const steps = planMigration(argoMigration(), { deleteSource: true });
    assert.deepEqual(summary(steps), [
      "patch Rollout web",
      "patch ReplicaSet web-abc",
      "labelPods web-abc",
      "patch Service web-stable",
      "patch Service web-canary",
      "patch DestinationRule web",
      "patch ReplicaSet web-abc",
      "create AnalysisTemplate success",
      "create Rollout web",
      "wait adopted",
      "delete Rollout web",
    ]);
    assert.deepEqual(write(steps, 0), {
      verb: "patch",
      target: {
        group: "argoproj.io",
        version: "v1alpha1",
        plural: "rollouts",
        kind: "Rollout",
        namespace: NS,
        name: "web",
      },
      type: "merge",
      body: { metadata: { annotations: { [MIGRATING_ANNOTATION]: "web" } }, spec: { paused: true } },
    });
    assert.deepEqual((write(steps, 1) as { body: unknown }).body, {
      metadata: {
        labels: { "ramp.dev/rollout": "web", [HASH]: H },
        annotations: { "ramp.dev/revision": "4" },
      },
      spec: { template: { metadata: { labels: { [HASH]: H } } } },
    });
    // Argo's label leaves the selector in the same patch that adds ramp's: the same pods before and after.
    assert.deepEqual((write(steps, 3) as { body: unknown }).body, {
      spec: { selector: { "rollouts-pod-template-hash": null, [HASH]: H } },
    });
    assert.deepEqual((write(steps, 5) as { body: unknown }).body, [
      { op: "remove", path: "/spec/subsets/0/labels/rollouts-pod-template-hash" },
      { op: "add", path: "/spec/subsets/0/labels/ramp.dev~1pod-template-hash", value: H },
      { op: "remove", path: "/spec/subsets/1/labels/rollouts-pod-template-hash" },
      { op: "add", path: "/spec/subsets/1/labels/ramp.dev~1pod-template-hash", value: H },
    ]);
    // Only Argo's ownerReference goes, tested by uid.
    assert.deepEqual((write(steps, 6) as { body: unknown }).body, [
      { op: "test", path: "/metadata/ownerReferences/0/uid", value: "argo-uid" },
      { op: "remove", path: "/metadata/ownerReferences/0" },
    ]);
    assert.deepEqual(write(steps, 10), {
      verb: "delete",
      target: {
        group: "argoproj.io",
        version: "v1alpha1",
        plural: "rollouts",
        kind: "Rollout",
        namespace: NS,
        name: "web",
      },
      propagationPolicy: "Background",
      uid: "argo-uid",
    });
  });

  test("without --delete-source the Argo Rollout stays; a Service already on ramp's hash is left alone", () => {
    const m = argoMigration();
    if (m.source.kind !== "argo") throw new Error("argo");
    m.source.services[1] = {
      metadata: { name: "web-canary" },
      spec: { selector: { app: "web", [HASH]: H } },
    };
    const steps = planMigration(m, { deleteSource: false });
    assert.equal(summary(steps).filter((s) => s.startsWith("patch Service")).length, 1);
    assert.ok(!summary(steps).includes("delete Rollout web"));
  });

  test("the dry run prints each step and its write", () => {
    const lines = renderPlan(planMigration(argoMigration(), { deleteSource: false }).slice(0, 4));
    assert.equal(
      lines[0],
      "1. Pause Argo Rollout web (spec.paused) so Argo scales and shifts nothing from now on",
    );
    assert.match(lines[1] ?? "", /^ {3}PATCH Rollout\.argoproj\.io web \(merge\) \{"metadata"/);
    assert.equal(
      lines[5],
      '   PATCH Pod web-abc-1, web-abc-2 (merge) {"metadata":{"labels":{"ramp.dev/pod-template-hash":"ramphash01"}}}',
    );
  });

  const reasons: [string, Record<string, unknown>, Record<string, unknown>, RegExp[]][] = [
    ["settled", {}, {}, []],
    [
      "a canary in progress",
      { currentPodHash: "def", phase: "Paused" },
      {},
      [/shipping version def while abc is stable/, /is Paused/],
    ],
    [
      "degraded",
      { phase: "Degraded", message: "ProgressDeadlineExceeded" },
      {},
      [/is Degraded: ProgressDeadlineExceeded/],
    ],
    ["aborted", { abort: true, phase: "Degraded" }, {}, [/is Degraded/, /aborted/]],
    [
      "a pause step",
      { pauseConditions: [{ reason: "CanaryPauseStep" }] },
      {},
      [/pause in progress \(CanaryPauseStep\)/],
    ],
    [
      "a spec not yet observed",
      { observedGeneration: "1" },
      { generation: 2 },
      [/not yet observed .* spec \(generation 2, observed 1\)/],
    ],
    ["no stable version", { stableRS: undefined, currentPodHash: undefined }, {}, [/no stable version yet/]],
    // This migration's own pause (a new generation, phase Paused) is not a rollout in progress.
    [
      "paused by this migration",
      { phase: "Paused", observedGeneration: "1" },
      { generation: 2, annotations: { [MIGRATING_ANNOTATION]: "web" } },
      [],
    ],
  ];
  for (const [what, status, meta, want] of reasons)
    test(`mid-rollout: ${what}`, () => {
      const got = argoMidRollout(argoRollout(status, meta));
      assert.equal(got.length, want.length, got.join("\n"));
      want.forEach((re, i) => {
        assert.match(got[i] ?? "", re);
      });
    });

  test("--force on a rollout in progress: the stable template (Argo's labels removed) now, the converted one shipped after", () => {
    const stable = argoReplicaSet();
    const converted = {
      rollout: {
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web" },
        spec: {
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "app", image: "app:2" }] },
          },
        },
      },
      others: [],
    };
    const src = argoMigration({ currentPodHash: "def" }).source;
    const out = rampObjects({ source: src, stable, converted, namespace: NS, name: "web" });
    assert.deepEqual(out.rollout.spec?.template, {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "app", image: "app:1" }] },
    });
    assert.deepEqual(out.ship, { template: converted.rollout.spec.template });
    assert.equal(out.rollout.metadata.annotations?.["ramp.dev/migrated-from"], "Rollout.argoproj.io/web");
    const settled = rampObjects({
      source: argoMigration().source,
      stable,
      converted,
      namespace: NS,
      name: "web",
    });
    assert.equal(settled.ship, undefined);
    assert.deepEqual(settled.rollout.spec?.template, converted.rollout.spec.template);
  });
});

describe("migration plan: Flagger", () => {
  test("suspend, orphan the primary, label, Services, route, release, create, wait; --delete-source last", () => {
    const steps = planMigration(flaggerMigration(), { deleteSource: true });
    assert.deepEqual(summary(steps), [
      "patch Canary podinfo",
      "delete Deployment podinfo-primary",
      "wait released",
      "patch ReplicaSet podinfo-primary-7d9f",
      "labelPods podinfo-primary-7d9f",
      "patch Service podinfo",
      "patch Service podinfo-canary",
      "patch HTTPRoute podinfo",
      // -primary's Service is not ramp's: it stays the Canary's, and goes with it.
      "patch Service podinfo",
      "patch Service podinfo-canary",
      "patch HTTPRoute podinfo",
      "patch ConfigMap settings-primary",
      "create Rollout podinfo",
      "wait adopted",
      "patch Canary podinfo",
      "delete Canary podinfo",
    ]);
    assert.deepEqual(write(steps, 1), {
      verb: "delete",
      target: {
        group: "apps",
        version: "v1",
        plural: "deployments",
        kind: "Deployment",
        namespace: NS,
        name: "podinfo-primary",
      },
      propagationPolicy: "Orphan",
      uid: "podinfo-primary-uid",
    });
    // The stable Service keeps its pods: the primary's label out, their hash in, one patch.
    assert.deepEqual((write(steps, 5) as { body: unknown }).body, {
      spec: { selector: { app: null, [HASH]: H } },
    });
    assert.deepEqual((write(steps, 6) as { body: unknown }).body, {
      spec: { selector: { app: null, [HASH]: H } },
    });
    assert.deepEqual((write(steps, 7) as { body: unknown }).body, [
      { op: "replace", path: "/spec", value: convertedTraffic()[2]?.spec },
    ]);
    assert.deepEqual((write(steps, 14) as { body: unknown }).body, {
      metadata: { finalizers: [] },
      spec: { revertOnDeletion: false },
    });
  });

  test("a second look after the primary is gone: no orphaning; Services already right are left alone", () => {
    const src = flaggerSource({
      primary: undefined,
      services: [
        { metadata: { name: "podinfo" }, spec: { selector: { [HASH]: H } } },
        { metadata: { name: "podinfo-canary" }, spec: { selector: { [HASH]: H } } },
      ],
      dependents: [],
    });
    const steps = planMigration(flaggerMigration(src), { deleteSource: false });
    assert.deepEqual(summary(steps), [
      "patch Canary podinfo",
      "patch ReplicaSet podinfo-primary-7d9f",
      "labelPods podinfo-primary-7d9f",
      "patch HTTPRoute podinfo",
      "create Rollout podinfo",
      "wait adopted",
    ]);
  });

  test("the Rollout: the converter's, with the primary's count and a selector for both label values", () => {
    const out = rampObjects({
      source: flaggerSource(),
      stable: primaryReplicaSet(),
      converted: {
        rollout: convertedRollout(),
        others: [...convertedTraffic(), { kind: "HorizontalPodAutoscaler", metadata: { name: "podinfo" } }],
      },
      namespace: NS,
      name: "podinfo",
    });
    assert.equal(out.rollout.spec?.replicas, 3);
    assert.deepEqual(out.rollout.spec?.selector, {
      matchExpressions: [{ key: "app", operator: "In", values: ["podinfo", "podinfo-primary"] }],
    });
    assert.deepEqual(out.rollout.spec?.workloadRef, convertedRollout().spec?.workloadRef);
    assert.equal(out.ship, undefined);
    assert.deepEqual(
      out.traffic.map((o) => `${o.kind} ${o.metadata.name}`),
      ["Service podinfo", "Service podinfo-canary", "HTTPRoute podinfo"],
    );
    assert.deepEqual(out.skipped, ["HorizontalPodAutoscaler podinfo"]);
  });

  test("the stable ReplicaSet: the primary's with pods; after an interrupted run, the orphan it left", () => {
    assert.equal(flaggerStableReplicaSet(flaggerSource(), "podinfo")?.metadata?.name, "podinfo-primary-7d9f");
    const orphan = primaryReplicaSet();
    if (orphan.metadata) orphan.metadata.ownerReferences = [];
    const resumed = flaggerSource({ primary: undefined, replicaSets: [orphan] });
    assert.equal(flaggerStableReplicaSet(resumed, "podinfo")?.metadata?.name, "podinfo-primary-7d9f");
    // While the primary exists, an orphan is not its version.
    assert.equal(flaggerStableReplicaSet(flaggerSource({ replicaSets: [orphan] }), "podinfo"), undefined);
  });

  test("adoptingSelector keeps other entries", () => {
    assert.deepEqual(
      adoptingSelector({ matchLabels: { app: "p", tier: "web" } }, { key: "app", value: "p" }),
      {
        matchLabels: { tier: "web" },
        matchExpressions: [{ key: "app", operator: "In", values: ["p", "p-primary"] }],
      },
    );
  });

  test("the same version: Flagger's rewrites (label value, -primary ConfigMap, flagger-id) are not differences", () => {
    const target = flaggerSource().target?.spec?.template;
    assert.equal(templateDifference(target, primaryReplicaSet().spec?.template), undefined);
    assert.equal(
      templateDifference(target, primaryReplicaSet("app:2").spec?.template),
      'template.spec.containers[0].image: "app:1" vs "app:2"',
    );
  });

  const phases: [string, Record<string, unknown>, RegExp[]][] = [
    ["Succeeded", { phase: "Succeeded" }, []],
    ["Initialized", { phase: "Initialized" }, []],
    [
      "Progressing",
      { phase: "Progressing" },
      [/Canary podinfo is Progressing, not Initialized or Succeeded/],
    ],
    ["Failed", { phase: "Failed" }, [/is Failed/]],
    ["no status", {}, [/not initialized/]],
  ];
  for (const [what, status, want] of phases)
    test(`mid-rollout: ${what}`, () => {
      const src = flaggerSource();
      src.canary.status = status;
      const got = flaggerMidRollout(src, primaryReplicaSet());
      assert.equal(got.length, want.length, got.join("\n"));
      want.forEach((re, i) => {
        assert.match(got[i] ?? "", re);
      });
    });

  test("mid-rollout: the target has a version the primary does not run", () => {
    const got = flaggerMidRollout(flaggerSource(), primaryReplicaSet("app:0"));
    assert.deepEqual(got, [
      'Deployment podinfo has a version podinfo-primary does not run (template.spec.containers[0].image: "app:1" vs "app:0"): Flagger has not shipped it',
    ]);
  });

  test("an unpinned Service the running pods cannot satisfy is refused", () => {
    const rollout = convertedRollout();
    const apex = {
      kind: "Service",
      metadata: { name: "podinfo-apex" },
      spec: { selector: { app: "podinfo" } },
    };
    const got = unpinnedMismatches(rollout, [...convertedTraffic(), apex], { app: "podinfo-primary" });
    assert.equal(got.length, 1);
    assert.match(
      got[0] ?? "",
      /^Service podinfo-apex must select every version's pods .* do not carry app=podinfo/,
    );
  });
});
