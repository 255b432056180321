// Pod placement for tests the real kube-scheduler decides: two nodes of the local cluster labelled so a
// Rollout's pods may run on both and prefer the first, and where each version's pods landed.
import assert from "node:assert/strict";
import { CoreV1Api } from "@kubernetes/client-node";
import { kubectl } from "../../../dev/kube.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import type { Fixture } from "./fixture.ts";

/**
 * Labels two nodes `<prefix>-allowed=<namespace>` and the first `<prefix>-preferred=<namespace>`: without
 * anti-affinity every pod lands on the preferred one. Returns the nodes and a function that unlabels them.
 */
export async function twoNodes(
  f: Fixture,
  prefix: string,
): Promise<{ nodes: string[]; release(): Promise<void> }> {
  const listed = await f.kc.makeApiClient(CoreV1Api).listNode();
  const nodes = listed.items
    .map((n) => n.metadata?.name ?? "")
    .filter((n) => n.startsWith("ramp-node-"))
    .slice(0, 2);
  assert.equal(nodes.length, 2, "two nodes of the local cluster");
  for (const n of nodes)
    assert.equal(
      (await kubectl(["label", "node", n, `${prefix}-allowed=${f.namespace}`, "--overwrite"])).code,
      0,
    );
  await kubectl(["label", "node", nodes[0] ?? "", `${prefix}-preferred=${f.namespace}`, "--overwrite"]);
  return {
    nodes,
    async release() {
      for (const n of nodes)
        await kubectl(["label", "node", n, `${prefix}-allowed-`, `${prefix}-preferred-`]);
    },
  };
}

/** The node of each running pod of the Rollout's app, by version hash. */
export async function placement(f: Fixture, app: string): Promise<Record<string, string[]>> {
  const pods = await f.kc
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace: f.namespace, labelSelector: `app=${app}` });
  const out: Record<string, string[]> = {};
  for (const p of pods.items) {
    const hash = p.metadata?.labels?.[HASH_LABEL] ?? "";
    if (p.metadata?.deletionTimestamp || !p.spec?.nodeName) continue;
    out[hash] = [...(out[hash] ?? []), p.spec.nodeName].sort();
  }
  return out;
}
