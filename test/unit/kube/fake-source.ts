// An in-memory apiserver for one collection: LIST with pages, and watches the test feeds event by event.
import { ApiException, type KubernetesObject } from "@kubernetes/client-node";
import type { ListWatchSource, RawList, WatchEvent } from "../../../src/kube/client.ts";

/** A watch stream the test drives: push events, end it, or break it. */
export class FakeStream implements AsyncIterable<WatchEvent> {
  readonly query: Record<string, string>;
  #items: (WatchEvent | { end: true } | { error: Error })[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  constructor(query: Record<string, string>, signal: AbortSignal) {
    this.query = query;
    signal.addEventListener("abort", () => this.fail(new Error("aborted")));
  }

  push(event: WatchEvent): void {
    this.#items.push(event);
    this.#wake?.();
  }

  end(): void {
    this.#items.push({ end: true });
    this.#wake?.();
  }

  fail(error: Error): void {
    this.#items.push({ error });
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent> {
    try {
      for (;;) {
        const item = this.#items.shift();
        if (item === undefined) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          continue;
        }
        if ("end" in item) return;
        if ("error" in item) throw item.error;
        yield item;
      }
    } finally {
      this.closed = true;
    }
  }
}

export class FakeSource implements ListWatchSource {
  readonly objects = new Map<string, KubernetesObject>();
  readonly lists: Record<string, string>[] = [];
  readonly streams: FakeStream[] = [];
  /** Errors the next watch() calls throw instead of opening a stream, in order. */
  readonly watchErrors: Error[] = [];
  #rv = 100;

  /** Changes the store (as the apiserver would) and returns the object with its new resourceVersion. */
  put(name: string, data: Record<string, string> = {}): KubernetesObject {
    const obj = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        namespace: "ns",
        resourceVersion: String(++this.#rv),
        managedFields: [{ manager: "test" }],
      },
      data,
    };
    this.objects.set(name, obj);
    return obj;
  }

  remove(name: string): KubernetesObject | undefined {
    const obj = this.objects.get(name);
    this.objects.delete(name);
    this.#rv++;
    return obj;
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  async list(_path: string, query: Record<string, string>): Promise<RawList> {
    this.lists.push(query);
    const all = [...this.objects.values()].sort((a, b) =>
      (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
    );
    const start = Number(query.continue ?? "0");
    const limit = Number(query.limit ?? "500");
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    // Items of a real LIST carry no kind or apiVersion.
    const items = page.map(({ kind: _k, apiVersion: _a, ...rest }) => structuredClone(rest));
    return {
      apiVersion: "v1",
      kind: "ConfigMapList",
      metadata: next
        ? { resourceVersion: this.resourceVersion, continue: next }
        : { resourceVersion: this.resourceVersion },
      items,
    };
  }

  async watch(
    _path: string,
    query: Record<string, string>,
    signal: AbortSignal,
  ): Promise<AsyncIterable<WatchEvent>> {
    const error = this.watchErrors.shift();
    if (error) throw error;
    const stream = new FakeStream(query, signal);
    this.streams.push(stream);
    return stream;
  }

  /** The stream the informer currently reads. */
  get current(): FakeStream | undefined {
    return this.streams.at(-1);
  }
}

export function gone(): ApiException<unknown> {
  return new ApiException(410, "too old resource version", { code: 410, reason: "Expired" }, {});
}
