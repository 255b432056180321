// One Rollout's detail over SSE: routers, versions with pods and Events read on demand, refreshed when its
// ReplicaSets change; parts the viewer may not read stay out; a stream ends when its session does.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { RolloutDetail } from "../../../src/dashboard/contract.ts";
import { call, openStream, REPLICASETS, ROLLOUTS, rollout, startTestServer } from "./support.ts";

const PODS = "/api/v1/namespaces/team-a/pods";
const EVENTS = "/api/v1/namespaces/team-a/events";
const ROUTE = "/apis/gateway.networking.k8s.io/v1/namespaces/team-a/httproutes";

const replicaSet = (hash: string, revision: number, ready: number): KubernetesObject =>
  ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      namespace: "team-a",
      name: `web-${hash}`,
      labels: { "ramp.dev/rollout": "web", "ramp.dev/pod-template-hash": hash },
      annotations: { "ramp.dev/revision": String(revision) },
    },
    spec: { replicas: 1, template: { spec: { containers: [{ name: "app", image: `app:${revision}` }] } } },
    status: { replicas: 1, readyReplicas: ready },
  }) as KubernetesObject;
const pod = (name: string, hash: string): KubernetesObject =>
  ({
    metadata: { namespace: "team-a", name, labels: { "ramp.dev/pod-template-hash": hash } },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  }) as KubernetesObject;

describe("dashboard detail stream", async () => {
  const routed = rollout("team-a", "web") as KubernetesObject & { spec: { strategy: { canary: object } } };
  routed.spec.strategy.canary = {
    ...routed.spec.strategy.canary,
    trafficRouting: { gatewayAPI: { httpRoutes: [{ name: "web-route" }] } },
  };
  const t = await startTestServer("cluster", (fake) => {
    fake.tokens.set("bob-token", { username: "bob", groups: ["ops"] });
    fake.tokens.set("carol-token", { username: "carol", groups: [] });
    // carol may see Rollouts, nothing else: the server's own rights must not fill the gaps.
    fake.decide = (who, a) =>
      who !== "self" &&
      (who.user === "bob" || (a.group === "ramp.dev" && a.resource === "rollouts" && a.verb !== "patch"));
    fake.set(ROLLOUTS, [routed]);
    fake.set(REPLICASETS, [replicaSet("h1", 1, 1), replicaSet("h2", 2, 0)]);
    fake.set(PODS, [pod("web-h1-a", "h1")]);
    fake.set(EVENTS, [
      {
        metadata: { name: "e1" },
        type: "Normal",
        reason: "StepStarted",
        message: "step 2",
        count: 1,
        lastTimestamp: "t1",
      } as KubernetesObject,
    ]);
    fake.set(ROUTE, [
      {
        metadata: { namespace: "team-a", name: "web-route" },
        spec: {
          rules: [
            {
              backendRefs: [
                { name: "web-stable", weight: 80 },
                { name: "web-canary", weight: 20 },
              ],
            },
          ],
        },
      } as KubernetesObject,
    ]);
  });
  after(() => t.server.close());
  const bob = { Authorization: "Bearer bob-token" };

  test("snapshot with routers, versions, pods and events; an upsert when a ReplicaSet changes", async () => {
    const s = openStream(t.url, "/api/rollouts/team-a/web/stream", bob);
    const first = await s.next();
    assert.equal(first.event, "snapshot");
    const d = (first.data as { rollout: RolloutDetail }).rollout;
    assert.deepEqual(d.routers, [
      {
        kind: "HTTPRoute",
        name: "web-route",
        weights: [
          { backend: "web-stable", weight: 80 },
          { backend: "web-canary", weight: 20 },
        ],
      },
    ]);
    assert.deepEqual(
      d.versions.map((v) => [v.hash, v.role, v.pods.map((p) => p.name)]),
      [
        ["h2", "canary", []],
        ["h1", "stable", ["web-h1-a"]],
      ],
    );
    assert.equal(d.events[0]?.reason, "StepStarted");
    const podList = t.fake.requests.find((r) => r.path.startsWith(`${PODS}?`));
    assert.match(
      decodeURIComponent(podList?.path ?? ""),
      /labelSelector=ramp\.dev\/pod-template-hash\+in\+\((h1,h2|h2,h1)\)/,
    );
    const eventList = t.fake.requests.find((r) => r.path.startsWith(`${EVENTS}?`));
    assert.match(decodeURIComponent(eventList?.path ?? ""), /involvedObject\.name=web/);

    // A canary pod becomes ready: its ReplicaSet changes, pods are listed again, the page gets an upsert.
    t.fake.set(PODS, [pod("web-h1-a", "h1"), pod("web-h2-a", "h2")]);
    await t.fake.push(REPLICASETS, "MODIFIED", replicaSet("h2", 2, 1));
    const next = await s.next();
    assert.equal(next.event, "upsert");
    const canary = (next.data as { rollout: RolloutDetail }).rollout.versions.find((v) => v.hash === "h2");
    assert.deepEqual(
      canary?.pods.map((p) => p.name),
      ["web-h2-a"],
    );
    assert.equal(canary?.readyReplicas, 1);
    s.close();
  });

  test("a viewer who may read the Rollout but not pods, Events, ReplicaSets or routes sees none of them", async () => {
    const r = await call(t.url, "/api/rollouts/team-a/web", {
      headers: { Authorization: "Bearer carol-token" },
    });
    assert.equal(r.status, 200);
    const d = JSON.parse(r.body) as RolloutDetail;
    assert.deepEqual([d.versions, d.events, d.routers, d.analysisRuns], [[], [], [], []]);
    assert.equal(d.actions.promote.allowed, false);
  });

  test("a stream ends at the next heartbeat once its session is logged out", async () => {
    const login = await call(t.url, "/api/login", { method: "POST", body: { token: "bob-token" } });
    const cookie = { Cookie: String(login.headers["set-cookie"]).split(";")[0] ?? "" };
    const { csrfToken } = JSON.parse(login.body) as { csrfToken: string };
    const s = openStream(t.url, "/api/rollouts/stream", cookie);
    assert.equal((await s.next()).event, "snapshot");
    await call(t.url, "/api/logout", { method: "POST", headers: { ...cookie, "X-CSRF-Token": csrfToken } });
    await Promise.race([
      s.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error("stream still open after logout")), 2000)),
    ]);
  });
});
