// Records every version of a namespace's Rollouts and ReplicaSets as the watch delivers them, so tests
// can assert on everything that happened ("the canary never exceeded the step's weight"), not just the end.
import { type KubeConfig, Watch } from "@kubernetes/client-node";

export type Seen<T> = { at: number; type: string; obj: T };
type Obj = {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export class History {
  readonly rollouts: Seen<Obj>[] = [];
  readonly replicaSets: Seen<Obj>[] = [];
  readonly services: Seen<Obj>[] = [];
  readonly #aborts: AbortController[] = [];
  #stopped = false;

  static async start(kc: KubeConfig, namespace: string): Promise<History> {
    const h = new History();
    const paths: [string, Seen<Obj>[]][] = [
      [`/apis/ramp.dev/v1alpha1/namespaces/${namespace}/rollouts`, h.rollouts],
      [`/apis/apps/v1/namespaces/${namespace}/replicasets`, h.replicaSets],
      [`/api/v1/namespaces/${namespace}/services`, h.services],
    ];
    for (const [path, into] of paths) await h.#follow(new Watch(kc), path, into, undefined);
    return h;
  }

  // A watch the apiserver ends (timeout, slow consumer) resumes from the last version seen, so no
  // version is missed; one too old to resume (410) starts over with the current objects.
  async #follow(watch: Watch, path: string, into: Seen<Obj>[], from: string | undefined): Promise<void> {
    if (this.#stopped) return;
    let last = from;
    const ctl = await watch.watch(
      path,
      last ? { resourceVersion: last, allowWatchBookmarks: true } : { allowWatchBookmarks: true },
      (type, obj: Obj & { metadata?: { resourceVersion?: string } }) => {
        if (type === "ERROR") {
          last = undefined;
          return;
        }
        last = obj.metadata?.resourceVersion ?? last;
        if (type !== "BOOKMARK") into.push({ at: Date.now(), type, obj });
      },
      () => this.#resume(watch, path, into, last),
    );
    this.#aborts.push(ctl);
  }

  #resume(watch: Watch, path: string, into: Seen<Obj>[], from: string | undefined): void {
    setTimeout(() => {
      this.#follow(watch, path, into, from).catch(() => this.#resume(watch, path, into, from));
    }, 100);
  }

  stop(): void {
    this.#stopped = true;
    for (const a of this.#aborts) a.abort();
  }

  /** Every status version of one Rollout, in order. */
  statuses(name: string): Seen<Record<string, unknown>>[] {
    return this.rollouts
      .filter((s) => s.obj.metadata?.name === name && s.obj.status)
      .map((s) => ({ ...s, obj: s.obj.status as Record<string, unknown> }));
  }

  /** Every (name, spec.replicas) a ReplicaSet of the Rollout had, in order. */
  replicaSetScales(rollout: string): { at: number; name: string; hash: string; replicas: number }[] {
    return this.replicaSets
      .filter((s) => s.obj.metadata?.labels?.["ramp.dev/rollout"] === rollout)
      .map((s) => ({
        at: s.at,
        name: s.obj.metadata?.name ?? "",
        hash: s.obj.metadata?.labels?.["ramp.dev/pod-template-hash"] ?? "",
        replicas: Number(s.obj.spec?.replicas ?? 0),
      }));
  }
}
