// Given a Rollout paused mid-canary behind a route, when someone deletes or rewrites ramp's part of the route
// by hand, then the next reconcile puts the step's weight and header rule back, and touches nothing else.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import { gateway, nginx } from "../../support/traffic/backends.ts";
import { GITOPS, TrafficFixture, V2 } from "../../support/traffic/fixture.ts";
import { applyAs, managersOf, type RouteObj, rvOf, type Version } from "../../support/traffic/routes.ts";

const STEPS = [
  { setWeight: 30 },
  {
    setHeaderRoute: {
      name: "canary-header",
      match: [{ headerName: "X-Canary", headerValue: { exact: "yes" } }],
    },
  },
  { pause: {} },
];
const AT_STEP = { weight: 30, total: 100, managed: ["canary-header"] };

describe("routes repaired mid-canary", () => {
  let t: TrafficFixture;
  before(async () => {
    t = await TrafficFixture.create("route-repair");
    await t.f.startController();
  });
  after(() => t?.cleanup());

  /** Ships v2 to the indefinite pause with 30% and the header rule on. */
  async function midCanary(name: string, routing: Record<string, unknown>): Promise<void> {
    await t.applyRollout({ NAME: name, routing, steps: STEPS });
    await t.f.waitHealthy(name);
    await t.f.setImage(name, V2);
    await t.pausedAt(name, 2);
  }

  /** The Rollout is still paused at the same step of the same version: the repair moved no step. */
  async function stillPaused(name: string): Promise<void> {
    const st = (await t.f.rollout(name)).status;
    assert.equal(st?.phase, "Paused");
    assert.equal(st?.currentStepIndex, 2, "no step skipped or repeated");
  }

  const owner = (name: string, kind: "HTTPRoute" | "Ingress") => ({
    apiVersion: kind === "Ingress" ? "networking.k8s.io/v1" : "gateway.networking.k8s.io/v1",
    kind,
    metadata: { name, annotations: { "example.com/owner": "platform" } },
  });

  for (const round of [1, 2]) {
    test(`NGINX (#${round}): the canary Ingress deleted by hand is recreated with the step's weight and header; the stable Ingress is untouched`, async (ctx) => {
      const name = `ing${round}`;
      const canary = canaryIngressName(name, name);
      await t.applyRoutes(nginx.routeFile, name);
      await midCanary(name, nginx.routing(name));
      assert.deepEqual(await nginx.read(t, name), AT_STEP);
      const before = await t.route("Ingress", canary);
      assert.ok(before);

      const started = Date.now();
      const del = await kubectl(["delete", "ingress", canary, "-n", t.namespace]);
      assert.equal(del.code, 0, del.stderr);
      const back = await t.waitRoute(
        "Ingress",
        canary,
        "recreated",
        (o) => o !== undefined && o.metadata.uid !== before.metadata.uid,
      );
      const ms = Date.now() - started;
      assert.ok(back);
      assert.deepEqual(await nginx.read(t, name), AT_STEP, "the step's weight and header are back");
      assert.equal(back.metadata.labels?.["ramp.dev/rollout"], name);
      assert.deepEqual(managersOf(back), ["ramp-controller"]);

      // Every version after the delete: one DELETED, then only versions at the step's weight.
      const versions = t.routes.of("Ingress", canary);
      const gone = versions.findIndex((v) => v.type === "DELETED");
      assert.ok(gone >= 0, "the watch saw the delete");
      const later = versions.slice(gone + 1);
      assert.ok(later.length >= 1 && later[0]?.type === "ADDED", "recreated, not resurrected");
      assert.ok(
        later.every((v) => nginx.weightOf(v, name) === 30),
        `weights after the delete: ${later.map((v) => nginx.weightOf(v, name))}`,
      );
      ctx.diagnostic(
        `canary Ingress deleted at revision ${rvOf(versions[gone]?.obj ?? before)}, recreated at ${rvOf(back)}, ${ms} ms after the delete command started`,
      );

      const stable = await t.route("Ingress", name);
      assert.ok(stable);
      nginx.gitopsKept(stable, name);
      assert.deepEqual(managersOf(stable), [GITOPS], "only GitOps ever wrote the stable Ingress");
      assert.equal(stable.metadata.generation, 1);
      await stillPaused(name);
    });

    test(`Gateway API (#${round}): a GitOps re-apply that resets the weights and drops the header rule is undone; other managers' fields survive`, async (ctx) => {
      const name = `sync${round}`;
      await t.applyRoutes(gateway.routeFile, name);
      await applyAs("platform", t.namespace, JSON.stringify(owner(name, "HTTPRoute")));
      await midCanary(name, gateway.routing(name));
      assert.deepEqual(await gateway.read(t, name), AT_STEP);

      // Argo CD syncs the route as Git has it: stable 100, canary 0, no header rule (rules is atomic).
      const from = await liveRv(name);
      const started = Date.now();
      await t.applyRoutes(gateway.routeFile, name);
      const edit = await handEdit(name, from, (v) => gateway.weightOf(v, name) === 0 && !hasHeader(v.obj));
      const repaired = await headerBack(name, edit);
      const ms = Date.now() - started;
      assert.deepEqual(await gateway.read(t, name), AT_STEP);
      assertOthersKept(repaired, name);
      const history = t.routes.of("HTTPRoute", name);
      ctx.diagnostic(
        `GitOps reset to 0% without the header rule at revision ${edit}, 30% and the rule back at ${rvOf(repaired)}, ${ms} ms after the re-apply started`,
      );
      assert.ok(
        history.every((v) => (gateway.weightOf(v, name) ?? 0) <= 30),
        "the canary never had more than the step's weight",
      );
      await stillPaused(name);
    });

    test(`Gateway API (#${round}): the managed header rule removed by hand (kubectl patch) is put back; nothing else moves`, async (ctx) => {
      const name = `hand${round}`;
      await t.applyRoutes(gateway.routeFile, name);
      await applyAs("platform", t.namespace, JSON.stringify(owner(name, "HTTPRoute")));
      await midCanary(name, gateway.routing(name));
      assert.deepEqual(await gateway.read(t, name), AT_STEP);
      const live = await t.route("HTTPRoute", name);
      const rules = (live?.spec?.rules ?? []) as { name?: string }[];
      const i = rules.findIndex((r) => r.name === "canary-header");
      assert.ok(i >= 0);

      const from = rvOf(live ?? { metadata: {} });
      const started = Date.now();
      const patch = await kubectl([
        "patch",
        "httproute",
        name,
        "-n",
        t.namespace,
        "--type=json",
        "--field-manager=kubectl-edit",
        "-p",
        JSON.stringify([
          { op: "test", path: `/spec/rules/${i}/name`, value: "canary-header" },
          { op: "remove", path: `/spec/rules/${i}` },
        ]),
      ]);
      assert.equal(patch.code, 0, patch.stderr);
      const edit = await handEdit(name, from, (v) => gateway.weightOf(v, name) === 30 && !hasHeader(v.obj));
      const repaired = await headerBack(name, edit);
      const ms = Date.now() - started;
      assert.deepEqual(await gateway.read(t, name), AT_STEP);
      assertOthersKept(repaired, name);
      // The hand edit left the weight alone, so every version kept 30%.
      const history = t.routes.of("HTTPRoute", name).filter((v) => v.rv >= edit);
      assert.ok(history.every((v) => gateway.weightOf(v, name) === 30));
      ctx.diagnostic(
        `header rule removed at revision ${edit}, back at ${rvOf(repaired)}, ${ms} ms after the patch started`,
      );
      await stillPaused(name);
    });
  }

  /** The route's resourceVersion now: the hand edit's, or already ramp's repair of it. */
  async function liveRv(name: string): Promise<number> {
    const r = await kubectl([
      "get",
      "httproute",
      name,
      "-n",
      t.namespace,
      "-o",
      "jsonpath={.metadata.resourceVersion}",
    ]);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout);
  }

  const hasHeader = (o: RouteObj): boolean =>
    ((o.spec?.rules ?? []) as { name?: string }[]).some((r) => r.name === "canary-header");

  /** The revision of the hand edit: the first version after `from` the watch delivered that `edited` matches. */
  async function handEdit(name: string, from: number, edited: (v: Version) => boolean): Promise<number> {
    const v = await waitFor(
      () => t.routes.of("HTTPRoute", name).find((v) => v.rv > from && v.type === "MODIFIED" && edited(v)),
      { what: `the hand edit of HTTPRoute ${name} in the watch`, timeoutMs: 60_000 },
    );
    return v.rv;
  }

  /** Waits for a version after the hand edit at `rv` that carries ramp's header rule again. */
  async function headerBack(name: string, rv: number): Promise<RouteObj> {
    const o = await t.waitRoute(
      "HTTPRoute",
      name,
      "the step's weight and header rule back",
      (o) => o !== undefined && rvOf(o) > rv && hasHeader(o),
    );
    assert.ok(o);
    return o;
  }

  /** The label, the /admin rule and the platform's annotation are as their managers wrote them. */
  function assertOthersKept(o: RouteObj, name: string): void {
    gateway.gitopsKept(o, name);
    assert.equal(o.metadata.annotations?.["example.com/owner"], "platform");
    const managers = managersOf(o);
    assert.ok(managers.includes("platform"), `managers: ${managers}`);
    assert.ok(managers.includes(GITOPS), `managers: ${managers}`);
    const rules = (o.spec?.rules ?? []) as { name?: string }[];
    assert.deepEqual(
      rules.map((r) => r.name).sort(),
      ["admin", "canary-header", "main"],
      "ramp added only its own rule",
    );
  }
});
