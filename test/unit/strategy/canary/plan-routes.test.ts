// The canary plan's other step kinds with Gateway API routing: setCanaryScale (pods apart from the weight),
// setHeaderRoute and setMirrorRoute (rules ramp manages in the HTTPRoute), and promote-full.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { play, weights } from "../table.ts";
import { deployed, type SpecInput, type World } from "../world.ts";

const routed = (steps: unknown[], managed: string[] = []): SpecInput => ({
  replicas: 4,
  strategy: {
    canary: {
      canaryService: "web-canary",
      stableService: "web-stable",
      trafficRouting: {
        gatewayAPI: { httpRoutes: [{ name: "web" }] },
        ...(managed.length > 0 ? { managedRoutes: managed.map((name) => ({ name })) } : {}),
      },
      steps: steps as never,
    },
  },
});
const cluster = (w: World) =>
  w.withServices("web-stable", "web-canary").withHttpRoute("web", "web-stable", "web-canary");

describe("canary plan: setCanaryScale", () => {
  test("replicas, then weight, then matchTrafficWeight set the canary's pods apart from its weight", async (t) => {
    const steps = [
      { setCanaryScale: { replicas: 2 } },
      { setWeight: 25 },
      { pause: {} },
      { setCanaryScale: { weight: 75 } },
      { pause: {} },
      { setCanaryScale: { matchTrafficWeight: true } },
      { pause: {} },
    ];
    const w = deployed(routed(steps), cluster);
    await play(t, w, [
      {
        when: "Git ships v2: created at the 2 pods setCanaryScale asks, no weight",
        given: (w) => w.ship("v2"),
        writes: ["services: web-canary → v2", "replicaSets: create v2 ×2"],
        records: ["RolloutStarted"],
        status: { step: 0, weight: 0 },
      },
      {
        when: "its pods are available: on to setWeight 25, whose pods (still 2) are in place: the route moves",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        records: ["StepStarted"],
        status: { step: 1, weight: 25 },
        idle: false,
      },
      { when: "on to the pause", writes: [], records: ["StepStarted"], status: { step: 2 } },
      {
        when: "promoted: setCanaryScale weight 75 is 3 of 4 pods; the route keeps 25; stable stays full",
        given: (w) => void w.intent("promote"),
        writes: ["replicaSets: scale v2 2→3"],
        records: ["StepStarted", "Promoted"],
        status: { step: 3, weight: 25 },
        check: (w) => assert.equal(w.rs("v1")?.spec?.replicas, 4),
      },
      { when: "its pods are available", given: (w) => w.ready(), writes: [], records: ["StepStarted"] },
      {
        when: "promoted: matchTrafficWeight brings the canary back to 25% of the pods",
        given: (w) => void w.intent("promote"),
        writes: ["replicaSets: scale v2 3→1"],
        records: ["StepStarted", "Promoted"],
        status: { step: 5, weight: 25 },
        idle: false,
      },
      { when: "on to the pause", writes: [], records: ["StepStarted"], status: { step: 6 } },
    ]);
  });
});

describe("canary plan: managed routes", () => {
  const header = {
    setHeaderRoute: { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "yes" } }] },
  };
  const mirror = {
    setMirrorRoute: { name: "shadow", percentage: 10, match: [{ path: { prefix: "/api" } }] },
  };
  const steps = [{ setWeight: 10 }, header, mirror, { pause: {} }];

  test("header and mirror rules are added in managedRoutes order, and promote-full removes them", async (t) => {
    const w = deployed(routed(steps, ["beta", "shadow"]), cluster);
    w.ship("v2").reconcile();
    await play(t, w, [
      {
        when: "v2's pod is available: the weight",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        check: (w) => assert.deepEqual(weights(w, "web"), ["main:90/10"]),
        idle: false,
      },
      {
        when: "setHeaderRoute: a rule for x-beta: yes to the canary, before the weighted rule",
        writes: ["routes: patch HTTPRoute/web"],
        records: ["StepStarted"],
        status: { step: 1, weight: 10 },
        check: (w) => {
          const rules = (w.route("web")?.spec?.rules ?? []) as unknown[];
          assert.deepEqual(rules[0], {
            name: "beta",
            matches: [
              {
                path: { type: "PathPrefix", value: "/" },
                headers: [{ type: "Exact", name: "x-beta", value: "yes" }],
              },
            ],
            backendRefs: [{ group: "", kind: "Service", name: "web-canary", port: 80, weight: 1 }],
          });
          assert.deepEqual(weights(w, "web"), ["beta:1", "main:90/10"]);
        },
        idle: false,
      },
      {
        when: "setMirrorRoute: a rule mirroring 10% of /api to the canary, after the header rule",
        writes: ["routes: patch HTTPRoute/web"],
        records: ["StepStarted"],
        status: { step: 2 },
        check: (w) => {
          const rules = (w.route("web")?.spec?.rules ?? []) as { filters?: unknown[] }[];
          assert.deepEqual(rules[1]?.filters, [
            {
              type: "RequestMirror",
              requestMirror: {
                backendRef: { group: "", kind: "Service", name: "web-canary", port: 80 },
                percent: 10,
              },
            },
          ]);
          assert.deepEqual(weights(w, "web"), ["beta:1", "shadow:90/10", "main:90/10"]);
        },
        idle: false,
      },
      { when: "on to the pause", writes: [], records: ["StepStarted"], status: { step: 3 } },
      {
        when: "promote-full: the managed rules go at once, the weight waits for v2's pods",
        given: (w) => void w.intent("promoteFull"),
        writes: ["routes: patch HTTPRoute/web", "replicaSets: scale v2 1→4"],
        records: ["Promoted", "Promoting"],
        status: { state: "Promoting", step: 4, weight: 10 },
        check: (w) => assert.deepEqual(weights(w, "web"), ["main:90/10"]),
      },
      {
        when: "v2 has every pod: all traffic to it",
        given: (w) => w.ready(),
        writes: ["routes: patch HTTPRoute/web"],
        status: { weight: 100 },
        idle: false,
      },
      {
        when: "completed",
        writes: [
          "servicesFirst: web-stable → v2",
          "routes: patch HTTPRoute/web",
          "replicaSets: annotate v1 ramp.dev/scale-down-at=2026-01-01T00:00:30.000Z",
        ],
        records: ["Completed"],
        status: { phase: "Healthy", stable: "v2" },
      },
    ]);
  });

  test("an abort removes the managed rules with the weight", async (t) => {
    const w = deployed(routed(steps, ["beta", "shadow"]), cluster);
    w.ship("v2").reach("Paused");
    assert.deepEqual(weights(w, "web"), ["beta:1", "shadow:90/10", "main:90/10"]);
    await play(t, w, [
      {
        when: "kubectl ramp abort",
        given: (w) => void w.intent("abort"),
        writes: ["routes: patch HTTPRoute/web"],
        records: ["Aborted"],
        status: { state: "Aborted", weight: 0 },
        check: (w) => assert.deepEqual(weights(w, "web"), ["main:100/0"]),
      },
    ]);
  });
});
