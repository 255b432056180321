// Helpers for the kube/ integration tests: a TCP proxy in front of the apiserver that a test can cut
// (to break watch connections for real) and a throwaway CRD (its fresh watch cache answers an old
// resourceVersion with a real 410 Gone).
import { randomBytes } from "node:crypto";
import { connect, createServer, type Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { loadKubeConfig, waitFor } from "../../../dev/kube.ts";
import { type Clients, makeClients } from "../../../src/kube/client.ts";
import { createMetrics, type Metrics } from "../../../src/observability/metrics.ts";

export function clientsFor(kc: KubeConfig = loadKubeConfig()): { clients: Clients; metrics: Metrics } {
  const metrics = createMetrics({ defaultMetrics: false });
  return { clients: makeClients(kc, metrics), metrics };
}

/** The value of one counter series, 0 when it was never incremented. */
export async function counterValue(
  counter: Metrics["kube"]["requests"] | Metrics["kube"]["watchRestarts"],
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get();
  const match = values.find((v) => {
    const have: Record<string, string | number | undefined> = v.labels;
    return Object.entries(labels).every(([k, want]) => have[k] === want);
  });
  return match?.value ?? 0;
}

export interface CuttableProxy {
  /** A kubeconfig like the given one whose server is this proxy. */
  kc: KubeConfig;
  /** Destroys every open connection and refuses new ones until up(). */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** Starts a TCP proxy on 127.0.0.1 to the kubeconfig's apiserver (TLS passes through untouched). */
export async function startProxy(base: KubeConfig = loadKubeConfig()): Promise<CuttableProxy> {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const target = new URL(cluster.server);
  const sockets = new Set<Socket>();
  let accepting = true;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (!accepting) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 443), target.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");

  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: base.getClusters().map((c) => ({ ...c, server: `https://127.0.0.1:${address.port}` })),
    users: base.getUsers(),
    contexts: base.getContexts(),
    currentContext: base.getCurrentContext(),
  });
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    kc,
    down() {
      accepting = false;
      cut();
    },
    up() {
      accepting = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}

export interface TestCrd {
  group: string;
  /** Collection path of the namespaced `widgets` resource in `namespace`. */
  path(namespace: string): string;
  delete(): Promise<void>;
}

/** Creates a namespaced CRD `widgets.<random>.kube.test` (free-form objects) and waits until it is served. */
export async function createWidgetCrd(clients: Clients): Promise<TestCrd> {
  const group = `w${randomBytes(4).toString("hex")}.kube.test`;
  const name = `widgets.${group}`;
  await clients.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name, labels: { "ramp.dev/test": "true" } },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  });
  await waitFor(() => clients.request("GET", `/apis/${group}/v1/widgets`), {
    what: `CRD ${name} to be served`,
    timeoutMs: 60_000,
  });
  return {
    group,
    path: (namespace) => `/apis/${group}/v1/namespaces/${namespace}/widgets`,
    delete: async () => {
      await clients.request("DELETE", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    },
  };
}
