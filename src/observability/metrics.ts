// ramp's Prometheus metrics: one Registry per controller (never prom-client's global one, so tests and
// two controllers in one process never share series), with typed handles for the kube/ layer.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import pkg from "../../package.json" with { type: "json" };

/** Labels of the work-queue series: `name` tells one controller's queue from another's. */
type QueueLabel = "name";

export interface Metrics {
  /** The registry to serve on /metrics. */
  readonly registry: Registry;
  readonly workqueue: {
    /** Keys waiting to be processed (ready now; delayed keys are not counted). */
    readonly depth: Gauge<QueueLabel>;
    /** Seconds a key waited between being added and a worker starting it. */
    readonly queueDuration: Histogram<QueueLabel>;
    /** Seconds one handler run took. */
    readonly workDuration: Histogram<QueueLabel>;
    /** Handler errors that led to a delayed retry. */
    readonly retries: Counter<QueueLabel>;
    /**
     * Reports a queue's runs in progress at each scrape, as seconds each has run so far (client-go's
     * unfinished_work_seconds and longest_running_processor_seconds); returns the call that stops it.
     */
    readonly trackRunning: (name: string, elapsed: () => number[]) => () => void;
  };
  readonly kube: {
    /** Every request to the apiserver, by verb, resource (RBAC style, e.g. `rollouts/status`) and code. */
    readonly requests: Counter<"verb" | "resource" | "code">;
    /** Seconds from sending a request to its answer, by verb and resource; watches are not requests here. */
    readonly requestDuration: Histogram<"verb" | "resource">;
    /** Requests sent again because the apiserver answered 429 or 5xx with Retry-After, by the answer's code. */
    readonly retries: Counter<"verb" | "resource" | "code">;
    /** Watches started again, by resource and why (gone, error, closed, timeout, stalled). */
    readonly watchRestarts: Counter<"resource" | "reason">;
    /** Events that could not be written (best effort, so only counted and logged). */
    readonly eventWriteFailures: Counter<"reason">;
    /** Events not sent because the recorder's backlog was full (a burst beyond what the apiserver takes). */
    readonly eventsDropped: Counter<"reason">;
    /** Counts a watch cache's objects under its resource at each scrape; returns the call that stops it. */
    readonly trackCache: (resource: string, size: () => number) => () => void;
  };
  /** What stays resident after a memory trim: the level a leak would raise, under V8's saw. */
  readonly memory: {
    readonly trims: Counter;
    readonly residentAfterTrim: Gauge;
    readonly heapUsedAfterTrim: Gauge;
  };
  /** 1 while this process holds the leader Lease, else 0. */
  readonly leader: Gauge;
  /** Always 1; its labels say which build is running. */
  readonly buildInfo: Gauge<"version" | "node">;
}

export interface MetricsOptions {
  /** Reported in ramp_build_info; defaults to package.json's version. */
  version?: string;
  /** Also export prom-client's process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

const misnamedDefaults = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

// Buckets from 1 ms to 5 min: a reconcile is usually milliseconds, a backed-off wait can be minutes.
const durationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
// Finer around 0.1–0.5 s, where a loaded apiserver's answers sit and the 250 ms reaction target lies.
const apiBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5, 10, 30];

/** Creates a fresh registry with every ramp metric registered on it. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total, which `promtool check metrics` rejects; process_* and heap metrics stay.
    for (const name of misnamedDefaults) registry.removeSingleMetric(name);
  }

  const buildInfo = new Gauge({
    name: "ramp_build_info",
    help: "Build information of the running ramp controller; always 1.",
    labelNames: ["version", "node"] as const,
    registers,
  });
  buildInfo.set({ version: opts.version ?? pkg.version, node: process.version }, 1);

  const leader = new Gauge({
    name: "ramp_leader",
    help: "1 while this process holds the leader election Lease, otherwise 0.",
    registers,
  });
  leader.set(0);

  // Read at scrape time, so an informer's event path pays nothing for it.
  const caches = new Map<string, Set<() => number>>();
  new Gauge({
    name: "ramp_kube_cache_objects",
    help: "Objects held in the controller's watch caches, by resource.",
    labelNames: ["resource"] as const,
    registers,
    collect() {
      this.reset();
      for (const [resource, sizes] of caches) {
        let n = 0;
        for (const size of sizes) n += size();
        this.set({ resource }, n);
      }
    },
  });
  const trackCache = (resource: string, size: () => number) => {
    const sizes = caches.get(resource) ?? new Set();
    caches.set(resource, sizes.add(size));
    return () => {
      sizes.delete(size);
      if (sizes.size === 0) caches.delete(resource);
    };
  };

  // Also read at scrape time: a run that never ends is seen while it hangs, not when it finishes.
  const running = new Map<string, () => number[]>();
  const eachQueue = (gauge: Gauge<QueueLabel>, of: (elapsed: number[]) => number) => {
    gauge.reset();
    for (const [name, elapsed] of running) gauge.set({ name }, of(elapsed()));
  };
  new Gauge({
    name: "ramp_workqueue_unfinished_work_seconds",
    help: "Seconds of work in progress not yet observed by work_duration (the sum over running handlers); a large value means stuck workers.",
    labelNames: ["name"] as const,
    registers,
    collect() {
      eachQueue(this, (e) => e.reduce((a, b) => a + b, 0));
    },
  });
  new Gauge({
    name: "ramp_workqueue_longest_running_processor_seconds",
    help: "Seconds the longest-running handler of the work queue has been running (0 when none runs).",
    labelNames: ["name"] as const,
    registers,
    collect() {
      eachQueue(this, (e) => Math.max(0, ...e));
    },
  });
  const trackRunning = (name: string, elapsed: () => number[]) => {
    running.set(name, elapsed);
    return () => {
      if (running.get(name) === elapsed) running.delete(name);
    };
  };

  return {
    registry,
    workqueue: {
      depth: new Gauge({
        name: "ramp_workqueue_depth",
        help: "Keys ready to be processed in the work queue.",
        labelNames: ["name"] as const,
        registers,
      }),
      queueDuration: new Histogram({
        name: "ramp_workqueue_queue_duration_seconds",
        help: "Time a key waited in the work queue before a worker started it.",
        labelNames: ["name"] as const,
        buckets: durationBuckets,
        registers,
      }),
      workDuration: new Histogram({
        name: "ramp_workqueue_work_duration_seconds",
        help: "Time one work queue handler run took.",
        labelNames: ["name"] as const,
        buckets: durationBuckets,
        registers,
      }),
      retries: new Counter({
        name: "ramp_workqueue_retries_total",
        help: "Handler errors in the work queue that were retried with backoff.",
        labelNames: ["name"] as const,
        registers,
      }),
      trackRunning,
    },
    kube: {
      requests: new Counter({
        name: "ramp_kube_api_requests_total",
        help: "Requests to the Kubernetes API by verb, resource and HTTP status code.",
        labelNames: ["verb", "resource", "code"] as const,
        registers,
      }),
      requestDuration: new Histogram({
        name: "ramp_kube_api_request_duration_seconds",
        help: "Time one request to the Kubernetes API took, from send to answer, by verb and resource (watches excluded).",
        labelNames: ["verb", "resource"] as const,
        buckets: apiBuckets,
        registers,
      }),
      retries: new Counter({
        name: "ramp_kube_api_retries_total",
        help: "Requests to the Kubernetes API sent again after a Retry-After, by verb, resource and the answer's code.",
        labelNames: ["verb", "resource", "code"] as const,
        registers,
      }),
      watchRestarts: new Counter({
        name: "ramp_kube_watch_restarts_total",
        help: "Watches started again by resource and reason.",
        labelNames: ["resource", "reason"] as const,
        registers,
      }),
      eventWriteFailures: new Counter({
        name: "ramp_kube_event_write_failures_total",
        help: "Kubernetes Events that could not be written.",
        labelNames: ["reason"] as const,
        registers,
      }),
      eventsDropped: new Counter({
        name: "ramp_kube_events_dropped_total",
        help: "Kubernetes Events not sent because the recorder's backlog was full, by Event reason.",
        labelNames: ["reason"] as const,
        registers,
      }),
      trackCache,
    },
    memory: {
      trims: new Counter({
        name: "ramp_memory_trims_total",
        help: "Memory-reducing collections the controller ran to give back V8's pool of freed pages.",
        registers,
      }),
      residentAfterTrim: new Gauge({
        name: "ramp_memory_resident_after_trim_bytes",
        help: "Resident memory right after the last memory trim (0 before the first).",
        registers,
      }),
      heapUsedAfterTrim: new Gauge({
        name: "ramp_memory_heap_used_after_trim_bytes",
        help: "Live JS heap right after the last memory trim (0 before the first).",
        registers,
      }),
    },
    leader,
    buildInfo,
  };
}
