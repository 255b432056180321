// npm run bench:install-order: how long after a router's CRD becomes Established a Rollout waiting for it
// leaves RouterNotInstalled, with the controller started before the CRD existed. Each round deletes Istio's
// DestinationRule CRD, waits for the Rollout to say RouterNotInstalled, creates the CRD again and times
// from the watch seeing Established=True to the watch seeing the Rollout's Stalled reason change (to
// RouteNotFound: its routes are never created, so no pods or data plane are involved). The CRD is restored
// at the end whatever happens. Needs the local control plane running (npm run cluster:up).
import { parseArgs } from "node:util";
import { type ControllerProcess, startController } from "../../dev/controller.ts";
import { installCrds, waitEstablished } from "../../dev/crds.ts";
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  loadKubeConfig,
  waitFor,
} from "../../dev/kube.ts";
import { installUpstreamCrds } from "../../dev/upstream-crds.ts";
import { follow, type WatchedObject } from "../../dev/watch.ts";

const say = (msg: string) => process.stderr.write(`bench:install-order │ ${msg}\n`);
const { values } = parseArgs({ options: { rounds: { type: "string", default: "10" } } });
const ROUNDS = Number(values.rounds);
const CRD = "destinationrules.networking.istio.io";
const NAME = "late";

type Cond = { type?: string; status?: string; reason?: string };
const established = (o: WatchedObject) =>
  ((o.status?.conditions ?? []) as Cond[]).some((c) => c.type === "Established" && c.status === "True");
const stalledReason = (o: WatchedObject) =>
  ((o.status?.conditions ?? []) as Cond[]).find((c) => c.type === "Stalled" && c.status === "True")?.reason;

function rollout(): object[] {
  const svc = (name: string) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name },
    spec: { selector: { app: NAME }, ports: [{ port: 80 }] },
  });
  return [
    svc(`${NAME}-stable`),
    svc(`${NAME}-canary`),
    {
      apiVersion: "ramp.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: NAME },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: NAME } },
        template: {
          metadata: { labels: { app: NAME } },
          spec: { containers: [{ name: "app", image: "app:1" }] },
        },
        strategy: {
          canary: {
            canaryService: `${NAME}-canary`,
            stableService: `${NAME}-stable`,
            trafficRouting: {
              istio: {
                virtualService: { name: NAME, routes: ["primary"] },
                destinationRule: { name: NAME, canarySubsetName: "canary", stableSubsetName: "stable" },
              },
            },
            steps: [{ setWeight: 30 }, { pause: {} }],
          },
        },
      },
    },
  ];
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const kc = loadKubeConfig();
  await installCrds();
  await installUpstreamCrds();
  const got = await kubectl(["get", `crd/${CRD}`, "-o", "json"]);
  if (got.code !== 0) throw new Error(got.stderr);
  const crd = JSON.parse(got.stdout) as { metadata: Record<string, unknown>; status?: unknown };
  const {
    resourceVersion: _r,
    uid: _u,
    creationTimestamp: _c,
    generation: _g,
    managedFields: _m,
    ...meta
  } = crd.metadata;
  const saved = JSON.stringify({ ...crd, metadata: meta, status: undefined });
  const restore = async () => {
    if ((await kubectl(["get", `crd/${CRD}`, "-o", "name"])).code === 0) return;
    const made = await kubectl(["create", "-f", "-"], { input: saved });
    if (made.code !== 0) throw new Error(`restoring ${CRD}: ${made.stderr}`);
    await waitEstablished([CRD], "the DestinationRule CRD");
  };

  const ns = await createTestNamespace("bench-install-order", kc);
  let controller: ControllerProcess | undefined;
  // What the watches saw last, and when.
  let crdUp: number | undefined;
  let reason: string | undefined;
  let reasonAt = 0;
  const crds = await follow(kc, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", (type, o) => {
    if (o.metadata?.name !== CRD) return;
    const up = type !== "DELETED" && established(o);
    if (up && crdUp === undefined) crdUp = performance.now();
    if (!up) crdUp = undefined;
  });
  const rollouts = await follow(kc, `/apis/ramp.dev/v1alpha1/namespaces/${ns}/rollouts`, (_t, o) => {
    const r = stalledReason(o);
    if (r !== reason) [reason, reasonAt] = [r, performance.now()];
  });
  const samples: number[] = [];
  try {
    const applied = await kubectl(["apply", "--server-side", "-n", ns, "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: rollout() }),
    });
    if (applied.code !== 0) throw new Error(applied.stderr);
    for (let i = 1; i <= ROUNDS; i++) {
      const deleted = await kubectl(["delete", `crd/${CRD}`, "--wait=true"], { timeoutMs: 120_000 });
      if (deleted.code !== 0) throw new Error(deleted.stderr);
      // The controller starts before the CRD exists once; later rounds delete it under a running controller.
      controller ??= await startController({ name: `${ns}-0`, namespace: ns });
      await waitFor(() => reason === "RouterNotInstalled", { what: "RouterNotInstalled", timeoutMs: 60_000 });
      const made = await kubectl(["create", "-f", "-"], { input: saved });
      if (made.code !== 0) throw new Error(made.stderr);
      await waitFor(() => crdUp !== undefined && reason !== "RouterNotInstalled" && reasonAt > crdUp, {
        what: "the Rollout to leave RouterNotInstalled",
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      const ms = reasonAt - (crdUp ?? reasonAt);
      samples.push(ms);
      say(`round ${i}/${ROUNDS}: Established → ${reason}: ${ms.toFixed(0)} ms`);
    }
  } finally {
    crds.stop();
    rollouts.stop();
    await restore();
    await controller?.stop();
    await deleteTestNamespace(ns, { wait: false, kc });
  }
  const fmt = (q: number) => `${quantile(samples, q).toFixed(0)} ms`;
  console.log(
    JSON.stringify({
      rounds: samples.length,
      p50: fmt(0.5),
      p90: fmt(0.9),
      max: `${Math.max(...samples).toFixed(0)} ms`,
    }),
  );
}

await main();
