// Records core/v1 Events about ramp's objects. Repeats of the same (object, type, reason, message) within
// ten minutes bump count and lastTimestamp on the existing Event instead of creating another, as
// client-go's EventCorrelator does. Events are best effort: failures are logged and counted, never thrown.
// They go out a few at a time behind a bounded backlog, as client-go's broadcaster sends them: in a burst of
// a thousand Rollouts they trail the writes that move traffic instead of competing with them.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import pLimit, { type LimitFunction } from "p-limit";
import { type Logger, silentLogger } from "../observability/log.ts";
import type { Metrics } from "../observability/metrics.ts";
import { type Clients, PatchType, statusCodeOf } from "./client.ts";

export type EventType = "Normal" | "Warning";

/** Event messages are cut to this many UTF-8 bytes. */
export const maxMessageBytes = 1024;

export interface EventRecorderOptions {
  clients: Pick<Clients, "request">;
  /** This process's identity, written as reportingInstance (e.g. the leader-election identity). */
  identity: string;
  /** source.component and reportingComponent; default "ramp-controller". */
  component?: string;
  /** Repeats within this window are aggregated; default 10 min. */
  aggregationWindowMs?: number;
  /** Distinct recent Events remembered for aggregation; default 4096. */
  maxCached?: number;
  /** Event writes sent at once; default 8. */
  maxInFlight?: number;
  /**
   * Events waiting to be sent beyond which new ones are dropped (and counted); default 10,000, about
   * 10 MB at most: at 1,000 (client-go's) a thousand Rollouts shipped together dropped 400–800 of 6,000.
   */
  maxQueued?: number;
  metrics?: Metrics;
  log?: Logger;
  now?: () => number;
}

type Recent = { namespace: string; name: string; count: number; lastMs: number };

/** Writes Events for one controller process; share one instance so repeats aggregate. */
export class EventRecorder {
  readonly #opts: EventRecorderOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #component: string;
  /** Recently written Events by aggregation key, oldest first (Map keeps insertion order). */
  readonly #recent = new Map<string, Recent>();
  /** Writes in progress per aggregation key, so repeats fired together still aggregate. */
  readonly #inflight = new Map<string, Promise<void>>();
  /** The lane every Event write goes through. */
  readonly #lane: LimitFunction;
  /** Events accepted and not yet written (or given up). */
  #backlog = 0;

  constructor(opts: EventRecorderOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? silentLogger;
    this.#now = opts.now ?? Date.now;
    this.#component = opts.component ?? "ramp-controller";
    this.#lane = pLimit(opts.maxInFlight ?? 8);
  }

  /** Events accepted and not yet written (or given up). */
  get backlog(): number {
    return this.#backlog;
  }

  /** Resolves when every accepted Event has been written or given up, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    // The last write per key chains every earlier one for that key, so these are all that is pending.
    const pending = Promise.allSettled([...this.#inflight.values()]);
    // Unref'd: a timer left running after everything was written never holds the process.
    await Promise.race([pending, sleep(timeoutMs, undefined, { ref: false })]);
  }

  /**
   * Records an Event about `obj` (which needs kind, apiVersion, metadata.name and, to link it, uid).
   * Never rejects; await it only to know the write is done.
   */
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    if (this.#backlog >= (this.#opts.maxQueued ?? 10_000)) {
      this.#opts.metrics?.kube.eventsDropped.inc({ reason });
      this.#log.debug({ reason, object: obj.metadata?.name }, "event dropped: backlog full");
      return Promise.resolve();
    }
    this.#backlog++;
    const text = truncateUtf8(message, maxMessageBytes);
    const meta = obj.metadata ?? {};
    const key = [obj.apiVersion, obj.kind, meta.namespace, meta.name, meta.uid, type, reason, text].join(
      "\u0000",
    );
    const previous = this.#inflight.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => this.#write(key, obj, type, reason, text))
      .finally(() => this.#backlog--);
    this.#inflight.set(key, next);
    void next.then(() => {
      if (this.#inflight.get(key) === next) this.#inflight.delete(key);
    });
    return next;
  }

  normal(obj: KubernetesObject, reason: string, message: string): Promise<void> {
    return this.event(obj, "Normal", reason, message);
  }

  warning(obj: KubernetesObject, reason: string, message: string): Promise<void> {
    return this.event(obj, "Warning", reason, message);
  }

  async #write(
    key: string,
    obj: KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const now = this.#now();
    try {
      const recent = this.#recent.get(key);
      if (recent && now - recent.lastMs < (this.#opts.aggregationWindowMs ?? 10 * 60_000)) {
        if (await this.#bump(recent, now)) return;
      }
      await this.#create(key, obj, type, reason, message, now);
    } catch (err) {
      this.#opts.metrics?.kube.eventWriteFailures.inc({ reason });
      this.#log.warn({ err, reason, object: obj.metadata?.name }, "event not recorded");
    }
  }

  // Counts one more occurrence on the existing Event; false when it is gone (Events expire, 1 h default).
  async #bump(recent: Recent, now: number): Promise<boolean> {
    const path = `/api/v1/namespaces/${recent.namespace}/events/${recent.name}`;
    const patch = { count: recent.count + 1, lastTimestamp: isoSeconds(now) };
    try {
      await this.#lane(() => this.#opts.clients.request("PATCH", path, patch, PatchType.merge));
    } catch (err) {
      if (statusCodeOf(err) === 404) return false;
      throw err;
    }
    recent.count += 1;
    recent.lastMs = now;
    return true;
  }

  async #create(
    key: string,
    obj: KubernetesObject,
    type: EventType,
    reason: string,
    message: string,
    now: number,
  ) {
    const meta = obj.metadata ?? {};
    const objName = meta.name ?? "unknown";
    // Events about cluster-scoped objects live in "default", as kubectl and client-go put them.
    const namespace = meta.namespace || "default";
    const name = `${objName}.${now.toString(16)}${randomBytes(3).toString("hex")}`;
    const stamp = isoSeconds(now);
    const involvedObject: Record<string, string> = { name: objName };
    if (obj.apiVersion) involvedObject.apiVersion = obj.apiVersion;
    if (obj.kind) involvedObject.kind = obj.kind;
    if (meta.namespace) involvedObject.namespace = meta.namespace;
    if (meta.uid) involvedObject.uid = meta.uid;
    if (meta.resourceVersion) involvedObject.resourceVersion = meta.resourceVersion;
    const body = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject,
      type,
      reason,
      message,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#opts.identity,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
    };
    await this.#lane(() =>
      this.#opts.clients.request("POST", `/api/v1/namespaces/${namespace}/events`, body),
    );
    this.#remember(key, { namespace, name, count: 1, lastMs: now });
  }

  #remember(key: string, recent: Recent): void {
    this.#recent.delete(key);
    this.#recent.set(key, recent);
    const max = this.#opts.maxCached ?? 4096;
    for (const oldest of this.#recent.keys()) {
      if (this.#recent.size <= max) break;
      this.#recent.delete(oldest);
    }
  }
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes, never inside a character, marking the cut with "…". */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const ellipsis = "…";
  let budget = maxBytes - Buffer.byteLength(ellipsis, "utf8");
  let out = "";
  for (const ch of text) {
    budget -= Buffer.byteLength(ch, "utf8");
    if (budget < 0) break;
    out += ch;
  }
  return out + ellipsis;
}

// core/v1 Event timestamps are metav1.Time: RFC 3339 with whole seconds.
function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
