// Given a plain Deployment already running, when a Rollout names it in spec.workloadRef, then the Rollout
// runs the Deployment's pod template, ships a change to that template (the usual Git change) as a new
// version, scales the Deployment down as scaleDown says (never / onsuccess / progressively, total capacity
// never dropping), writes nothing of the Deployment but spec.replicas, goes Degraded with a fix when the
// reference is wrong and recovers, and scales the Deployment back when the Rollout is deleted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { Fixture } from "../../support/e2e/fixture.ts";

type Deployment = {
  metadata: {
    generation: number;
    managedFields?: { manager: string; subresource?: string; fieldsV1?: object }[];
  };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status?: { availableReplicas?: number };
};

describe("spec.workloadRef: a Rollout that runs an existing Deployment's pods", () => {
  let f: Fixture;
  before(async () => {
    f = await Fixture.create("workload-ref");
    await f.startController();
  });
  after(() => f?.cleanup());

  const deployment = async (name: string): Promise<Deployment> => {
    const res = await kubectl([
      "get",
      "deployment",
      name,
      "-n",
      f.namespace,
      "-o",
      "json",
      "--show-managed-fields",
    ]);
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout) as Deployment;
  };
  const running = async (name: string, replicas: number, image = "app:1") => {
    await f.applyFixture("workload/deployment.yaml", {
      NAME: name,
      DEPLOY_REPLICAS: String(replicas),
      IMAGE: image,
    });
    await waitFor(
      async () => ((await deployment(name)).status?.availableReplicas ?? 0) === replicas || undefined,
      {
        what: `Deployment ${name} available`,
        timeoutMs: 60_000,
      },
    );
  };
  const rollout = (name: string, scaleDown: string, replicas = 3, deploymentName = name) =>
    f.applyFixture("workload/rollout.yaml", {
      NAME: name,
      DEPLOYMENT: deploymentName,
      SCALE_DOWN: scaleDown,
      REPLICAS: String(replicas),
      PAUSE: "{duration: 1s}",
    });
  const images = async (rollout: string): Promise<Record<string, string>> => {
    const res = await kubectl([
      "get",
      "replicasets",
      "-n",
      f.namespace,
      "-l",
      `ramp.dev/rollout=${rollout}`,
      "-o",
      'jsonpath={range .items[*]}{.metadata.labels.ramp\\.dev/pod-template-hash}={.spec.template.spec.containers[0].image}{"\\n"}{end}',
    ]);
    assert.equal(res.code, 0, res.stderr);
    return Object.fromEntries(
      res.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("=")),
    );
  };
  const degraded = (name: string, reason: string) =>
    f.waitStatus(
      name,
      `Stalled ${reason}`,
      (s) =>
        s.phase === "Degraded" &&
        (s.conditions ?? []).some((c) => c.type === "Stalled" && c.reason === reason),
    );

  test("scaleDown onsuccess: the Deployment's template runs as the stable version, the Deployment goes to 0 once Healthy, and a template change in the Deployment ships as a new version", async () => {
    await running("web", 3);
    await rollout("web", "onsuccess");
    const first = await f.waitHealthy("web");
    const stableImages = await images("web");
    assert.equal(stableImages[first.stableRS ?? ""], "app:1", JSON.stringify(stableImages));
    await waitFor(async () => (await deployment("web")).spec.replicas === 0 || undefined, {
      what: "Deployment web scaled to 0 once the Rollout is Healthy",
    });

    // The Git change, applied as Flux applies (server-side, forced) from a manifest without spec.replicas,
    // as docs/migrating.md says to keep it: the template changes, ramp's 0 stays.
    const gitops = await kubectl(
      [
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=kustomize-controller",
        "-n",
        f.namespace,
        "-f",
        "-",
      ],
      {
        input: JSON.stringify({
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web" },
          spec: {
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "app:2" }] },
            },
          },
        }),
      },
    );
    assert.equal(gitops.code, 0, gitops.stderr);
    const second = await f.waitStatus(
      "web",
      "the Deployment's new template promoted",
      (s) => s.phase === "Healthy" && s.stableRS === s.currentPodHash && s.currentPodHash !== first.stableRS,
    );
    assert.equal((await images("web"))[second.stableRS ?? ""], "app:2");
    const d = await deployment("web");
    assert.equal(d.spec.replicas, 0, "the Deployment stays at 0 through the next version");
    // ramp writes only spec.replicas (through the scale subresource): the template stays Git's alone.
    const templateOwners = (d.metadata.managedFields ?? [])
      .filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes('"f:template"'))
      .map((m) => m.manager);
    assert.deepEqual([...new Set(templateOwners)].sort(), ["kubectl", "kustomize-controller"]);
    assert.equal(d.spec.template.spec.containers[0]?.image, "app:2", "the template is the user's, untouched");
  });

  test("scaleDown never leaves the Deployment as it is", async () => {
    await running("keep", 2);
    await rollout("keep", "never", 2);
    await f.waitHealthy("keep");
    assert.equal((await deployment("keep")).spec.replicas, 2);
  });

  test("scaleDown progressively, in a namespace whose quota leaves room for one more pod: the Deployment goes down one pod at a time as the Rollout's pods become available, and the app's Ready pods never drop below replicas", async () => {
    // Its own namespace: the quota counts every pod in it.
    const g = await Fixture.create("workload-prog");
    try {
      await g.startController();
      const quota = await kubectl(["create", "quota", "pods", "--hard=pods=5", "-n", g.namespace]);
      assert.equal(quota.code, 0, quota.stderr);
      await g.applyFixture("workload/deployment.yaml", {
        NAME: "prog",
        DEPLOY_REPLICAS: "4",
        IMAGE: "app:1",
      });
      const core = g.kc.makeApiClient(CoreV1Api);
      const apps = g.kc.makeApiClient(AppsV1Api);
      const readyPods = async () => {
        const pods = await core.listNamespacedPod({ namespace: g.namespace, labelSelector: "app=prog" });
        const ready = pods.items.filter(
          (p) =>
            !p.metadata?.deletionTimestamp &&
            p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        const ours = ready.filter((p) => p.metadata?.labels?.["ramp.dev/pod-template-hash"]).length;
        return { deployment: ready.length - ours, rollout: ours };
      };
      await waitFor(async () => (await readyPods()).deployment === 4 || undefined, {
        what: "the Deployment's 4 pods Ready",
        timeoutMs: 60_000,
      });
      const samples: { deployment: number; rollout: number }[] = [];
      const scales = new Set<number>();
      let done = false;
      const watch = (async () => {
        while (!done) {
          samples.push(await readyPods());
          scales.add(
            (await apps.readNamespacedDeployment({ name: "prog", namespace: g.namespace })).spec?.replicas ??
              -1,
          );
          await new Promise((res) => setTimeout(res, 20));
        }
      })();
      await g.applyFixture("workload/rollout.yaml", {
        NAME: "prog",
        DEPLOYMENT: "prog",
        SCALE_DOWN: "progressively",
        REPLICAS: "4",
        PAUSE: "{duration: 1s}",
      });
      await g.waitHealthy("prog", 120_000);
      await waitFor(
        async () =>
          (await apps.readNamespacedDeployment({ name: "prog", namespace: g.namespace })).spec?.replicas ===
            0 || undefined,
        { what: "Deployment prog at 0" },
      );
      done = true;
      await watch;
      const low = samples.filter((s) => s.deployment + s.rollout < 4);
      assert.deepEqual(low, [], `Ready pods dropped below 4 in ${low.length} of ${samples.length} samples`);
      // Down one pod at a time: the quota never lets the Rollout run more than one pod ahead.
      const seen = [...scales].filter((n) => n >= 0).sort();
      assert.ok(
        seen.filter((n) => n > 0 && n < 4).length >= 2,
        `Deployment replicas seen: ${seen.join(", ")}`,
      );
    } finally {
      await g.cleanup();
    }
  });

  test("a missing Deployment: Degraded WorkloadNotFound naming the fix; creating it recovers", async () => {
    await rollout("late", "onsuccess", 2);
    const s = await degraded("late", "WorkloadNotFound");
    assert.match(
      s.message ?? "",
      /spec\.workloadRef: Deployment "late" does not exist in namespace .*: create it/,
    );
    // Not waited for as a Deployment: the Rollout runs it at once and may scale it to 0 before it is available.
    await f.applyFixture("workload/deployment.yaml", { NAME: "late", DEPLOY_REPLICAS: "2", IMAGE: "app:1" });
    await f.waitHealthy("late");
  });

  test("a selector that does not select the Deployment's template: Degraded WorkloadSelectorMismatch; pointing workloadRef at a matching Deployment recovers", async () => {
    await running("other", 1);
    await running("sel", 1);
    await rollout("sel", "never", 1, "other");
    const s = await degraded("sel", "WorkloadSelectorMismatch");
    assert.match(s.message ?? "", /spec\.selector does not select the pod template of Deployment "other"/);
    await f.patchSpec("sel", { workloadRef: { name: "sel" } });
    await f.waitHealthy("sel");
  });

  test("deleting the Rollout scales the Deployment back to the Rollout's replicas, so the app keeps its pods", async () => {
    await running("back", 2);
    await rollout("back", "onsuccess", 2);
    await f.waitHealthy("back");
    await waitFor(async () => (await deployment("back")).spec.replicas === 0 || undefined, {
      what: "Deployment back at 0",
    });
    const del = await kubectl(["delete", "rollout.ramp.dev", "back", "-n", f.namespace, "--wait=true"]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor(
      async () => ((await deployment("back")).status?.availableReplicas ?? 0) === 2 || undefined,
      {
        what: "Deployment back scaled up again and available",
        timeoutMs: 60_000,
      },
    );
    const events = await kubectl([
      "get",
      "events",
      "-n",
      f.namespace,
      "--field-selector",
      "involvedObject.name=back,involvedObject.kind=Rollout,reason=WorkloadRestored",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    assert.equal(events.stdout, 'the Rollout is deleted: Deployment "back" scaled back to 2 replicas');
  });

  test("exactly one of template and workloadRef, refused at admission naming both fields", async () => {
    const both = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "both" },
        spec: {
          selector: { matchLabels: { app: "both" } },
          template: {
            metadata: { labels: { app: "both" } },
            spec: { containers: [{ name: "a", image: "a" }] },
          },
          workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "both" },
          strategy: { canary: {} },
        },
      }),
    });
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /spec\.template, spec\.workloadRef: set exactly one/);
    const kind = await kubectl(["apply", "-n", f.namespace, "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "ramp.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "kind" },
        spec: {
          selector: { matchLabels: { app: "kind" } },
          workloadRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "kind" },
          strategy: { canary: {} },
        },
      }),
    });
    assert.notEqual(kind.code, 0);
    assert.match(kind.stderr, /spec\.workloadRef\.kind/);
  });
});
