// Command lines of the five control-plane processes. Every listener is pinned to 127.0.0.1: each
// component's default bind address is 0.0.0.0, so each flag below that names an address is deliberate.

import type { Binaries, LocalPaths, Ports } from "./paths.ts";
import { podCidr, serviceCidr } from "./paths.ts";
import type { Pki } from "./pki.ts";

export type ComponentName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";

/** Start order; clusterDown stops them in reverse. */
export const componentOrder: readonly ComponentName[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
];

export interface ComponentContext {
  bins: Binaries;
  paths: LocalPaths;
  ports: Ports;
  pki: Omit<Pki, "token">;
}

export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
}

/** Only the controllers ramp's tests exercise; the rest (node lifecycle, volumes, CSRs…) stay off. */
export const controllers: readonly string[] = [
  "deployment-controller",
  "replicaset-controller",
  "endpoints-controller",
  "endpointslice-controller",
  "garbage-collector-controller",
  // Without it deleted namespaces stay Terminating forever.
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  // Publishes kube-root-ca.crt into every namespace, as real clusters do.
  "root-ca-certificate-publisher-controller",
  "job-controller",
  // A workloadRef Rollout's HPA (kept within min/max through the Rollout's scale subresource; no metrics
  // server here) and a pod quota that makes progressive scale-down observable one pod at a time.
  "horizontal-pod-autoscaler-controller",
  "resourcequota-controller",
  // Fills the built-in view/edit/admin ClusterRoles from the roles labelled aggregate-to-* (the chart's too).
  "clusterrole-aggregation-controller",
];

// Client rate limits high enough that thousands of simulated pods are created at apiserver speed.
const clientRate = ["--kube-api-qps=500", "--kube-api-burst=1000"];

export function etcdSpec(ctx: ComponentContext): ComponentSpec {
  const client = `http://127.0.0.1:${ctx.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ctx.ports.etcdPeer}`;
  return {
    name: "etcd",
    command: ctx.bins.etcd,
    args: [
      "--name=ramp",
      `--data-dir=${ctx.paths.etcdDataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=ramp=${peer}`,
      // Test-only: the data dir is thrown away every start, so durability buys nothing.
      "--unsafe-no-fsync=true",
      "--auto-compaction-mode=periodic",
      "--auto-compaction-retention=5m",
      "--log-level=warn",
    ],
  };
}

export function apiserverSpec(ctx: ComponentContext): ComponentSpec {
  const { pki } = ctx;
  return {
    name: "kube-apiserver",
    command: ctx.bins.kubeApiserver,
    args: [
      `--etcd-servers=http://127.0.0.1:${ctx.ports.etcdClient}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${ctx.ports.apiserver}`,
      // A loopback advertise address is only accepted when nothing reconciles the kubernetes Endpoints.
      "--advertise-address=127.0.0.1",
      "--endpoint-reconciler-type=none",
      `--cert-dir=${ctx.paths.pkiDir}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      // Populates extension-apiserver-authentication fully; without it the scheduler and
      // controller-manager log "missing content for CA bundle" every few seconds.
      `--requestheader-client-ca-file=${pki.caCert}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-username-headers=X-Remote-User",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      `--token-auth-file=${pki.tokenFile}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${serviceCidr}`,
      "--allow-privileged=true",
      // It taints every new Node not-ready; only node-lifecycle-controller (off here: it would evict pods
      // whenever a busy kwok heartbeats late) removes that taint, so pods would never schedule.
      "--disable-admission-plugins=TaintNodesByCondition",
      // RAMP_APISERVER_PROFILING=1 serves /debug/pprof, to see where a benchmark's apiserver CPU goes.
      `--profiling=${process.env.RAMP_APISERVER_PROFILING === "1"}`,
    ],
  };
}

// Both schedulers and controller-managers serve /healthz and /metrics; authenticate their callers
// through the apiserver with the same admin kubeconfig and serve our loopback certificate.
function secureServing(ctx: ComponentContext, port: number): string[] {
  return [
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    `--tls-cert-file=${ctx.pki.servingCert}`,
    `--tls-private-key-file=${ctx.pki.servingKey}`,
    `--authentication-kubeconfig=${ctx.paths.kubeconfig}`,
    `--authorization-kubeconfig=${ctx.paths.kubeconfig}`,
  ];
}

export function controllerManagerSpec(ctx: ComponentContext): ComponentSpec {
  return {
    name: "kube-controller-manager",
    command: ctx.bins.kubeControllerManager,
    args: [
      `--kubeconfig=${ctx.paths.kubeconfig}`,
      "--leader-elect=false",
      ...secureServing(ctx, ctx.ports.controllerManager),
      `--controllers=${controllers.join(",")}`,
      // Tests wait on HPA decisions: every 2 s instead of 15 s.
      "--horizontal-pod-autoscaler-sync-period=2s",
      `--service-account-private-key-file=${ctx.pki.serviceAccountKey}`,
      `--root-ca-file=${ctx.pki.caCert}`,
      ...clientRate,
      "--profiling=false",
    ],
  };
}

export function schedulerSpec(ctx: ComponentContext): ComponentSpec {
  return {
    name: "kube-scheduler",
    command: ctx.bins.kubeScheduler,
    args: [
      `--kubeconfig=${ctx.paths.kubeconfig}`,
      "--leader-elect=false",
      ...secureServing(ctx, ctx.ports.scheduler),
      ...clientRate,
      "--profiling=false",
    ],
  };
}

export function kwokSpec(ctx: ComponentContext): ComponentSpec {
  return {
    name: "kwok",
    command: ctx.bins.kwok,
    args: [
      `--kubeconfig=${ctx.paths.kubeconfig}`,
      `--config=${ctx.paths.kwokConfig}`,
      "--manage-all-nodes=true",
      `--cidr=${podCidr}`,
      "--node-ip=127.0.0.1",
      // --node-port and --server-address stay unset: kwok would otherwise serve on 0.0.0.0.
    ],
  };
}

export function componentSpecs(ctx: ComponentContext): Record<ComponentName, ComponentSpec> {
  return {
    etcd: etcdSpec(ctx),
    "kube-apiserver": apiserverSpec(ctx),
    "kube-controller-manager": controllerManagerSpec(ctx),
    "kube-scheduler": schedulerSpec(ctx),
    kwok: kwokSpec(ctx),
  };
}
