// The identity both controllers run as in the peer bench, so the apiserver counts their requests and
// nobody else's on a control plane others share: a ServiceAccount (cluster-admin, as the local admin the
// bench used to run them as) whose requests three FlowSchemas catch, writes, reads and the rest, on the
// exempt priority level (where the admin's requests go: no queuing). apiserver_flowcontrol_dispatched_
// requests_total by FlowSchema is then the controller's own request count, measured by the apiserver.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { APPLY } from "../../../dev/crds.ts";
import { kubeconfigPath, kubectl } from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";

export const BENCH_ACCOUNT = "ramp-peer-bench";
export const FLOW = {
  writes: `${BENCH_ACCOUNT}-writes`,
  reads: `${BENCH_ACCOUNT}-reads`,
  other: `${BENCH_ACCOUNT}-other`,
};

const subject = { kind: "ServiceAccount", serviceAccount: { name: BENCH_ACCOUNT, namespace: "kube-system" } };
const allResources = { apiGroups: ["*"], resources: ["*"], namespaces: ["*"], clusterScope: true };

function flowSchema(name: string, precedence: number, rule: Record<string, unknown>) {
  return {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1",
    kind: "FlowSchema",
    metadata: { name },
    spec: {
      matchingPrecedence: precedence,
      priorityLevelConfiguration: { name: "exempt" },
      rules: [{ subjects: [subject], ...rule }],
    },
  };
}

const objects = () => [
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: BENCH_ACCOUNT, namespace: "kube-system" } },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: BENCH_ACCOUNT },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ kind: "ServiceAccount", name: BENCH_ACCOUNT, namespace: "kube-system" }],
  },
  flowSchema(FLOW.writes, 20, {
    resourceRules: [{ verbs: ["create", "update", "patch", "delete", "deletecollection"], ...allResources }],
  }),
  flowSchema(FLOW.reads, 21, { resourceRules: [{ verbs: ["get", "list"], ...allResources }] }),
  flowSchema(FLOW.other, 22, {
    resourceRules: [{ verbs: ["*"], ...allResources }],
    nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
  }),
];

/** Applies the account and its FlowSchemas (idempotent) and writes a kubeconfig with its token. */
export async function benchIdentity(): Promise<string> {
  const applied = await kubectl([...APPLY, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects() }),
  });
  if (applied.code !== 0) throw new Error(`the peer bench's identity: ${applied.stderr}`);
  const token = await kubectl(["create", "token", BENCH_ACCOUNT, "-n", "kube-system", "--duration=24h"]);
  if (token.code !== 0) throw new Error(`a token for ${BENCH_ACCOUNT}: ${token.stderr}`);
  const config = parse(readFileSync(kubeconfigPath(), "utf8")) as { users?: { user?: unknown }[] };
  for (const u of config.users ?? []) u.user = { token: token.stdout.trim() };
  const dir = join(repoRoot, ".ramp", "peer");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kubeconfig");
  writeFileSync(path, stringify(config), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
