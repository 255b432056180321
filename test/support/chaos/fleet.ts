// Many Rollouts at once, driven as Git would drive them: all applied in one go, a new version shipped to
// each by a JSON patch; their statuses, ReplicaSets and HTTPRoutes read by one LIST.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AppsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ReplicaSet,
} from "@kubernetes/client-node";
import { kubectl, waitFor } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { HASH_LABEL, ROLLOUT_LABEL } from "../../../src/api/labels.ts";
import { ROUTE_APIS } from "../../../src/traffic/apis.ts";
import type { RolloutPlan } from "./plan.ts";
import { canaryPercent } from "./timeline.ts";

const FIXTURE = join(repoRoot, "test", "fixtures", "reliability", "crash-anywhere.yaml");
const rollouts = { group: "ramp.dev", version: "v1alpha1", plural: "rollouts" };

export type Live = { status: RolloutStatus | undefined; rv: number; generation: number };

/** Applies every plan's Services, HTTPRoute, AnalysisTemplate and Rollout with one server-side apply. */
export async function applyFleet(
  namespace: string,
  plans: RolloutPlan[],
  vars: { IMAGE: string; PROMETHEUS: string },
): Promise<void> {
  const template = readFileSync(FIXTURE, "utf8");
  const docs = plans.map((p) => {
    const all: Record<string, string> = { ...vars, NAME: p.name, STEPS: JSON.stringify(p.steps) };
    let text = template;
    for (const [k, v] of Object.entries(all)) text = text.replaceAll(`\${${k}}`, v);
    return text;
  });
  const res = await kubectl(["apply", "--server-side", "--force-conflicts", "-n", namespace, "-f", "-"], {
    input: docs.join("\n---\n"),
    timeoutMs: 120_000,
  });
  assert.equal(res.code, 0, `applying the fleet: ${res.stderr}`);
}

/** Ships `image` to every Rollout at once: a JSON patch of the first container, as a Git change would. */
export async function shipFleet(kc: KubeConfig, namespace: string, plans: RolloutPlan[], image: string) {
  const api = kc.makeApiClient(CustomObjectsApi);
  const body = [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }];
  await Promise.all(
    plans.map((p) =>
      api.patchNamespacedCustomObject(
        { ...rollouts, namespace, name: p.name, body },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      ),
    ),
  );
}

/** Every Rollout's status, resourceVersion and generation, by name. */
export async function fleetStatuses(kc: KubeConfig, namespace: string): Promise<Map<string, Live>> {
  const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    ...rollouts,
    namespace,
  })) as {
    items: {
      metadata: { name: string; resourceVersion: string; generation?: number };
      status?: RolloutStatus;
    }[];
  };
  return new Map(
    list.items.map((r) => [
      r.metadata.name,
      { status: r.status, rv: Number(r.metadata.resourceVersion), generation: r.metadata.generation ?? 0 },
    ]),
  );
}

/** Polls until `done` holds for every plan; the error lists the ones that never got there. */
export async function waitFleet(
  kc: KubeConfig,
  namespace: string,
  plans: RolloutPlan[],
  what: string,
  done: (p: RolloutPlan, live: Live | undefined) => boolean,
  timeoutMs: number,
): Promise<Map<string, Live>> {
  let behind: string[] = [];
  try {
    return await waitFor(
      async () => {
        const live = await fleetStatuses(kc, namespace);
        behind = plans.filter((p) => !done(p, live.get(p.name))).map((p) => brief(p, live.get(p.name)));
        return behind.length === 0 ? live : undefined;
      },
      { what: `every Rollout: ${what}`, timeoutMs, intervalMs: 1000 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nnot there: ${behind.slice(0, 10).join("; ")}`, {
      cause: err,
    });
  }
}

const brief = (p: RolloutPlan, l: Live | undefined): string =>
  `${p.name} (${p.good ? "good" : "bad"}): ${l?.status?.phase} step ${l?.status?.currentStepIndex} ${l?.status?.message ?? ""}`;

export type FleetReplicaSet = {
  name: string;
  rollout: string;
  hash: string;
  replicas: number;
  available: number;
  image: string;
};

export async function fleetReplicaSets(kc: KubeConfig, namespace: string): Promise<FleetReplicaSet[]> {
  const list = await kc
    .makeApiClient(AppsV1Api)
    .listNamespacedReplicaSet({ namespace, labelSelector: ROLLOUT_LABEL });
  return list.items.map((rs: V1ReplicaSet) => ({
    name: rs.metadata?.name ?? "",
    rollout: rs.metadata?.labels?.[ROLLOUT_LABEL] ?? "",
    hash: rs.metadata?.labels?.[HASH_LABEL] ?? "",
    replicas: rs.spec?.replicas ?? 0,
    available: rs.status?.availableReplicas ?? 0,
    image: rs.spec?.template?.spec?.containers[0]?.image ?? "",
  }));
}

/** Each HTTPRoute's canary share (percent) and resourceVersion, by name. */
export async function fleetRoutes(
  kc: KubeConfig,
  namespace: string,
): Promise<Map<string, { percent: number; rv: number }>> {
  const api = ROUTE_APIS.HTTPRoute;
  const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: api.group,
    version: api.version,
    plural: api.plural,
    namespace,
  })) as { items: { metadata: { name: string; resourceVersion: string }; spec?: Record<string, unknown> }[] };
  return new Map(
    list.items.map((r) => [
      r.metadata.name,
      { percent: canaryPercent(r, r.metadata.name), rv: Number(r.metadata.resourceVersion) },
    ]),
  );
}
