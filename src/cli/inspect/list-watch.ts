// `list --watch` and `get --watch` follow the apiserver's watch, never poll: a list, then a watch from its
// resourceVersion, resumed from the last version seen when the server ends it, and listed again on
// 410 Gone (the version is too old), as client-go's reflector does.
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeApi } from "../api.ts";

export type WatchEvent = {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: { metadata?: { resourceVersion?: string }; code?: number; message?: string };
};

export interface ListWatchSource {
  list(): Promise<{ items: unknown[]; resourceVersion: string }>;
  /** Events after `resourceVersion` until the server ends the watch. */
  watch(resourceVersion: string, signal: AbortSignal): AsyncIterable<WatchEvent>;
}

export type ListWatchHandlers = {
  /** The whole list: first, and again after a 410. */
  listed(items: unknown[]): void;
  /** An added, changed or deleted object. */
  changed(event: WatchEvent): void;
  /** A failed list or watch; it is retried after a pause. */
  failed?(err: unknown): void;
};

const gone = (err: unknown) => typeof err === "object" && err !== null && "code" in err && err.code === 410;

/** Runs until `signal` aborts. */
export async function listWatch(
  source: ListWatchSource,
  on: ListWatchHandlers,
  signal: AbortSignal,
  retryMs = 1000,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const listed = await source.list();
      on.listed(listed.items);
      let version = listed.resourceVersion;
      for (;;) {
        for await (const event of source.watch(version, signal)) {
          if (event.type === "ERROR") throw Object.assign(new Error(event.object.message), event.object);
          version = event.object.metadata?.resourceVersion ?? version;
          if (event.type !== "BOOKMARK") on.changed(event);
        }
        // The server ended the watch (its timeout): resume where it stopped.
        if (signal.aborted) return;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!gone(err)) {
        on.failed?.(err);
        await sleep(retryMs, undefined, { signal }).catch(() => {});
      }
    }
  }
}

/** A list and watch of `path` (e.g. /apis/ramp.dev/v1alpha1/namespaces/shop/rollouts) on the cluster. */
export function kubeSource(
  api: KubeApi,
  path: string,
  query: { labelSelector?: string; fieldSelector?: string },
  list: () => Promise<{ items?: unknown[]; metadata?: { resourceVersion?: string } }>,
): ListWatchSource {
  const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ""));
  return {
    async list() {
      const l = await list();
      return { items: l.items ?? [], resourceVersion: l.metadata?.resourceVersion ?? "" };
    },
    async *watch(resourceVersion, signal) {
      const lines = api.watchLines(path, { ...params, resourceVersion, allowWatchBookmarks: "true" }, signal);
      for await (const line of lines) yield JSON.parse(line) as WatchEvent;
    },
  };
}
