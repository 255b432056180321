// The local control plane behaves like a real cluster: Deployments get Ready pods (simulated by kwok),
// namespaces finish deleting, /version is stamped, and a real Prometheus scrapes and answers queries.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { AppsV1Api, CoreV1Api, type V1Deployment, VersionApi } from "@kubernetes/client-node";
import { readClusterState } from "../../dev/cluster/control-plane.ts";
import { isLoopback, listenersOf } from "../../dev/cluster/listeners.ts";
import { versions } from "../../dev/cluster/paths.ts";
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  loadKubeConfig,
  waitFor,
} from "../../dev/kube.ts";
import { type PrometheusHandle, startPrometheus } from "../../dev/prometheus.ts";

const kc = loadKubeConfig();

test("a 3-replica Deployment gets 3 Ready pods, and its namespace finishes deleting", async () => {
  const namespace = await createTestNamespace("cluster-deploy");
  let deleted = false;
  after(async () => {
    if (!deleted) await deleteTestNamespace(namespace, { wait: false });
  });
  const deployment: V1Deployment = {
    metadata: { name: "web", namespace },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "registry.invalid/web:1" }] },
      },
    },
  };
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: deployment });

  const core = kc.makeApiClient(CoreV1Api);
  const pods = await waitFor(
    async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: "app=web" });
      const ready = list.items.filter((p) =>
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      );
      return ready.length === 3 && ready;
    },
    { what: "3 Ready pods of Deployment web", timeoutMs: 30_000 },
  );
  assert.equal(pods.length, 3);
  for (const pod of pods) {
    assert.match(pod.spec?.nodeName ?? "", /^ramp-node-/, "scheduled onto a fake node");
    assert.match(pod.status?.podIP ?? "", /^10\.244\./, "kwok assigned a pod IP");
  }
  const apps = kc.makeApiClient(AppsV1Api);
  // The Deployment's status trails its pods: wait for it to count all three, not the first count it shows.
  const available = await waitFor(
    async () => {
      const n = (await apps.readNamespacedDeployment({ name: "web", namespace })).status?.availableReplicas;
      return n === 3 && n;
    },
    { what: "Deployment web to report 3 available replicas", timeoutMs: 30_000 },
  );
  assert.equal(available, 3);

  // Pods with a 30 s grace period, a ReplicaSet, a Deployment: all must go for the namespace to disappear
  // (kwok's pod-delete stage removes the pods; the namespace controller waits at least 5 s by design).
  await deleteTestNamespace(namespace, { timeoutMs: 60_000 });
  deleted = true;
  const res = await kubectl(["get", "namespace", namespace]);
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /NotFound/);
});

test("the apiserver reports the pinned Kubernetes version", async () => {
  const info = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(info.gitVersion, versions().k8s);
  assert.equal(`v${info.major}.${info.minor}`, versions().k8s.replace(/\.\d+$/, ""));
  const client = await kubectl(["version", "-o", "json"]);
  assert.equal(client.code, 0, client.stderr);
  const parsed = JSON.parse(client.stdout) as {
    clientVersion: { gitVersion: string };
    serverVersion: { gitVersion: string };
  };
  assert.equal(parsed.clientVersion.gitVersion, versions().k8s);
  assert.equal(parsed.serverVersion.gitVersion, versions().k8s);
});

test("every control-plane process listens on loopback only", async () => {
  const state = await readClusterState();
  assert.ok(state, "the cluster has a state file");
  assert.equal(state.processes.length, 5);
  const seen: string[] = [];
  for (const proc of state.processes) {
    for (const l of listenersOf(proc.pid)) {
      seen.push(`${proc.name} ${l.address}:${l.port}`);
      assert.ok(isLoopback(l.address), `${proc.name} listens on ${l.address}:${l.port}`);
    }
  }
  // etcd (client+peer), apiserver, controller-manager and scheduler each serve; kwok serves nothing.
  for (const port of Object.values(state.ports)) {
    assert.ok(
      seen.some((s) => s.endsWith(`127.0.0.1:${port}`)),
      `a listener on 127.0.0.1:${port} (${seen.join(", ")})`,
    );
  }
  assert.equal(listenersOf(state.processes.find((p) => p.name === "kwok")?.pid ?? 0).length, 0);
});

test("Prometheus scrapes itself and answers `up` over its HTTP API", async () => {
  let prom: PrometheusHandle | undefined;
  after(() => prom?.stop());
  prom = await startPrometheus({
    scrapeConfigs: (self) => [{ job_name: "prometheus", static_configs: [{ targets: [self] }] }],
  });
  assert.match(prom.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(
    listenersOf(prom.pid).map((l) => l.address),
    ["127.0.0.1"],
  );
  interface QueryResponse {
    status: string;
    data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  }
  const { url } = prom;
  const answer = await waitFor(
    async () => {
      const res = await fetch(`${url}/api/v1/query?query=up`);
      const body = (await res.json()) as QueryResponse;
      return body.data.result.some((r) => r.value[1] === "1") && body;
    },
    { what: "Prometheus to record up == 1 for its own scrape", timeoutMs: 30_000, intervalMs: 250 },
  );
  assert.equal(answer.status, "success");
  assert.equal(answer.data.resultType, "vector");
  const self = answer.data.result.find((r) => r.metric.job === "prometheus");
  assert.ok(self, "a series for job=prometheus");
  assert.equal(self.metric.instance, url.replace("http://", ""));
  assert.equal(self.value[1], "1");

  await prom.stop();
  prom = undefined;
  await assert.rejects(fetch(`${url}/-/ready`), "stopped Prometheus no longer answers");
});
