// Given apps as Argo Rollouts and Flagger leave them (their real CRDs, their objects and ReplicaSets created
// here as their controllers would have, pods Ready), when `kubectl ramp migrate` moves them to ramp, then
// the same pods run (same UIDs), the ramp Rollout is Healthy, no request through the traffic proxy fails
// meanwhile, the next version ships under ramp, and --dry-run, the mid-rollout refusal, --force and
// --delete-source do what they say.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { installMigrationCrds } from "../../../dev/migration-crds.ts";
import type { TrafficProxy } from "../../../dev/traffic/proxy.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../../src/api/labels.ts";
import { kubectlRamp } from "../../support/plugin.ts";
import { TrafficFixture, V1, V2 } from "../../support/traffic/fixture.ts";
import { applyAs } from "../../support/traffic/routes.ts";

type Obj = {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    ownerReferences?: { uid?: string; kind?: string; name?: string; controller?: boolean }[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const container = (image: string) => ({ name: "app", image, ports: [{ containerPort: 8080 }] });
const owner = (apiVersion: string, kind: string, o: Obj) => ({
  apiVersion,
  kind,
  name: o.metadata.name,
  uid: o.metadata.uid,
  controller: true,
  blockOwnerDeletion: true,
});

/** Requests through the proxy, round after round, until stopped: every answer counted. */
function keepSending(proxy: TrafficProxy) {
  const seen = { total: 0, errors: 0, samples: [] as string[], byVersion: {} as Record<string, number> };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const m = await proxy.measure(20);
      seen.total += m.total;
      seen.errors += m.errors;
      seen.samples.push(...m.errorSamples.slice(0, 3 - seen.samples.length));
      for (const [v, n] of Object.entries(m.byVersion)) seen.byVersion[v] = (seen.byVersion[v] ?? 0) + n;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

describe("kubectl ramp migrate", () => {
  let t: TrafficFixture;
  let ns: string;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const ramp = (...args: string[]) => kubectlRamp(["-n", ns, "migrate", ...args], { timeoutMs: 300_000 });

  before(async () => {
    await installMigrationCrds();
    t = await TrafficFixture.create("migrate");
    ns = t.namespace;
    core = t.f.kc.makeApiClient(CoreV1Api);
    custom = t.f.kc.makeApiClient(CustomObjectsApi);
    await t.f.startController();
  });
  after(() => t?.cleanup());

  const get = (group: string, version: string, plural: string, name: string) =>
    custom
      .getNamespacedCustomObject({ group, version, plural, namespace: ns, name })
      .then((o) => o as Obj)
      .catch(() => undefined);
  const rs = (name: string) => get("apps", "v1", "replicasets", name);
  const podUids = async (selector: string) =>
    (await core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items
      .map((p) => p.metadata?.uid ?? "")
      .sort();

  /** Creates the object as `manager` and returns it as stored (with its uid). */
  async function create(manager: string, obj: object): Promise<Obj> {
    await applyAs(manager, ns, JSON.stringify(obj));
    const o = obj as { apiVersion: string; kind: string; metadata: { name: string } };
    const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
    const res = await kubectl(["get", `${o.kind}${group}`, o.metadata.name, "-n", ns, "-o", "json"]);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout) as Obj;
  }

  async function setStatus(kind: string, name: string, status: object): Promise<void> {
    const res = await kubectl([
      "patch",
      kind,
      name,
      "-n",
      ns,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    assert.equal(res.code, 0, res.stderr);
  }

  async function waitAvailable(name: string, replicas: number): Promise<void> {
    await waitFor(async () => ((await rs(name))?.status?.availableReplicas === replicas ? true : undefined), {
      what: `ReplicaSet ${name} to have ${replicas} available pods`,
      timeoutMs: 60_000,
    });
  }

  // ---- Argo Rollouts ----

  /** An Argo canary as Argo leaves it settled (stableHash) or mid-rollout (canaryHash set: app:2 at step 1). */
  async function givenArgo(name: string, opts: { stableHash: string; canaryHash?: string }): Promise<void> {
    const image = opts.canaryHash ? V2 : V1;
    const argo = await create("argo-rollouts", {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name, namespace: ns },
      spec: {
        replicas: 3,
        revisionHistoryLimit: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [container(image)] } },
        strategy: {
          canary: {
            stableService: `${name}-stable`,
            canaryService: `${name}-canary`,
            steps: [{ setWeight: 50 }, { pause: { duration: "1s" } }],
          },
        },
      },
    });
    const versions = [
      { hash: opts.stableHash, image: V1, replicas: 3, revision: "1" },
      ...(opts.canaryHash ? [{ hash: opts.canaryHash, image: V2, replicas: 1, revision: "2" }] : []),
    ];
    for (const v of versions) {
      const labels = { app: name, "rollouts-pod-template-hash": v.hash };
      await create("argo-rollouts", {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${v.hash}`,
          namespace: ns,
          labels,
          annotations: { "rollout.argoproj.io/revision": v.revision },
          ownerReferences: [owner("argoproj.io/v1alpha1", "Rollout", argo)],
        },
        spec: {
          replicas: v.replicas,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [container(v.image)] } },
        },
      });
    }
    for (const [svc, hash] of [
      [`${name}-stable`, opts.stableHash],
      [`${name}-canary`, opts.canaryHash ?? opts.stableHash],
    ] as const)
      await create("argo-rollouts", {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: svc,
          namespace: ns,
          annotations: { "argo-rollouts.argoproj.io/managed-by-rollouts": name },
        },
        spec: {
          selector: { app: name, "rollouts-pod-template-hash": hash },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      });
    await setStatus("rollout.argoproj.io", name, {
      observedGeneration: "1",
      stableRS: opts.stableHash,
      currentPodHash: opts.canaryHash ?? opts.stableHash,
      phase: opts.canaryHash ? "Paused" : "Healthy",
      replicas: 3,
      ...(opts.canaryHash
        ? {
            currentStepIndex: 1,
            pauseConditions: [{ reason: "CanaryPauseStep", startTime: new Date().toISOString() }],
          }
        : { currentStepIndex: 2 }),
    });
    for (const v of versions) await waitAvailable(`${name}-${v.hash}`, v.replicas);
  }

  describe("an Argo Rollout", () => {
    const STABLE = "6f7c9d8b4";
    let original: string[];
    let proxy: TrafficProxy;

    before(async () => {
      await givenArgo("web", { stableHash: STABLE });
      original = await podUids("app=web");
      assert.equal(original.length, 3);
      proxy = await t.proxy({ kind: "service", service: "web-stable" });
      await waitFor(async () => (await proxy.measure(20)).errors === 0 || undefined, {
        what: "the proxy to reach web's pods",
        timeoutMs: 30_000,
      });
    });

    test("--dry-run prints the plan, in order, and writes nothing", async () => {
      const rvs = async () =>
        [await get("argoproj.io", "v1alpha1", "rollouts", "web"), await rs(`web-${STABLE}`)].map(
          (o) => o?.metadata.resourceVersion,
        );
      const was = await rvs();
      const res = await ramp("rollout", "web", "--dry-run");
      assert.equal(res.code, 0, res.stderr);
      const steps = res.stdout.split("\n").filter((l) => /^\d+\. /.test(l));
      const order = [
        /Pause Argo Rollout web/,
        /Label ReplicaSet web-6f7c9d8b4 as version \w+ of ramp Rollout web/,
        /Label the 3 running pod\(s\)/,
        /Re-pin Service web-stable from rollouts-pod-template-hash=6f7c9d8b4 to ramp.dev\/pod-template-hash=\w+ in one patch/,
        /Re-pin Service web-canary/,
        /Release ReplicaSet web-6f7c9d8b4 from Argo Rollout web/,
        /Create ramp Rollout web/,
        /Wait until ramp Rollout web owns web-6f7c9d8b4/,
      ];
      assert.equal(steps.length, order.length, res.stdout);
      for (const [i, re] of order.entries()) assert.match(steps[i] ?? "", re);
      assert.match(
        res.stdout,
        /PATCH Service web-stable \(merge\) \{"spec":\{"selector":\{"rollouts-pod-template-hash":null/,
      );
      assert.deepEqual(await rvs(), was, "nothing was written");
      assert.equal(await get("ramp.dev", "v1alpha1", "rollouts", "web"), undefined);
    });

    test("migrate: the same pods run, Healthy, and no request failed meanwhile; Argo's Rollout is left paused", async () => {
      const load = keepSending(proxy);
      const res = await ramp("rollout", "web");
      const seen = await load.stop();
      assert.equal(res.code, 0, `${res.stdout}${res.stderr}`);
      assert.match(
        res.stdout,
        /ramp Rollout web is Healthy, running 3 pod\(s\) of ReplicaSet web-6f7c9d8b4 .* none was restarted/,
      );
      assert.ok(seen.total > 0);
      assert.equal(seen.errors, 0, `requests failed: ${seen.samples.join("; ")}`);
      assert.deepEqual(await podUids("app=web"), original, "the same pods run");
      const status = await t.f.waitHealthy("web");
      const adopted = await rs(`web-${STABLE}`);
      const rollout = await t.f.rollout("web");
      assert.equal(adopted?.metadata.labels?.[HASH_LABEL], status.stableRS);
      assert.equal(adopted?.metadata.labels?.[ROLLOUT_LABEL], "web");
      assert.deepEqual(
        adopted?.metadata.ownerReferences?.map((o) => o.kind),
        ["Rollout"],
        "owned by the ramp Rollout alone",
      );
      assert.equal(adopted?.metadata.ownerReferences?.[0]?.uid, (rollout.metadata as { uid?: string }).uid);
      const argo = await get("argoproj.io", "v1alpha1", "rollouts", "web");
      assert.equal(argo?.spec?.paused, true, "Argo's Rollout is left paused");
      const svc = await core.readNamespacedService({ name: "web-stable", namespace: ns });
      assert.deepEqual(svc.spec?.selector, { app: "web", [HASH_LABEL]: status.stableRS });
    });

    // No zero-failure claim here: without a traffic router the old stable is scaled down as soon as the
    // stable Service is re-pinned (as Argo does), before EndpointSlices follow; that is ramp's promotion,
    // not the migration. The routed Flagger canary below ships with no failed request.
    test("the next version ships under ramp to completion", async () => {
      await t.f.setImage("web", V2);
      const status = await t.f.waitHealthy("web", 90_000);
      assert.equal((await rs(`web-${status.stableRS}`))?.metadata.labels?.[ROLLOUT_LABEL], "web");
      await waitFor(async () => ((await proxy.measure(20)).byVersion[V2] === 20 ? true : undefined), {
        what: "every request answered by app:2",
        timeoutMs: 30_000,
      });
    });

    test("--delete-source removes the Argo Rollout and no pod", async () => {
      const running = await podUids("app=web");
      const res = await ramp("rollout", "web", "--delete-source");
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /was migrated to ramp Rollout web already/);
      await waitFor(
        async () => ((await get("argoproj.io", "v1alpha1", "rollouts", "web")) ? undefined : true),
        {
          what: "the Argo Rollout gone",
        },
      );
      assert.deepEqual(await podUids("app=web"), running, "no pod was touched");
      assert.equal((await t.f.rollout("web")).status?.phase, "Healthy");
    });

    test("mid-rollout is refused with the reason; --force takes over the stable version and ships the other", async () => {
      await givenArgo("mid", { stableHash: "5b8d7c6f9", canaryHash: "7d9c8b5f6" });
      const stablePods = await podUids("app=mid,rollouts-pod-template-hash=5b8d7c6f9");
      const refused = await ramp("rollout", "mid");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refusing to migrate: Rollout.argoproj.io\/mid is mid-rollout/);
      assert.match(refused.stderr, /shipping version 7d9c8b5f6 while 5b8d7c6f9 is stable/);
      assert.match(refused.stderr, /pause in progress \(CanaryPauseStep\)/);
      assert.notEqual(
        (await get("argoproj.io", "v1alpha1", "rollouts", "mid"))?.spec?.paused,
        true,
        "nothing written",
      );

      const forced = await ramp("rollout", "mid", "--force");
      assert.equal(forced.code, 0, `${forced.stdout}${forced.stderr}`);
      assert.match(forced.stderr, /warning: --force: Argo Rollout mid is shipping version/);
      assert.match(forced.stdout, /Ship the version the source had in progress/);
      const adopted = await rs("mid-5b8d7c6f9");
      const rollout = await t.f.rollout("mid");
      assert.equal(adopted?.metadata.ownerReferences?.[0]?.uid, (rollout.metadata as { uid?: string }).uid);
      // The stable pods were adopted, not replaced, and app:2 then shipped through ramp's steps.
      const status = await t.f.waitHealthy("mid", 90_000);
      assert.notEqual(status.stableRS, adopted?.metadata.labels?.[HASH_LABEL]);
      const shipped = await rs(`mid-${status.stableRS}`);
      assert.equal(
        (shipped?.spec?.template as { spec?: { containers?: { image?: string }[] } })?.spec?.containers?.[0]
          ?.image,
        V2,
      );
      assert.ok(stablePods.length === 3);
    });
  });

  // ---- Flagger ----

  /** A Canary (gatewayapi) as Flagger leaves it Succeeded: target at 0, `-primary` with the pods, 3 Services, the HTTPRoute. */
  async function givenFlagger(): Promise<void> {
    const canary = await create("flagger", {
      apiVersion: "flagger.app/v1beta1",
      kind: "Canary",
      metadata: { name: "podinfo", namespace: ns, finalizers: ["finalizer.flagger.app"] },
      spec: {
        provider: "gatewayapi:v1",
        revertOnDeletion: true,
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "podinfo" },
        service: { port: 80, targetPort: 8080, gatewayRefs: [{ name: "gateway", namespace: ns }] },
        analysis: { interval: "10s", threshold: 5, maxWeight: 50, stepWeight: 25 },
      },
    });
    const byCanary = [owner("flagger.app/v1beta1", "Canary", canary)];
    await create("kubectl", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "podinfo", namespace: ns },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "podinfo" } },
        template: { metadata: { labels: { app: "podinfo" } }, spec: { containers: [container(V1)] } },
      },
    });
    await create("flagger", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "podinfo-primary",
        namespace: ns,
        labels: { app: "podinfo-primary" },
        ownerReferences: byCanary,
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "podinfo-primary" } },
        template: {
          metadata: {
            labels: { app: "podinfo-primary" },
            annotations: { "flagger-id": "2f0c6c3e-3b4d-4c55-9a5e-0d6f1e2a7b11" },
          },
          spec: { containers: [container(V1)] },
        },
      },
    });
    for (const [name, value] of [
      ["podinfo", "podinfo-primary"],
      ["podinfo-primary", "podinfo-primary"],
      ["podinfo-canary", "podinfo"],
    ] as const)
      await create("flagger", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: ns, labels: { app: name }, ownerReferences: byCanary },
        spec: { selector: { app: value }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
      });
    await create("flagger", {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "podinfo", namespace: ns, ownerReferences: byCanary },
      spec: {
        parentRefs: [{ name: "gateway", namespace: ns }],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/" } }],
            backendRefs: [
              { name: "podinfo-primary", port: 80, weight: 100 },
              { name: "podinfo-canary", port: 80, weight: 0 },
            ],
          },
        ],
      },
    });
    await setStatus("canary.flagger.app", "podinfo", {
      phase: "Succeeded",
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: "5d4b9c8f7",
      lastPromotedSpec: "5d4b9c8f7",
      lastTransitionTime: new Date().toISOString(),
      conditions: [
        {
          type: "Promoted",
          status: "True",
          reason: "Succeeded",
          message: "Canary analysis completed successfully, promotion finished.",
          lastUpdateTime: new Date().toISOString(),
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    await waitFor(
      async () => {
        const d = await get("apps", "v1", "deployments", "podinfo-primary");
        return d?.status?.availableReplicas === 3 || undefined;
      },
      { what: "podinfo-primary's 3 pods available", timeoutMs: 60_000 },
    );
  }

  describe("a Flagger Canary", () => {
    let original: string[];
    let proxy: TrafficProxy;

    before(async () => {
      await givenFlagger();
      original = await podUids("app=podinfo-primary");
      assert.equal(original.length, 3);
      proxy = await t.proxy({ kind: "gateway", httpRoute: "podinfo" });
      await waitFor(async () => (await proxy.measure(20)).errors === 0 || undefined, {
        what: "the proxy to reach podinfo's pods through the HTTPRoute",
        timeoutMs: 30_000,
      });
    });

    test("--dry-run prints the plan and writes nothing", async () => {
      const res = await ramp("canary", "podinfo", "--dry-run", "--delete-source");
      assert.equal(res.code, 0, res.stderr);
      const steps = res.stdout.split("\n").filter((l) => /^\d+\. /.test(l));
      const order = [
        /Suspend Canary podinfo/,
        /Delete Deployment podinfo-primary with propagationPolicy Orphan/,
        /Wait until the garbage collector has released ReplicaSet podinfo-primary-/,
        /Label ReplicaSet podinfo-primary-\w+ as version \w+ of ramp Rollout podinfo/,
        /Label the 3 running pod\(s\)/,
        /Service podinfo selects ramp.dev\/pod-template-hash=\w+ \(was app=podinfo-primary\), in one patch/,
        /Service podinfo-canary selects ramp.dev\/pod-template-hash=\w+ \(was app=podinfo\), in one patch/,
        /Replace HTTPRoute podinfo's spec/,
        /Release Service podinfo from Canary podinfo/,
        /Release Service podinfo-canary from Canary podinfo/,
        /Release HTTPRoute podinfo from Canary podinfo/,
        /Create ramp Rollout podinfo/,
        /Wait until ramp Rollout podinfo owns/,
        /Turn off Canary podinfo's revertOnDeletion/,
        /Delete Canary podinfo \(--delete-source\)/,
      ];
      assert.equal(steps.length, order.length, res.stdout);
      for (const [i, re] of order.entries()) assert.match(steps[i] ?? "", re);
      assert.ok(await get("apps", "v1", "deployments", "podinfo-primary"), "nothing was written");
      assert.equal((await get("flagger.app", "v1beta1", "canaries", "podinfo"))?.spec?.suspend, undefined);
      assert.equal(await get("ramp.dev", "v1alpha1", "rollouts", "podinfo"), undefined);
    });

    test("mid-rollout is refused with the reason; --force overrides it", async () => {
      await setStatus("canary.flagger.app", "podinfo", { phase: "Progressing", canaryWeight: 25 });
      const refused = await ramp("canary", "podinfo");
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refusing to migrate: Canary.flagger.app\/podinfo is mid-rollout/);
      assert.match(refused.stderr, /Canary podinfo is Progressing, not Initialized or Succeeded/);
      const forced = await ramp("canary", "podinfo", "--force", "--dry-run");
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stderr, /warning: --force: Canary podinfo is Progressing/);
      assert.match(forced.stdout, /^1\. Suspend Canary podinfo/m);
      await setStatus("canary.flagger.app", "podinfo", { phase: "Succeeded", canaryWeight: 0 });
      assert.equal(await get("ramp.dev", "v1alpha1", "rollouts", "podinfo"), undefined, "nothing written");
    });

    test("migrate --delete-source: same pods, Healthy, no request failed, the Canary gone", async () => {
      const load = keepSending(proxy);
      const res = await ramp("canary", "podinfo", "--delete-source");
      const seen = await load.stop();
      assert.equal(res.code, 0, `${res.stdout}${res.stderr}`);
      assert.ok(seen.total > 0);
      assert.equal(seen.errors, 0, `requests failed: ${seen.samples.join("; ")}`);
      assert.deepEqual(await podUids("app=podinfo-primary"), original, "the same pods run");
      const status = await t.f.waitHealthy("podinfo");
      assert.equal(
        await get("flagger.app", "v1beta1", "canaries", "podinfo"),
        undefined,
        "the Canary is gone",
      );
      assert.equal(await get("apps", "v1", "deployments", "podinfo-primary"), undefined);
      for (const name of ["podinfo", "podinfo-canary"]) {
        const svc = await core.readNamespacedService({ name, namespace: ns });
        assert.deepEqual(svc.spec?.selector, { [HASH_LABEL]: status.stableRS }, name);
        assert.deepEqual(svc.metadata?.ownerReferences ?? [], [], `${name} released`);
      }
      const route = await t.route("HTTPRoute", "podinfo");
      const rules = (route?.spec?.rules ?? []) as { backendRefs?: { name: string; weight: number }[] }[];
      const backends = rules[0]?.backendRefs;
      assert.deepEqual(
        backends?.map((b) => `${b.name}=${b.weight}`),
        ["podinfo=100", "podinfo-canary=0"],
      );
      const rollout = await t.f.rollout("podinfo");
      assert.deepEqual(rollout.spec.selector, {
        matchExpressions: [{ key: "app", operator: "In", values: ["podinfo", "podinfo-primary"] }],
      });
      assert.equal(rollout.spec.replicas, 3);
    });

    test("the next version (the Deployment's image) ships under ramp to completion, no request failing", async () => {
      const load = keepSending(proxy);
      const res = await kubectl(["set", "image", "deployment/podinfo", `app=${V2}`, "-n", ns]);
      assert.equal(res.code, 0, res.stderr);
      await t.f.waitStatus("podinfo", "shipping app:2", (s) => s.currentPodHash !== s.stableRS, 30_000);
      await t.f.waitHealthy("podinfo", 120_000);
      const seen = await load.stop();
      assert.equal(seen.errors, 0, `requests failed: ${seen.samples.join("; ")}`);
      assert.ok((seen.byVersion[V2] ?? 0) > 0, "app:2 served during the canary");
      await waitFor(async () => ((await proxy.measure(20)).byVersion[V2] === 20 ? true : undefined), {
        what: "every request answered by app:2",
        timeoutMs: 30_000,
      });
    });
  });
});
