// Records every version of a namespace's Rollouts and ReplicaSets as the watch delivers them, so tests
// can assert on everything that happened ("the canary never exceeded the step's weight"), not just the end.
import type { KubeConfig } from "@kubernetes/client-node";
import { type Follower, follow } from "../../../dev/watch.ts";

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
  readonly #followers: Follower[] = [];

  static async start(kc: KubeConfig, namespace: string): Promise<History> {
    const h = new History();
    const paths: [string, Seen<Obj>[]][] = [
      [`/apis/ramp.dev/v1alpha1/namespaces/${namespace}/rollouts`, h.rollouts],
      [`/apis/apps/v1/namespaces/${namespace}/replicasets`, h.replicaSets],
      [`/api/v1/namespaces/${namespace}/services`, h.services],
    ];
    for (const [path, into] of paths) {
      h.#followers.push(await follow<Obj>(kc, path, (type, obj) => into.push({ at: Date.now(), type, obj })));
    }
    return h;
  }

  stop(): void {
    for (const f of this.#followers) f.stop();
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
