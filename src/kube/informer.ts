// A list-watch cache for one resource path that heals itself: it re-lists on 410 Gone (diffing against
// the cache so handlers see a consistent add/update/delete stream), resumes the watch after any other
// failure with jittered backoff, and never gives up until stop().
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import { type Logger, silentLogger } from "../observability/log.ts";
import type { Metrics } from "../observability/metrics.ts";
import { ApiError, type ListWatchSource, statusCodeOf, type WatchEvent } from "./client.ts";
import { ObjectIndex } from "./informer-index.ts";
import { describeRequest } from "./request-info.ts";

export interface InformerHandlers<T> {
  add: (obj: T) => void;
  update: (oldObj: T, newObj: T) => void;
  delete: (obj: T) => void;
}

export interface InformerOptions<T> {
  source: ListWatchSource;
  /** Collection path, cluster-wide (`/apis/ramp.dev/v1alpha1/rollouts`) or namespaced (`/api/v1/namespaces/x/services`). */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Applied to every object on ingest; undefined drops it. Defaults to stripManagedFields. */
  transform?: (raw: KubernetesObject) => T | undefined;
  metrics?: Metrics;
  log?: Logger;
  /** LIST page size; default 500. */
  pageSize?: number;
  /** Backoff between failed attempts (full jitter); default 200 ms doubling to 30 s. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Server-side watch timeout, drawn at random per watch so informers re-list at different times; default 300–600 s. */
  watchTimeoutSeconds?: { min: number; max: number };
  /** Source of randomness in [0, 1); tests make it deterministic. */
  random?: () => number;
}

type Entry<T> = { obj: T; rv: string };

/** Restart reasons as counted in ramp_kube_watch_restarts_total. */
type RestartReason = "gone" | "error" | "closed" | "timeout" | "stalled";

/** Drops metadata.managedFields, usually the largest part of an object and never needed by a controller. */
export function stripManagedFields<T extends KubernetesObject>(raw: T): T {
  if (raw.metadata?.managedFields === undefined) return raw;
  const { managedFields: _, ...metadata } = raw.metadata;
  return { ...raw, metadata };
}

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name ?? "";
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/**
 * Lists then watches one collection into a Map keyed by objectKey, calling handlers on every change.
 * Handlers and readers get the cached objects themselves: treat them as read-only.
 */
export class Informer<T extends KubernetesObject = KubernetesObject> {
  readonly #opts: InformerOptions<T>;
  readonly #transform: (raw: KubernetesObject) => T | undefined;
  readonly #log: Logger;
  readonly #resource: string;
  readonly #random: () => number;
  #store = new Map<string, Entry<T>>();
  readonly #indexes = new Map<string, ObjectIndex<T>>();
  readonly #handlers = {
    add: new Set<InformerHandlers<T>["add"]>(),
    update: new Set<InformerHandlers<T>["update"]>(),
    delete: new Set<InformerHandlers<T>["delete"]>(),
  };
  #resourceVersion: string | undefined;
  #synced = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #attempt: AbortController | undefined;
  readonly #syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  #untrack: (() => void) | undefined;

  constructor(opts: InformerOptions<T>) {
    this.#opts = opts;
    const transform = opts.transform ?? ((raw) => stripManagedFields(raw) as T);
    // A throwing transform would replay the same event forever; drop that object instead, loudly.
    this.#transform = (raw) => {
      try {
        return transform(raw);
      } catch (err) {
        this.#log.error({ err, object: objectKey(raw) }, "informer transform threw; object dropped");
        return undefined;
      }
    };
    this.#resource = describeRequest("GET", opts.path).resource;
    this.#log = (opts.log ?? silentLogger).child({ informer: this.#resource });
    this.#random = opts.random ?? Math.random;
  }

  /** Registers a handler; returns a function that removes it. Handler errors are logged, never thrown. */
  on<E extends keyof InformerHandlers<T>>(event: E, handler: InformerHandlers<T>[E]): () => void {
    const set = this.#handlers[event] as Set<InformerHandlers<T>[E]>;
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Starts listing and watching; resolves once the first LIST is in the cache (retried until it is). */
  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error(`informer ${this.#resource} was stopped`));
    this.#untrack ??= this.#opts.metrics?.kube.trackCache(this.#resource, () => this.#store.size);
    this.#loop ??= this.#run();
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => this.#syncWaiters.push({ resolve, reject }));
  }

  /** Ends the watch and every retry; resolves when nothing runs any more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#untrack?.();
    this.#attempt?.abort();
    for (const waiter of this.#syncWaiters.splice(0)) {
      waiter.reject(new Error(`informer ${this.#resource} stopped before it synced`));
    }
    await this.#loop;
  }

  /** True once the first LIST has been stored. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the next watch resumes from (undefined before a list or after 410 Gone). */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  get(key: string): T | undefined {
    return this.#store.get(key)?.obj;
  }

  list(): T[] {
    return Array.from(this.#store.values(), (e) => e.obj);
  }

  keys(): string[] {
    return [...this.#store.keys()];
  }

  /** Adds a secondary index, e.g. Service name → Rollouts naming it; fn returns the index values of an object. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    const index = new ObjectIndex((obj: T) => {
      try {
        return fn(obj);
      } catch (err) {
        this.#log.error({ err, index: name }, "informer index function threw");
        return [];
      }
    });
    for (const [key, entry] of this.#store) index.set(key, entry.obj);
    this.#indexes.set(name, index);
  }

  /** The cached objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`informer ${this.#resource} has no index ${name}`);
    const out: T[] = [];
    for (const key of index.keys(value)) {
      const entry = this.#store.get(key);
      if (entry) out.push(entry.obj);
    }
    return out;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let reason: RestartReason;
      try {
        if (this.#resourceVersion === undefined) await this.#relist();
        const result = await this.#watch();
        if (result.progressed) failures = 0;
        reason = result.reason;
      } catch (err) {
        if (this.#stopped) break;
        if (statusCodeOf(err) === 410) {
          // Our resourceVersion is older than the apiserver's history: start over from a fresh list.
          this.#resourceVersion = undefined;
          reason = "gone";
        } else {
          reason = "error";
        }
        this.#log.warn({ err, reason }, "watch failed");
      }
      if (this.#stopped) break;
      this.#opts.metrics?.kube.watchRestarts.inc({ resource: this.#resource, reason });
      // A watch that simply reached its timeout resumes at once; anything else waits first.
      if (reason !== "timeout") await this.#pause(failures++);
    }
  }

  async #relist(): Promise<void> {
    const next = new Map<string, Entry<T>>();
    const attempt = this.#newAttempt();
    let resourceVersion = "";
    let token: string | undefined;
    do {
      const query = this.#selectors({ limit: String(this.#opts.pageSize ?? 500) });
      if (token) query.continue = token;
      const page = await this.#opts.source.list(this.#opts.path, query, attempt.signal);
      // List items lack kind and apiVersion; add them so cached objects look like watched ones.
      const kind = page.kind?.replace(/List$/, "");
      for (const item of page.items) {
        const raw: KubernetesObject = { ...item };
        if (raw.kind === undefined && kind !== undefined) raw.kind = kind;
        if (raw.apiVersion === undefined && page.apiVersion !== undefined) raw.apiVersion = page.apiVersion;
        const obj = this.#transform(raw);
        if (obj !== undefined) next.set(objectKey(raw), { obj, rv: raw.metadata?.resourceVersion ?? "" });
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?.continue || undefined;
    } while (token);
    this.#replace(next);
    this.#resourceVersion = resourceVersion;
    this.#log.debug({ objects: next.size, resourceVersion }, "listed");
    if (!this.#synced) {
      this.#synced = true;
      for (const waiter of this.#syncWaiters.splice(0)) waiter.resolve();
    }
  }

  async #watch(): Promise<{ reason: RestartReason; progressed: boolean }> {
    const { min, max } = this.#opts.watchTimeoutSeconds ?? { min: 300, max: 600 };
    const timeoutSeconds = min + Math.floor(this.#random() * (max - min + 1));
    const attempt = this.#newAttempt();
    // The server ends the watch after timeoutSeconds; silence well past that means a dead connection.
    let stalled = false;
    const guard = setTimeout(
      () => {
        stalled = true;
        attempt.abort();
      },
      (timeoutSeconds + 30) * 1000,
    );
    guard.unref();
    const started = Date.now();
    let progressed = false;
    try {
      const query = this.#selectors({
        resourceVersion: this.#resourceVersion ?? "",
        allowWatchBookmarks: "true",
        timeoutSeconds: String(timeoutSeconds),
      });
      const events = await this.#opts.source.watch(this.#opts.path, query, attempt.signal);
      for await (const event of events) {
        this.#apply(event);
        progressed = true;
      }
    } catch (err) {
      if (stalled) return { reason: "stalled", progressed };
      throw err;
    } finally {
      clearTimeout(guard);
    }
    const ranFull = Date.now() - started >= timeoutSeconds * 1000 * 0.9;
    return { reason: ranFull ? "timeout" : "closed", progressed };
  }

  #apply(event: WatchEvent): void {
    const raw = event.object;
    if (event.type === "ERROR") {
      throw new ApiError(raw.code ?? 500, raw.message ?? "watch error", raw, {});
    }
    const rv = raw.metadata?.resourceVersion;
    if (event.type === "BOOKMARK") {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    const key = objectKey(raw);
    const prev = this.#store.get(key);
    const obj = event.type === "DELETED" ? undefined : this.#transform(raw);
    if (obj === undefined) {
      if (prev) {
        this.#delete(key);
        this.#emit("delete", prev.obj);
      }
    } else if (!prev) {
      this.#set(key, { obj, rv: rv ?? "" });
      this.#emit("add", obj);
    } else if (prev.rv !== rv) {
      this.#set(key, { obj, rv: rv ?? "" });
      this.#emitUpdate(prev.obj, obj);
    }
    if (rv) this.#resourceVersion = rv;
  }

  // Swaps in a fresh list and tells handlers what changed since the cache they last saw.
  #replace(next: Map<string, Entry<T>>): void {
    const old = this.#store;
    this.#store = next;
    for (const index of this.#indexes.values()) {
      index.clear();
      for (const [key, entry] of next) index.set(key, entry.obj);
    }
    for (const [key, entry] of next) {
      const prev = old.get(key);
      if (!prev) this.#emit("add", entry.obj);
      else if (prev.rv !== entry.rv) this.#emitUpdate(prev.obj, entry.obj);
    }
    for (const [key, prev] of old) if (!next.has(key)) this.#emit("delete", prev.obj);
  }

  #set(key: string, entry: Entry<T>): void {
    this.#store.set(key, entry);
    for (const index of this.#indexes.values()) index.set(key, entry.obj);
  }

  #delete(key: string): void {
    this.#store.delete(key);
    for (const index of this.#indexes.values()) index.remove(key);
  }

  #emit(event: "add" | "delete", obj: T): void {
    for (const handler of this.#handlers[event]) this.#safely(event, () => handler(obj));
  }

  #emitUpdate(oldObj: T, newObj: T): void {
    for (const handler of this.#handlers.update) this.#safely("update", () => handler(oldObj, newObj));
  }

  #safely(event: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#log.error({ err, event }, "informer handler threw");
    }
  }

  #selectors(query: Record<string, string>): Record<string, string> {
    if (this.#opts.labelSelector) query.labelSelector = this.#opts.labelSelector;
    if (this.#opts.fieldSelector) query.fieldSelector = this.#opts.fieldSelector;
    return query;
  }

  #newAttempt(): AbortController {
    this.#attempt = new AbortController();
    if (this.#stopped) this.#attempt.abort();
    return this.#attempt;
  }

  // Exponential backoff with full jitter: a random wait in [0, min(max, initial * 2^failures)).
  async #pause(failures: number): Promise<void> {
    const initial = this.#opts.backoff?.initialMs ?? 200;
    const max = this.#opts.backoff?.maxMs ?? 30_000;
    const ceiling = Math.min(max, initial * 2 ** Math.min(failures, 30));
    const attempt = this.#newAttempt();
    await sleep(Math.floor(this.#random() * ceiling), undefined, { signal: attempt.signal }).catch(() => {});
  }
}
