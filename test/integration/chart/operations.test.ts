// Given the chart, when it renders the values that shape how the controller is operated (the PDB's
// unhealthy-pod eviction, OpenShift's user ranges, the apiserver rate limit, what the probes ask, the
// notification links and give-up time), then
// the manifests say so, the schema refuses nonsense, and the real apiserver admits the OpenShift variant
// into a namespace enforcing the restricted Pod Security Standard with its pods available.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { createTestNamespace, deleteTestNamespace, kubectl, waitFor } from "../../../dev/kube.ts";
import { parseOptions } from "../../../src/controller/options.ts";
import {
  applyManifests,
  deleteClusterScoped,
  find,
  type Manifest,
  render,
  template,
} from "../../support/chart.ts";

const NS = "ramp-system";
type Pod = {
  securityContext: Record<string, unknown>;
  containers: {
    args: string[];
    livenessProbe: { httpGet: { path: string } };
    readinessProbe: { httpGet: { path: string } };
  }[];
};
const pod = (docs: Manifest[]): Pod =>
  (find(docs, "Deployment").spec as { template: { spec: Pod } }).template.spec;
const args = (docs: Manifest[]): string[] => pod(docs).containers[0]?.args ?? [];

describe("chart: operations values", () => {
  test("the PDB lets a replica that is not Ready be evicted (unhealthyPodEvictionPolicy: AlwaysAllow)", async () => {
    const spec = (docs: Manifest[]) => find(docs, "PodDisruptionBudget").spec as Record<string, unknown>;
    assert.equal(
      spec(await render({ release: "ramp", namespace: NS })).unhealthyPodEvictionPolicy,
      "AlwaysAllow",
    );
    const kube = await render({
      release: "ramp",
      namespace: NS,
      values: { podDisruptionBudget: { unhealthyPodEvictionPolicy: "IfHealthyBudget" } },
    });
    assert.equal(spec(kube).unhealthyPodEvictionPolicy, "IfHealthyBudget");
  });

  test("OpenShift: runAsUser and runAsGroup set to null are left out, runAsNonRoot stays", async () => {
    const docs = await render({
      release: "ramp",
      namespace: NS,
      values: { podSecurityContext: { runAsUser: null, runAsGroup: null } },
    });
    const sc = pod(docs).securityContext;
    assert.ok(!("runAsUser" in sc) && !("runAsGroup" in sc), JSON.stringify(sc));
    assert.equal(sc.runAsNonRoot, true);
    assert.deepEqual(pod(await render({ release: "ramp", namespace: NS })).securityContext.runAsUser, 65532);
  });

  test("controller.kubeApiQps / kubeApiBurst: the flags only when a rate is set", async () => {
    const flags = (docs: Manifest[]) => args(docs).filter((a) => a.startsWith("--kube-api-"));
    assert.deepEqual(flags(await render({ release: "ramp", namespace: NS })), []);
    const rate = (controller: Record<string, unknown>) =>
      render({ release: "ramp", namespace: NS, values: { controller } });
    assert.deepEqual(flags(await rate({ kubeApiQps: 50 })), ["--kube-api-qps=50"]);
    assert.deepEqual(flags(await rate({ kubeApiQps: 2.5, kubeApiBurst: 10 })), [
      "--kube-api-qps=2.5",
      "--kube-api-burst=10",
    ]);
  });

  test("notifications.*: --dashboard-url, --grafana-url and --notify-give-up-seconds only when set, and the controller parses them", async () => {
    const flags = (docs: Manifest[]) =>
      args(docs).filter((a) => /^--(dashboard-url|grafana-url|notify-give-up-seconds)=/.test(a));
    assert.deepEqual(flags(await render({ release: "ramp", namespace: NS })), []);
    const notifications = {
      dashboardURL: "https://ramp.example.com/ui",
      grafanaURL: "http://grafana.monitoring.svc:3000",
      giveUpSeconds: 120,
    };
    const docs = await render({ release: "ramp", namespace: NS, values: { notifications } });
    assert.deepEqual(flags(docs), [
      "--dashboard-url=https://ramp.example.com/ui",
      "--grafana-url=http://grafana.monitoring.svc:3000",
      "--notify-give-up-seconds=120",
    ]);
    // The rendered args as ramp-controller reads them: the values arrive, none is refused.
    const opts = parseOptions(args(docs), {}, "pod");
    assert.ok(opts !== "help");
    assert.equal(opts.dashboardUrl, notifications.dashboardURL);
    assert.equal(opts.grafanaUrl, notifications.grafanaURL);
    assert.equal(opts.notifyGiveUpMs, 120_000);
    // The default give-up time is the controller's own default, so the flag is left out.
    const defaults = parseOptions(args(await render({ release: "ramp", namespace: NS })), {}, "pod");
    assert.ok(defaults !== "help");
    assert.equal(defaults.notifyGiveUpMs, 600_000);
    const grafanaOnly = await render({
      release: "ramp",
      namespace: NS,
      values: { notifications: { grafanaURL: "https://grafana.example.com" } },
    });
    assert.deepEqual(flags(grafanaOnly), ["--grafana-url=https://grafana.example.com"]);
  });

  test("the schema refuses a notification URL that is not absolute http(s) and a give-up time below 1 s", async () => {
    for (const [notifications, message] of [
      [{ dashboardURL: "ramp.example.com" }, /dashboardURL/],
      [{ dashboardURL: "ftp://ramp.example.com" }, /dashboardURL/],
      [{ grafanaURL: "https:///grafana" }, /grafanaURL/],
      [{ grafanaURL: "https://grafana.example.com/a b" }, /grafanaURL/],
      [{ giveUpSeconds: 0 }, /giveUpSeconds/],
      [{ giveUpSeconds: 1.5 }, /giveUpSeconds/],
      [{ giveUpSeconds: "600" }, /giveUpSeconds/],
    ] as const) {
      const res = await template({ release: "ramp", namespace: NS, values: { notifications } });
      assert.notEqual(res.code, 0, `accepted ${JSON.stringify(notifications)}`);
      assert.match(res.stderr, message, `${JSON.stringify(notifications)}: ${res.stderr}`);
    }
    // Control: the same keys, valid, render.
    const ok = await template({
      release: "ramp",
      namespace: NS,
      values: { notifications: { dashboardURL: "", grafanaURL: "http://grafana", giveUpSeconds: 1 } },
    });
    assert.equal(ok.code, 0, ok.stderr);
  });

  test("the probes ask /healthz (lease renewal, stuck reconciles) and /readyz (caches synced)", async () => {
    const c = pod(await render({ release: "ramp", namespace: NS })).containers[0];
    assert.equal(c?.livenessProbe.httpGet.path, "/healthz");
    assert.equal(c?.readinessProbe.httpGet.path, "/readyz");
  });

  test("the schema refuses a negative rate, a fractional burst and an unknown eviction policy", async () => {
    for (const values of [
      { controller: { kubeApiQps: -1 } },
      { controller: { kubeApiBurst: 1.5 } },
      { podDisruptionBudget: { unhealthyPodEvictionPolicy: "Never" } },
    ]) {
      const res = await template({ release: "ramp", namespace: NS, values });
      assert.notEqual(res.code, 0, `accepted ${JSON.stringify(values)}`);
    }
  });

  describe("on the real apiserver", () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => {});
    });

    test("OpenShift values (no runAsUser) with the PDB policy and a rate limit: admitted under restricted, pods available", async () => {
      const ns = await createTestNamespace("chart-openshift");
      cleanups.push(() => deleteTestNamespace(ns, { wait: false }));
      const labelled = await kubectl([
        "label",
        "namespace",
        ns,
        "pod-security.kubernetes.io/enforce=restricted",
        "pod-security.kubernetes.io/warn=restricted",
      ]);
      assert.equal(labelled.code, 0, labelled.stderr);
      const docs = await render({
        release: `os${randomBytes(3).toString("hex")}`,
        namespace: ns,
        values: {
          podSecurityContext: { runAsUser: null, runAsGroup: null },
          controller: { kubeApiQps: 50, kubeApiBurst: 100 },
        },
      });
      cleanups.push(() => deleteClusterScoped(docs));
      const warnings = await applyManifests(docs);
      assert.doesNotMatch(warnings, /would violate PodSecurity/);
      const pdb = find(docs, "PodDisruptionBudget").metadata.name;
      const policy = await kubectl([
        "get",
        "pdb",
        pdb,
        "-n",
        ns,
        "-o",
        "jsonpath={.spec.unhealthyPodEvictionPolicy}",
      ]);
      assert.equal(policy.stdout, "AlwaysAllow", "the apiserver kept the field");
      const deploy = find(docs, "Deployment").metadata.name;
      await waitFor(
        async () => {
          const r = await kubectl([
            "get",
            "deployment",
            deploy,
            "-n",
            ns,
            "-o",
            "jsonpath={.status.availableReplicas}",
          ]);
          return Number(r.stdout) === 2;
        },
        { what: `Deployment ${deploy} available`, timeoutMs: 60_000 },
      );
      const refused = await kubectl([
        "get",
        "events",
        "-n",
        ns,
        "--field-selector",
        "reason=FailedCreate",
        "-o",
        "name",
      ]);
      assert.equal(refused.stdout.trim(), "", "no pod creation was refused");
    });
  });
});
