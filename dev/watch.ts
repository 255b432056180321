// A watch that outlives its connection: client-node ends a watch after 30 s without an event (and the
// apiserver ends them at its own timeout), so this resumes from the last version seen, and starts over
// with the current objects when that version is too old (410 Gone). Test and benchmark recorders use it.
import { type KubeConfig, Watch } from "@kubernetes/client-node";

export type WatchedObject = {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export type Follower = { stop(): void };

/** Calls `onEvent` for every ADDED/MODIFIED/DELETED under `path` until stopped; resolves once watching. */
export async function follow<T extends WatchedObject>(
  kc: KubeConfig,
  path: string,
  onEvent: (type: string, obj: T) => void,
): Promise<Follower> {
  const watch = new Watch(kc);
  let stopped = false;
  let current: AbortController | undefined;
  const open = async (from: string | undefined): Promise<void> => {
    if (stopped) return;
    let last = from;
    current = await watch.watch(
      path,
      last ? { resourceVersion: last, allowWatchBookmarks: true } : { allowWatchBookmarks: true },
      (type: string, obj: T) => {
        if (type === "ERROR") {
          last = undefined;
          return;
        }
        last = obj.metadata?.resourceVersion ?? last;
        if (type !== "BOOKMARK") onEvent(type, obj);
      },
      () => resume(last),
    );
  };
  const resume = (from: string | undefined): void => {
    if (stopped) return;
    setTimeout(() => void open(from).catch(() => resume(from)), 100).unref();
  };
  await open(undefined);
  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}
