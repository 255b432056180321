// Wires caches, the work queue, the reconciler, leader election and the HTTP endpoints into one controller.
import type { Logger } from "pino";
import { controllerWebPolicy } from "../analysis/providers/web-policy.ts";
import type { EventSink } from "../core/ports.ts";
import { EventRecorder } from "../kube/events.ts";
import { objectKey } from "../kube/informer.ts";
import { loadConnection } from "../kube/kubeconfig.ts";
import { LeaderElector, leaseApi } from "../kube/leader.ts";
import { WorkQueue } from "../kube/workqueue.ts";
import { type HttpServer, startHttpServer } from "../observability/http.ts";
import { createMetrics } from "../observability/metrics.ts";
import { RolloutMetrics } from "../observability/rollout-metrics.ts";
import { rolloutStateCollector } from "../observability/rollout-state.ts";
import { Reconciler } from "../reconcile/reconciler.ts";
import { analysisController } from "./analysis-runs.ts";
import { ControllerCaches } from "./caches.ts";
import { controllerClients } from "./clients.ts";
import { InFlight, livenessChecks } from "./liveness.ts";
import { startMemoryTrim } from "./memory-trim.ts";
import { controllerNotifications } from "./notifications.ts";
import { notifierStatusController } from "./notifier-status.ts";
import type { ControllerOptions } from "./options.ts";
import { kubePods } from "./pods.ts";
import { secretReader } from "./secrets.ts";
import { kubeWriter } from "./writer.ts";

export type RunningController = { stop(): Promise<void> };

/** A leader may go this long past its Lease's expiry unrenewed before /healthz fails (client-go's 20 s). */
const LEASE_TOLERANCE_MS = 20_000;

export async function runController(
  opts: ControllerOptions,
  log: Logger,
  onFatal: (reason: string) => void,
): Promise<RunningController> {
  const conn = loadConnection({ kubeconfig: opts.kubeconfig });
  const metrics = createMetrics();
  const { clients, leaseClients } = controllerClients(conn, metrics, opts);
  const caches = new ControllerCaches(clients, { namespace: opts.namespace, metrics, log });
  const recorder = new EventRecorder({ clients, identity: opts.identity, metrics, log });
  const events: EventSink = {
    record: (t, e) =>
      void recorder.event(
        {
          apiVersion: t.apiVersion,
          kind: t.kind,
          metadata: { name: t.name, namespace: t.namespace, uid: t.uid },
        },
        e.type,
        e.reason,
        e.message,
      ),
  };
  const rolloutMetrics = new RolloutMetrics(metrics.registry, {
    exists: (key) => caches.rollout(key) !== undefined,
  });
  const webPolicy = controllerWebPolicy(opts);
  // Receipts ask for a status write; the queue exists below, and only a leader's hub ever delivers.
  let requeue: (key: string) => void = () => {};
  const secrets = secretReader(clients);
  const notifications = controllerNotifications({
    caches,
    metrics,
    log,
    policy: webPolicy,
    events,
    requeue: (key) => requeue(key),
    secret: secrets,
    giveUpAfterMs: opts.notifyGiveUpMs,
    links: { dashboard: opts.dashboardUrl, grafana: opts.grafanaUrl },
  });
  const reconciler = new Reconciler(
    {
      caches,
      writer: kubeWriter(clients),
      pods: kubePods(clients),
      events,
      log,
      now: Date.now,
      notify: notifications.hub,
    },
    (o) => rolloutMetrics.observe(o),
  );
  const reconciles = new InFlight();
  const analysisReconciles = new InFlight();
  const queue = new WorkQueue({
    name: "rollouts",
    workers: opts.workers,
    metrics,
    log,
    handler: async (key) => {
      const started = performance.now();
      const result = await reconciles.track(key, () =>
        rolloutMetrics.time(key, () => reconciler.reconcile(key)),
      );
      log.debug(
        { key, ms: Math.round(performance.now() - started), requeueAfterMs: result?.requeueAfterMs },
        "reconciled",
      );
      return result;
    },
  });

  // Only the leader reconciles; followers keep warm caches so a takeover starts at once.
  let leading = false;
  requeue = (key) => {
    if (leading) queue.add(key);
  };
  let stopping = false;
  caches.routeEvents((key, urgent) => {
    if (leading) queue.add(key, { urgent });
  });
  caches.rollouts.on("delete", (o) => {
    reconciler.forget(objectKey(o));
    rolloutMetrics.forget(objectKey(o));
    notifications.hub.forget(objectKey(o));
  });
  const analysis = analysisController({
    clients,
    caches,
    metrics,
    log,
    namespace: opts.namespace,
    workers: opts.workers,
    inFlight: analysisReconciles,
    leading: () => leading,
    web: webPolicy,
  });
  const notifierStatus = notifierStatusController({
    clients,
    caches,
    metrics,
    log,
    policy: webPolicy,
    secret: secrets,
    leading: () => leading,
  });
  const lead = () => {
    leading = true;
    log.info({ identity: opts.identity }, "leading");
    for (const key of caches.rollouts.keys()) queue.add(key);
    analysis.enqueueAll();
    notifierStatus.enqueueAll();
  };

  let elector: LeaderElector | undefined;
  const servers: HttpServer[] = [];
  // The Rollout state series are rendered from the caches at each scrape, by followers too (warm caches).
  const collectors = [rolloutStateCollector(caches)];
  servers.push(
    await startHttpServer({
      addr: opts.metricsAddr,
      routes: { registry: metrics.registry, collectors },
      log,
    }),
  );
  servers.push(
    await startHttpServer({
      addr: opts.healthAddr,
      routes: {
        healthz: {
          process: () => !stopping,
          ...livenessChecks({
            elector: () => elector,
            leaseToleranceMs: LEASE_TOLERANCE_MS,
            reconciles: [reconciles, analysisReconciles],
            stuckReconcileMs: opts.stuckReconcileMs,
            onFailure: (what) => log.error(what, "liveness check failed"),
          }),
        },
        readyz: { caches: () => caches.synced() },
      },
      log,
    }),
  );

  const trim = startMemoryTrim({ log, metrics: metrics.memory });
  await Promise.all([caches.start(), analysis.jobs.start()]);
  log.info(
    { namespace: opts.namespace ?? "(all)", rollouts: caches.rollouts.keys().length },
    "caches synced",
  );

  if (leaseClients) {
    elector = new LeaderElector({
      // Outside --kube-api-qps: renewals never queue behind a burst of reconciles (clients.ts).
      leases: leaseApi(leaseClients),
      namespace: opts.leaseNamespace,
      name: opts.leaseName,
      identity: opts.identity,
      metrics,
      log,
      onStartedLeading: lead,
      onStoppedLeading: () => {
        leading = false;
        // A deposed leader must not write again: exit, and let the next process start as a follower.
        if (!stopping) onFatal("lost the leader lease");
      },
    });
    elector.start();
  } else {
    metrics.leader.set(1);
    lead();
  }

  return {
    async stop() {
      stopping = true;
      leading = false;
      trim?.stop();
      await Promise.all([queue.shutdown(), analysis.stop(), notifications.stop(), notifierStatus.stop()]);
      // Events trail the writes they describe; give the last ones a moment while this process still leads.
      await recorder.flush(5_000);
      await elector?.release();
      await caches.stop();
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all([clients.close(), leaseClients?.close()]);
    },
  };
}
