// The Notifier status controller: each Notifier and ClusterNotifier gets a Ready condition that says
// whether it can work and, if not, the fix. Secrets are not watched, so a broken one is looked at again.
import type { Logger } from "pino";
import type { WebPolicy } from "../analysis/providers/web-policy.ts";
import { ClusterNotifier, type Condition, Notifier } from "../api/index.ts";
import { FIELD_MANAGER } from "../api/labels.ts";
import { type Clients, PatchType, statusCodeOf } from "../kube/client.ts";
import { objectKey } from "../kube/informer.ts";
import { WorkQueue } from "../kube/workqueue.ts";
import { checkNotifier, type Verdict } from "../notify/check.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { ControllerCaches } from "./caches.ts";

/** A broken Notifier is looked at again this often (its Secret may have been created since). */
const RECHECK_BROKEN_MS = 10_000;
/** A working one too, less often (its Secret may have gone). */
const RECHECK_READY_MS = 300_000;

type Raw = {
  metadata?: { name?: string; namespace?: string; generation?: number };
  status?: { conditions?: Condition[] };
};

export function notifierStatusController(opts: {
  clients: Clients;
  caches: ControllerCaches;
  metrics: Metrics;
  log: Logger;
  policy: WebPolicy;
  secret: (namespace: string, name: string, key: string) => Promise<string>;
  leading: () => boolean;
  now?: () => number;
}): { queue: WorkQueue; enqueueAll(): void; stop(): Promise<void> } {
  const { caches, clients } = opts;
  const now = opts.now ?? Date.now;
  // Keys: "Notifier/ns/name" or "ClusterNotifier/name".
  const handler = async (key: string) => {
    const [kind, ...rest] = key.split("/");
    const cluster = kind === "ClusterNotifier";
    const raw = (
      cluster ? caches.clusterNotifiers.get(rest[0] ?? "") : caches.notifiers.get(rest.join("/"))
    ) as Raw | undefined;
    if (!raw?.metadata?.name) return undefined;
    const parsed = (cluster ? ClusterNotifier : Notifier).safeParse(raw);
    const namespace = raw.metadata.namespace;
    const verdict: Verdict = parsed.success
      ? await checkNotifier(parsed.data.spec, {
          namespace,
          policy: opts.policy,
          secret: (ref) => opts.secret(ref.namespace ?? namespace ?? "", ref.name, ref.key),
        })
      : {
          ok: false,
          code: "InvalidSpec",
          message: parsed.error.issues
            .map((i) => `spec.${i.path.slice(1).join(".")}: ${i.message}`)
            .join("; "),
        };
    const generation = raw.metadata.generation;
    const old = raw.status?.conditions?.find((c) => c.type === "Ready");
    const want = {
      type: "Ready",
      status: verdict.ok ? "True" : "False",
      reason: verdict.ok ? "Ready" : verdict.code,
      message: verdict.message,
    } as const;
    const same =
      old?.status === want.status &&
      old.reason === want.reason &&
      old.message === want.message &&
      old.observedGeneration === generation;
    if (!same) {
      const condition: Condition = {
        ...want,
        ...(generation === undefined ? {} : { observedGeneration: generation }),
        lastTransitionTime:
          old?.status === want.status ? old.lastTransitionTime : new Date(now()).toISOString(),
      };
      const path = cluster
        ? `/apis/ramp.dev/v1alpha1/clusternotifiers/${raw.metadata.name}/status`
        : `/apis/ramp.dev/v1alpha1/namespaces/${namespace}/notifiers/${raw.metadata.name}/status`;
      const body = {
        status: {
          ...(generation === undefined ? {} : { observedGeneration: generation }),
          conditions: [condition],
        },
      };
      try {
        await clients.request("PATCH", `${path}?fieldManager=${FIELD_MANAGER}`, body, PatchType.merge);
      } catch (err) {
        if (statusCodeOf(err) !== 404) throw err;
      }
      opts.log.info({ notifier: key, ready: want.status, reason: want.reason }, "notifier checked");
    }
    return { requeueAfterMs: verdict.ok ? RECHECK_READY_MS : RECHECK_BROKEN_MS, urgent: false };
  };
  const queue = new WorkQueue({
    name: "notifiers",
    handler,
    workers: 2,
    metrics: opts.metrics,
    log: opts.log,
  });
  const keyOf = (kind: string, o: { metadata?: { name?: string; namespace?: string } }) =>
    kind === "ClusterNotifier" ? `ClusterNotifier/${o.metadata?.name}` : `Notifier/${objectKey(o as never)}`;
  const changed = (a: Raw | undefined, b: Raw) => a?.metadata?.generation !== b.metadata?.generation;
  for (const [kind, inf] of [
    ["Notifier", caches.notifiers],
    ["ClusterNotifier", caches.clusterNotifiers],
  ] as const) {
    inf.on("add", (o) => opts.leading() && queue.add(keyOf(kind, o)));
    inf.on(
      "update",
      (old, o) => opts.leading() && changed(old as Raw, o as Raw) && queue.add(keyOf(kind, o)),
    );
  }
  return {
    queue,
    enqueueAll() {
      for (const o of caches.notifiers.list()) queue.add(keyOf("Notifier", o));
      for (const o of caches.clusterNotifiers.list()) queue.add(keyOf("ClusterNotifier", o));
    },
    stop: () => queue.shutdown(),
  };
}
