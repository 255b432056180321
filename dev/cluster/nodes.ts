// Fake Nodes for kwok to adopt: plain Node objects with capacity set; kwok marks them Ready and the
// scheduler places pods on them as on any real node.
import { ApiException, CoreV1Api, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { loadKubeConfig, waitFor } from "../kube.ts";

export interface NodeShape {
  cpu: string;
  memory: string;
  /** Pods per node; benchmarks create thousands of pods, so well above the kubelet's usual 110. */
  pods: number;
}

export const nodeNamePrefix = "ramp-node-";

export function defaultNodeShape(): NodeShape {
  const pods = Number(process.env.RAMP_NODE_PODS ?? 1000);
  if (!Number.isInteger(pods) || pods < 1)
    throw new Error(`ramp: RAMP_NODE_PODS=${process.env.RAMP_NODE_PODS} is not a positive integer`);
  return { cpu: "32", memory: "256Gi", pods };
}

/** How many nodes clusterUp() creates: RAMP_NODES or 3. */
export function defaultNodeCount(): number {
  const n = Number(process.env.RAMP_NODES ?? 3);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`ramp: RAMP_NODES=${process.env.RAMP_NODES} is not a positive integer`);
  return n;
}

function nodeManifest(name: string, shape: NodeShape): V1Node {
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    // The apiserver keeps status given on create; kwok's node-initialize stage copies it forward.
    status: { allocatable: resources, capacity: resources },
  };
}

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export interface EnsureNodesOptions {
  shape?: Partial<NodeShape>;
  kc?: KubeConfig;
  timeoutMs?: number;
}

/**
 * Makes sure fake nodes `ramp-node-0` … `ramp-node-<count-1>` exist and are Ready; creates the missing
 * ones (existing nodes keep their shape). Returns their names.
 */
export async function ensureNodes(count: number, opts: EnsureNodesOptions = {}): Promise<string[]> {
  const core = (opts.kc ?? loadKubeConfig()).makeApiClient(CoreV1Api);
  const shape = { ...defaultNodeShape(), ...opts.shape };
  const names = Array.from({ length: count }, (_, i) => `${nodeNamePrefix}${i}`);
  const existing = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    try {
      await core.createNode({ body: nodeManifest(name, shape) });
    } catch (err) {
      // Another process may have created it in between; that is the state we want.
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    }
  }
  await waitFor(
    async () => {
      const ready = new Set((await core.listNode()).items.filter(isReady).map((n) => n.metadata?.name));
      return names.every((n) => ready.has(n));
    },
    {
      what: `fake nodes ${names.join(", ")} to become Ready (kwok adopts them)`,
      timeoutMs: opts.timeoutMs ?? 30_000,
      intervalMs: 100,
    },
  );
  return names;
}
