// A ConfigMap patch the harness makes every 200 ms during a pass, timed twice: until the apiserver answers,
// and until the harness's own watch delivers it. Every reaction the harness measures ends in a write it
// learns of by watch, so the second is the floor under every latency in the table. The harness's own
// event-loop delay is measured beside them: the part of both that is this process being busy.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { follow } from "../../dev/watch.ts";
import { type Clients, PatchType, statusCodeOf } from "../../src/kube/client.ts";

const NAME = "bench-write-probe";
const EVERY_MS = 200;

export type ProbeFigures = {
  writeMs: number[];
  watchedMs: number[];
  failed: number;
  /** The harness's event-loop delay over the pass, p50 / p99 / max in ms. */
  harnessLoopDelayMs: { p50: number; p99: number; max: number };
};
export type WriteProbe = { stop(): Promise<ProbeFigures> };

export async function startWriteProbe(
  kc: KubeConfig,
  clients: Clients,
  namespace: string,
): Promise<WriteProbe> {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  try {
    await clients.request("POST", path, { metadata: { name: NAME }, data: { n: "0" } });
  } catch (err) {
    if (statusCodeOf(err) !== 409) throw err;
  }
  const figures: Omit<ProbeFigures, "harnessLoopDelayMs"> = { writeMs: [], watchedMs: [], failed: 0 };
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // Sent times by sequence number, until the watch shows that write.
  const sent = new Map<string, number>();
  const watch = await follow<{ metadata?: { name?: string }; data?: { n?: string } }>(
    kc,
    `${path}?fieldSelector=metadata.name%3D${NAME}`,
    (_type, o) => {
      const at = sent.get(o.data?.n ?? "");
      if (at === undefined) return;
      figures.watchedMs.push(performance.now() - at);
      sent.delete(o.data?.n ?? "");
    },
  );
  let stopped = false;
  const loop = (async () => {
    for (let n = 1; !stopped; n++) {
      const started = performance.now();
      sent.set(String(n), started);
      try {
        await clients.request("PATCH", `${path}/${NAME}`, { data: { n: String(n) } }, PatchType.merge);
        figures.writeMs.push(performance.now() - started);
      } catch {
        // A probe that fails says the apiserver is in trouble; it is counted, the pass goes on.
        figures.failed++;
        sent.delete(String(n));
      }
      await sleep(Math.max(0, EVERY_MS - (performance.now() - started)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      // The last write's event may still be on its way.
      await sleep(1000);
      watch.stop();
      loopDelay.disable();
      const ms = (ns: number) => Math.round(ns / 1e5) / 10;
      const harnessLoopDelayMs = {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      };
      return { ...figures, harnessLoopDelayMs };
    },
  };
}
