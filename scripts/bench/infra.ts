// What the benchmark sets up around the controller and takes down again: fake Nodes enough for its pods,
// its namespace, and the controller's CPU profile and heap snapshot.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { defaultNodeCount, defaultNodeShape, ensureNodes, nodeNamePrefix } from "../../dev/cluster/nodes.ts";
import type { ControllerProcess } from "../../dev/controller.ts";
import { kubectl, loadKubeConfig } from "../../dev/kube.ts";
import { waitUntil } from "./progress.ts";

export class Infra {
  namespace: string | undefined;
  readonly #say: (msg: string) => void;
  #addedNodes: string[] = [];

  constructor(say: (msg: string) => void) {
    this.#say = say;
  }

  /** Enough fake Nodes for `pods` more pods than run now (with room to spare); returns how many there are. */
  async nodesFor(pods: number): Promise<number> {
    const core = loadKubeConfig().makeApiClient(CoreV1Api);
    const before = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
    // Pods already there (other tests, a run killed before its cleanup) take node capacity too.
    const page = await core.listPodForAllNamespaces({ limit: 1 });
    const running = page.items.length + (page.metadata?.remainingItemCount ?? 0);
    const count = Math.max(
      defaultNodeCount(),
      Math.ceil(((pods + running) * 1.25) / defaultNodeShape().pods),
    );
    const names = await ensureNodes(count, { timeoutMs: 120_000 });
    this.#addedNodes = names.filter((n) => !before.has(n));
    if (this.#addedNodes.length > 0)
      this.#say(`added ${this.#addedNodes.length} fake Nodes (${count} in all)`);
    return count;
  }

  waitUntil(done: () => boolean, what: string, timeoutMs: number, progress: () => string): Promise<void> {
    return waitUntil(done, what, timeoutMs, progress, this.#say);
  }

  /** A heap snapshot now (SIGUSR2), then a CPU profile (written when the controller exits). */
  async profile(
    controller: ControllerProcess,
    dir: string,
  ): Promise<{ cpuProfile: string; heapSnapshot: string }> {
    const files = (ext: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)) : []);
    this.#say("writing a heap snapshot of the controller");
    process.kill(controller.pid, "SIGUSR2");
    // The snapshot file appears at once and grows; a second one never comes, so wait for the size to settle.
    await waitUntil(
      () => files(".heapsnapshot").length > 0,
      "the heap snapshot",
      120_000,
      () => dir,
      this.#say,
    );
    await new Promise((r) => setTimeout(r, 5_000));
    await controller.stop();
    await waitUntil(
      () => files(".cpuprofile").length > 0,
      "the CPU profile",
      60_000,
      () => dir,
      this.#say,
    );
    return {
      cpuProfile: join(dir, files(".cpuprofile")[0] ?? ""),
      heapSnapshot: join(dir, files(".heapsnapshot")[0] ?? ""),
    };
  }

  /** Deletes the namespace (its Rollouts, ReplicaSets and pods with it) and the Nodes added for the run. */
  async cleanup(): Promise<void> {
    if (this.namespace) {
      this.#say(`deleting ${this.namespace}`);
      await kubectl(["delete", "namespace", this.namespace, "--wait=true", "--timeout=10m"]);
    }
    for (const name of this.#addedNodes) {
      if (name.startsWith(nodeNamePrefix)) await kubectl(["delete", "node", name, "--wait=false"]);
    }
  }
}
