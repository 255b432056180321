// Given the chart installed on the real apiserver and the controller run as its Deployment would run it
// (the Dockerfile's production-only file tree and entrypoint, the rendered args and env, a token of the
// chart's ServiceAccount), when Rollouts ship new versions, then every canary completes: the chart's
// RBAC is sufficient, not just plausible. Every API request the controller made was one the chart grants,
// and in namespaced mode a Secret analysis may not read stays unread.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type StagedImage, stageImage } from "../../../dev/image.ts";
import { createTestNamespace, deleteTestNamespace, kubectl, waitFor } from "../../../dev/kube.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import type { AnalysisRun } from "../../../src/api/index.ts";
import { canaryIngressName } from "../../../src/traffic/nginx.ts";
import {
  applyManifests,
  deleteClusterScoped,
  find,
  type Manifest,
  render,
  serviceAccountKubeconfig,
} from "../../support/chart.ts";
import {
  type ApiRequest,
  apiRequests,
  type ChartController,
  startChartController,
} from "../../support/chart-controller.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

type Rule = { resources: string[]; verbs: string[] };

/** A local web endpoint for the analysis: `{"ok": true}` only with the expected Authorization header. */
async function authEndpoint(token: string): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? "";
    seen.push(auth === token ? "ok" : "wrong");
    res.writeHead(auth === token ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: auth === token }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status.json`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** "verb resource" pairs the rendered Roles/ClusterRoles grant (groups aside: plurals are unique here). */
function granted(docs: readonly Manifest[]): Set<string> {
  const out = new Set<string>();
  // The aggregate-to-view/edit ClusterRoles are for users and bound to no ServiceAccount.
  const roles = docs.filter(
    (x) => (x.kind === "Role" || x.kind === "ClusterRole") && !x.metadata.name.includes("-aggregate-to-"),
  );
  for (const d of roles) {
    for (const r of (d.rules as Rule[] | undefined) ?? []) {
      for (const res of r.resources) for (const v of r.verbs) out.add(`${v} ${res}`);
    }
  }
  return out;
}

/** Fails on any request the apiserver refused, except those `expected` names; returns what was used. */
function checkRequests(requests: ApiRequest[], docs: readonly Manifest[], expected: string[] = []): string[] {
  const grants = granted(docs);
  const used = new Set<string>();
  for (const r of requests) {
    const key = `${r.verb} ${r.resource}`;
    if (r.resource === "discovery") continue;
    assert.ok(
      !["401", "403"].includes(r.code) || expected.includes(key),
      `the apiserver refused ${r.count}× ${key} (HTTP ${r.code})`,
    );
    if (r.code === "403") continue;
    assert.ok(grants.has(key), `the controller made a request the chart does not grant: ${key}`);
    used.add(key);
  }
  return [...used].sort();
}

/** Grants no request of this run used (server-side apply's implied create is counted as its patch). */
function unused(docs: readonly Manifest[], used: string[]): string[] {
  return [...granted(docs)].filter((g) => !used.includes(g) && g !== "create ingresses").sort();
}

const threeSteps = (name: string) => ({
  NAME: name,
  IMAGE: "registry.local/web:1",
  PAUSE1: "1s",
  PAUSE2: "{duration: 1s}",
  DEADLINE: "600",
});

/** Ships v2 of three-steps.yaml and waits through 20% → pause → 50% → pause → 100%. */
async function canaryCompletes(f: Fixture, name: string): Promise<void> {
  await f.applyFixture("canary/three-steps.yaml", threeSteps(name));
  const first = await f.waitHealthy(name, 90_000);
  await f.setImage(name, "registry.local/web:2");
  await f.waitStatus(
    name,
    "at the 20% step",
    (s) => s.currentPodHash !== first.stableRS && (s.currentStepIndex ?? 0) >= 1,
    90_000,
  );
  const done = await f.waitHealthy(name, 90_000);
  assert.notEqual(done.stableRS, first.stableRS, "the new version is stable");
  const rs = await f.replicaSets(name);
  assert.equal(rs[`${name}-${done.stableRS}`], 5, JSON.stringify(rs));
  const seen = f.history.statuses(name).map((x) => x.obj.currentStepIndex as number | undefined);
  assert.ok(seen.includes(1) && seen.includes(3), `went through both pauses: ${seen}`);
}

/** Applies every-write.yaml, ships v2 and checks each router and the analysis on the way. */
async function everyWriteCompletes(f: Fixture, name: string, secret: string, url: string): Promise<void> {
  await f.applyFixture("chart/every-write.yaml", { NAME: name, SECRET: secret, URL: url });
  await f.waitHealthy(name, 90_000);
  await f.setImage(name, "app:2");
  await f.waitStatus(name, "paused at 20%", (s) => s.phase === "Paused" && s.currentStepIndex === 1, 90_000);
  const get = async (kind: string, obj: string) =>
    JSON.parse((await kubectl(["get", kind, obj, "-n", f.namespace, "-o", "json"])).stdout || "{}") as {
      metadata?: { annotations?: Record<string, string> };
      spec?: Record<string, unknown>;
    };
  const canaryIngress = canaryIngressName(name, name);
  const ing = await get("ingress", canaryIngress);
  assert.equal(
    ing.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"],
    "20",
    "canary Ingress created",
  );
  const route = await get("httproute", name);
  const refs =
    ((route.spec?.rules ?? []) as { backendRefs: { name: string; weight: number }[] }[])[0]?.backendRefs ??
    [];
  assert.deepEqual(
    refs.map((r) => [r.name, r.weight]),
    [
      [`${name}-stable`, 80],
      [`${name}-canary`, 20],
    ],
  );
  const vs = await get("virtualservice.networking.istio.io", name);
  const dests =
    ((vs.spec?.http ?? []) as { route: { destination: { subset: string }; weight: number }[] }[])[0]?.route ??
    [];
  assert.deepEqual(
    dests.map((d) => [d.destination.subset, d.weight]),
    [
      ["stable", 80],
      ["canary", 20],
    ],
  );
  await f.actions.promote(name);
  const done = await f.waitHealthy(name, 90_000);
  const [runName] = await f.analysisRuns(name);
  const run: AnalysisRun = await f.analysisRun(runName ?? "");
  assert.equal(run.status?.phase, "Successful", JSON.stringify(run.status));
  assert.deepEqual((run.status?.metricResults ?? []).map((m) => [m.name, m.phase]).sort(), [
    ["authenticated", "Successful"],
    ["job", "Successful"],
  ]);
  assert.ok(done.stableRS);
  // The canary Ingress is ramp's own: deleted once the rollout is done.
  await waitFor(
    async () => (await kubectl(["get", "ingress", canaryIngress, "-n", f.namespace])).code !== 0,
    {
      what: `canary Ingress ${canaryIngress} to be deleted`,
      timeoutMs: 60_000,
    },
  );
}

/** Ships v3 of every-write.yaml: the old ReplicaSets and v2's AnalysisRun go (history limits 0 and 1). */
async function shipAgainPrunes(f: Fixture, name: string): Promise<void> {
  const [v2Run] = await f.analysisRuns(name);
  await f.setImage(name, "app:3");
  await f.waitStatus(name, "paused at 20%", (s) => s.phase === "Paused" && s.currentStepIndex === 1, 90_000);
  await f.actions.promote(name);
  const done = await f.waitHealthy(name, 90_000);
  await waitFor(
    async () => {
      const runs = await f.analysisRuns(name);
      return runs.length === 1 && runs[0] !== v2Run;
    },
    { what: `${name}: only v3's AnalysisRun left`, timeoutMs: 60_000 },
  );
  await waitFor(async () => Object.keys(await f.replicaSets(name)).join() === `${name}-${done.stableRS}`, {
    what: `${name}: only the stable ReplicaSet left`,
    timeoutMs: 60_000,
  });
}

/** spec.restartAt: the controller lists the stable pods and deletes them a few at a time. */
async function restartCompletes(f: Fixture, name: string): Promise<void> {
  const at = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  await f.patchSpec(name, { restartAt: at });
  await f.waitStatus(name, `restart at ${at} done`, (s) => s.restartedAt === at, 120_000);
}

function leaseHolder(namespace: string, lease: string): Promise<string> {
  return kubectl(["get", "lease", lease, "-n", namespace, "-o", "jsonpath={.spec.holderIdentity}"]).then(
    (r) => (r.code === 0 ? r.stdout : ""),
  );
}

describe("the controller runs with only the chart's RBAC", () => {
  let image: StagedImage | undefined;
  before(async () => {
    await installUpstreamCrds();
    image = stageImage();
  });
  after(() => image?.cleanup());

  describe("cluster-wide mode (default values)", () => {
    let release = "";
    let docs: Manifest[] = [];
    let kubeconfig: { path: string; dir: string } | undefined;
    let f: Fixture | undefined;
    const controllers: ChartController[] = [];
    let web: Awaited<ReturnType<typeof authEndpoint>> | undefined;
    const token = `Bearer ${randomBytes(12).toString("hex")}`;

    before(async () => {
      release = await createTestNamespace("chart-rbac-cw");
      docs = await render({ release: `cw${randomBytes(3).toString("hex")}`, namespace: release });
      await applyManifests(docs);
      kubeconfig = await serviceAccountKubeconfig(release, find(docs, "ServiceAccount").metadata.name);
      f = await Fixture.create("chart-rbac-cw-apps");
      web = await authEndpoint(token);
    });
    after(async () => {
      for (const c of controllers) await c.stop();
      await f?.cleanup();
      await web?.close();
      await deleteClusterScoped(docs);
      if (release) await deleteTestNamespace(release, { wait: false });
      if (kubeconfig) rmSync(kubeconfig.dir, { recursive: true, force: true });
    });

    test("exactly as deployed (every namespace): its caches sync as a follower, nothing refused", async () => {
      assert.ok(image && kubeconfig);
      // Another holder keeps this replica a follower: it lists and watches everything cluster-wide but
      // never writes, so Rollouts of other tests sharing the cluster are left alone.
      const lease = find(docs, "Deployment").metadata.name;
      const renew = new Date().toISOString().replace("Z", "000Z");
      const decoy = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: lease, namespace: release },
        spec: {
          holderIdentity: "another-replica",
          leaseDurationSeconds: 3600,
          renewTime: renew,
          acquireTime: renew,
        },
      };
      const created = await kubectl(["create", "-f", "-"], { input: JSON.stringify(decoy) });
      assert.equal(created.code, 0, created.stderr);
      const c = await startChartController({
        image,
        docs,
        kubeconfig: kubeconfig.path,
        podName: `${lease}-follower`,
      });
      controllers.push(c);
      const metrics = await (await fetch(c.metricsUrl)).text();
      assert.match(metrics, /^ramp_leader 0$/m, "a follower");
      // It has read the Lease (so it knows it is a follower): a get on it went through.
      await waitFor(
        async () =>
          (await apiRequests(c.metricsUrl)).some(
            (r) => r.verb === "get" && r.resource === "leases" && r.code === "200",
          ),
        { what: "the follower to read the Lease" },
      );
      const used = checkRequests(await apiRequests(c.metricsUrl), docs);
      for (const r of [
        "rollouts",
        "replicasets",
        "services",
        "analysisruns",
        "analysistemplates",
        "clusteranalysistemplates",
        "jobs",
        "httproutes",
        "gateways",
        "gatewayclasses",
        "ingresses",
        "virtualservices",
        "destinationrules",
        "customresourcedefinitions",
      ]) {
        assert.ok(used.includes(`list ${r}`), `listed ${r} cluster-wide: ${used}`);
      }
      assert.equal(await leaseHolder(release, lease), "another-replica");
      assert.equal(await c.stop(), 0, "stops cleanly on SIGTERM");
      controllers.pop();
      const removed = await kubectl(["delete", "lease", lease, "-n", release]);
      assert.equal(removed.code, 0, removed.stderr);
    });

    test("leading (scoped to the test's namespace): a canary, every router, analysis, pruning and a restart complete", async (t) => {
      assert.ok(image && kubeconfig && f && web);
      const lease = find(docs, "Deployment").metadata.name;
      // The same ClusterRole; --namespace only keeps this leader off other tests' Rollouts.
      const c = await startChartController({
        image,
        docs,
        kubeconfig: kubeconfig.path,
        podName: `${lease}-leader`,
        extraArgs: [`--namespace=${f.namespace}`],
      });
      controllers.push(c);
      await waitFor(async () => (await leaseHolder(release, lease)).startsWith(`${lease}-leader`), {
        what: "the controller to take the Lease",
      });
      await kubectl([
        "create",
        "secret",
        "generic",
        "web-token",
        "-n",
        f.namespace,
        `--from-literal=token=${token}`,
      ]);
      await canaryCompletes(f, "web");
      await everyWriteCompletes(f, "every", "web-token", web.url);
      assert.ok(web.seen.includes("ok"), "the analysis sent the header read from the Secret");
      await shipAgainPrunes(f, "every");
      await restartCompletes(f, "web");
      const used = checkRequests(await apiRequests(c.metricsUrl), docs);
      t.diagnostic(`granted but not used in this run: ${unused(docs, used).join(", ")}`);
      for (const needed of [
        "patch rollouts/status",
        "patch rollouts",
        "create replicasets",
        "patch replicasets",
        "delete replicasets",
        "delete analysisruns",
        "patch services",
        "create analysisruns",
        "patch analysisruns/status",
        "create jobs",
        "get secrets",
        "create events",
        "patch httproutes",
        "patch ingresses",
        "delete ingresses",
        "patch virtualservices",
        "patch destinationrules",
        "list pods",
        "delete pods",
        "create leases",
        "update leases",
      ]) {
        assert.ok(used.includes(needed), `the scenario exercised ${needed}: ${used.join(", ")}`);
      }
    });
  });

  describe("namespaced mode (watchNamespace, analysis.secretNames)", () => {
    let release = "";
    let other = "";
    let docs: Manifest[] = [];
    let kubeconfig: { path: string; dir: string } | undefined;
    let f: Fixture | undefined;
    let c: ChartController | undefined;
    let web: Awaited<ReturnType<typeof authEndpoint>> | undefined;
    const token = `Bearer ${randomBytes(12).toString("hex")}`;

    before(async () => {
      assert.ok(image);
      release = await createTestNamespace("chart-rbac-ns");
      other = await createTestNamespace("chart-rbac-other");
      f = await Fixture.create("chart-rbac-ns-apps");
      docs = await render({
        release: `ns${randomBytes(3).toString("hex")}`,
        namespace: release,
        values: {
          namespaced: true,
          watchNamespace: f.namespace,
          analysis: { secretNames: ["analysis-token"] },
        },
      });
      await applyManifests(docs);
      kubeconfig = await serviceAccountKubeconfig(release, find(docs, "ServiceAccount").metadata.name);
      web = await authEndpoint(token);
      for (const s of ["analysis-token", "not-listed-token"]) {
        const made = await kubectl([
          "create",
          "secret",
          "generic",
          s,
          "-n",
          f.namespace,
          `--from-literal=token=${token}`,
        ]);
        assert.equal(made.code, 0, made.stderr);
      }
      // A Rollout in a namespace the controller does not watch: it must never be touched.
      const outside = await kubectl(["apply", "--server-side", "-n", other, "-f", "-"], {
        input: Object.entries(threeSteps("outside")).reduce(
          (text, [k, v]) => text.replaceAll(`\${${k}}`, v),
          readFileSync(join(repoRoot, "test", "fixtures", "canary", "three-steps.yaml"), "utf8"),
        ),
      });
      assert.equal(outside.code, 0, outside.stderr);
      c = await startChartController({
        image,
        docs,
        kubeconfig: kubeconfig.path,
        podName: `${find(docs, "Deployment").metadata.name}-0`,
      });
    });
    after(async () => {
      await c?.stop();
      await f?.cleanup();
      await web?.close();
      await deleteClusterScoped(docs);
      for (const ns of [release, other]) if (ns) await deleteTestNamespace(ns, { wait: false });
      if (kubeconfig) rmSync(kubeconfig.dir, { recursive: true, force: true });
    });

    test("exactly as deployed: leads through its Lease in the release namespace", async () => {
      assert.ok(c);
      const lease = find(docs, "Deployment").metadata.name;
      await waitFor(async () => (await leaseHolder(release, lease)).startsWith(c?.podName ?? "?"), {
        what: "the controller to take the Lease",
      });
    });

    test("a canary, every router and an analysis reading a listed Secret complete", async () => {
      assert.ok(f && web);
      await canaryCompletes(f, "web");
      await everyWriteCompletes(f, "every", "analysis-token", web.url);
      await restartCompletes(f, "web");
    });

    test("an analysis naming a Secret not in analysis.secretNames cannot read it, and the rollout aborts", async () => {
      assert.ok(f && web && c);
      await f.applyFixture("chart/every-write.yaml", {
        NAME: "denied",
        SECRET: "not-listed-token",
        URL: web.url,
      });
      await f.waitHealthy("denied", 90_000);
      await f.setImage("denied", "app:2");
      await f.waitStatus(
        "denied",
        "paused at 20%",
        (s) => s.phase === "Paused" && s.currentStepIndex === 1,
        90_000,
      );
      await f.actions.promote("denied");
      const s = await f.waitStatus("denied", "aborted by analysis", (st) => st.abort !== undefined, 90_000);
      assert.equal(s.abort?.reason, "AnalysisError", JSON.stringify(s.abort));
      const run = await f.analysisRun((await f.analysisRuns("denied"))[0] ?? "");
      const auth = run.status?.metricResults?.find((m) => m.name === "authenticated");
      assert.match(
        auth?.measurements?.[0]?.message ?? "",
        /reading Secret "not-listed-token" in namespace "[^"]+" failed \(HTTP 403\)/,
        JSON.stringify(auth),
      );
    });

    test("every request was granted (the refused Secret aside), and the unwatched namespace was never touched", async (t) => {
      assert.ok(c);
      const requests = await apiRequests(c.metricsUrl);
      const used = checkRequests(requests, docs, ["get secrets"]);
      t.diagnostic(`granted but not used in this run: ${unused(docs, used).join(", ")}`);
      assert.ok(
        used.includes("get secrets") && used.includes("delete pods") && used.includes("create jobs"),
        used.join(", "),
      );
      assert.ok(requests.some((r) => r.verb === "get" && r.resource === "secrets" && r.code === "403"));
      const outside = await kubectl([
        "get",
        "rollout.ramp.dev",
        "outside",
        "-n",
        other,
        "-o",
        "jsonpath={.status}",
      ]);
      assert.equal(outside.code, 0, outside.stderr);
      assert.equal(outside.stdout, "", "no status was written outside the watched namespace");
      const rs = await kubectl(["get", "replicasets", "-n", other, "-o", "name"]);
      assert.equal(rs.stdout.trim(), "", "no ReplicaSet was created outside the watched namespace");
    });
  });
});
