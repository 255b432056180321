// Given the chart's dashboard (dashboard.enabled) applied to the real apiserver, when the dashboard server
// runs as the chart's own ServiceAccount (its TokenRequest token, not the admin's), then it can check a
// user's token (TokenReview), ask whether the user may (SubjectAccessReview), read what a Rollout's page
// shows and write an action's intent: the chart grants what the server needs, and a user still gets only
// what their own RBAC allows.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { kubeconfigPath, kubectl } from "../../../dev/kube.ts";
import { API, type Me, type RolloutDetail } from "../../../src/dashboard/contract.ts";
import { makeClients } from "../../../src/kube/client.ts";
import { loadConnection } from "../../../src/kube/kubeconfig.ts";
import { createMetrics } from "../../../src/observability/metrics.ts";
import { applyManifests, deleteClusterScoped, type Manifest, render } from "../../support/chart.ts";
import {
  bearer,
  call,
  type Dashboard,
  serviceAccountToken,
  startDashboard,
} from "../../support/dashboard.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

describe("chart: the dashboard's own RBAC (dashboard.enabled)", () => {
  const id = randomBytes(3).toString("hex");
  const release = `dash${id}`;
  let f: Fixture;
  let docs: Manifest[] = [];
  let dash: Dashboard | undefined;
  let editorToken = "";
  let strangerToken = "";

  before(async () => {
    f = await Fixture.create("dashboard-rbac");
    await f.startController();
    // The ServiceAccount and its ClusterRole(Binding) as the chart renders them, in the test namespace.
    docs = (
      await render({ release, namespace: f.namespace, values: { dashboard: { enabled: true } } })
    ).filter(
      (d) =>
        ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"].includes(d.kind) &&
        /-dashboard$/.test(d.metadata.name),
    );
    assert.deepEqual(docs.map((d) => d.kind).sort(), ["ClusterRole", "ClusterRoleBinding", "ServiceAccount"]);
    await applyManifests(docs);
    const account = docs.find((d) => d.kind === "ServiceAccount")?.metadata.name ?? "";
    const own = await serviceAccountToken(f.namespace, account);
    // The server's Clients: the local cluster's address and CA, the chart ServiceAccount's token.
    const conn = loadConnection({ kubeconfig: kubeconfigPath() });
    const clients = makeClients(
      { ...conn, credentials: async () => ({ token: own }) },
      createMetrics({ defaultMetrics: false }),
    );
    dash = await startDashboard({ mode: "cluster", clients });
    // People: an editor of this namespace (the built-in edit role, which the chart's aggregated roles extend
    // to Rollouts; applied by aggregate-roles.test too), and a stranger with no binding at all.
    const aggregate = (await render({ release, namespace: f.namespace })).filter(
      (d) => d.kind === "ClusterRole" && /-aggregate-to-/.test(d.metadata.name),
    );
    docs.push(...aggregate);
    await applyManifests(aggregate);
    for (const name of ["editor", "stranger"]) {
      const res = await kubectl(["create", "serviceaccount", name, "-n", f.namespace]);
      assert.equal(res.code, 0, res.stderr);
    }
    const bind = await kubectl([
      "create",
      "rolebinding",
      "editor-edit",
      "--clusterrole=edit",
      `--serviceaccount=${f.namespace}:editor`,
      "-n",
      f.namespace,
    ]);
    assert.equal(bind.code, 0, bind.stderr);
    editorToken = await serviceAccountToken(f.namespace, "editor");
    strangerToken = await serviceAccountToken(f.namespace, "stranger");
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "web",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{}",
      DEADLINE: "600",
    });
    await f.waitHealthy("web");
  });
  after(async () => {
    await dash?.close();
    await deleteClusterScoped(docs);
    await f?.cleanup();
  });

  test("as its own ServiceAccount: TokenReview, SubjectAccessReview, the page's reads and an action's write all work", async () => {
    assert.ok(dash);
    const me = await call(dash.url, API.me, { headers: bearer(editorToken) });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    const { user, csrfToken } = me.body as Me;
    assert.equal(user, `system:serviceaccount:${f.namespace}:editor`);

    const detail = await call(dash.url, API.detail(f.namespace, "web"), { headers: bearer(editorToken) });
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    const d = detail.body as RolloutDetail;
    assert.ok(d.versions.length >= 1 && (d.versions[0]?.pods.length ?? 0) >= 1, "ReplicaSets and pods read");

    const generation = (await f.rollout("web")).metadata.generation;
    await f.setImage("web", "app:2");
    await f.waitStatus(
      "web",
      "paused at the indefinite pause",
      (s) => s.phase === "Paused" && s.currentStepIndex === 3,
    );
    const paused = (await call(dash.url, API.detail(f.namespace, "web"), { headers: bearer(editorToken) }))
      .body as RolloutDetail;
    assert.equal(paused.actions.promote.allowed, true, JSON.stringify(paused.actions.promote));
    const promote = await call(dash.url, API.action(f.namespace, "web", "promote"), {
      method: "POST",
      headers: { ...bearer(editorToken), "x-csrf-token": csrfToken, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(promote.status, 200, JSON.stringify(promote.body));
    await f.waitHealthy("web");
    assert.equal(
      (await f.rollout("web")).metadata.generation,
      (generation ?? 0) + 1,
      "only the image change moved it",
    );
  });

  test("a user the apiserver authenticates but RBAC does not allow sees nothing, whatever the server's own rights", async () => {
    assert.ok(dash);
    const me = await call(dash.url, API.me, { headers: bearer(strangerToken) });
    assert.equal(me.status, 200);
    const detail = await call(dash.url, API.detail(f.namespace, "web"), { headers: bearer(strangerToken) });
    assert.equal(detail.status, 404);
    const forged = await call(dash.url, API.action(f.namespace, "web", "abort"), {
      method: "POST",
      headers: {
        ...bearer(strangerToken),
        "x-csrf-token": (me.body as Me).csrfToken,
        "content-type": "application/json",
      },
      body: "{}",
    });
    // A Rollout the user may not read is not there at all (404, so names do not leak); never done.
    assert.equal(forged.status, 404);
    assert.equal((await f.rollout("web")).status?.phase, "Healthy", "nothing was aborted");
    const bad = await call(dash.url, API.me, { headers: bearer("not-a-token") });
    assert.equal(bad.status, 401);
  });
});
