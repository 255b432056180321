// A small weighted proxy on 127.0.0.1 standing in for the data plane: it polls the live route objects,
// Services, EndpointSlices and Pods of one namespace from the apiserver, resolves each request to a ready
// pod as a gateway would, and forwards it to the stand-in process for that pod's version (its image).
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from "@kubernetes/client-node";
import { waitFor } from "../kube.ts";
import {
  Balancer,
  type Decision,
  endpointsOf,
  type Request,
  routeGateway,
  routeIstio,
  routeNginx,
  type World,
} from "./dataplane.ts";
import { MIRROR_HEADER, type StandIn } from "./standins.ts";

export type ProxyMode =
  | { kind: "service"; service: string }
  | { kind: "gateway"; httpRoute: string }
  | { kind: "nginx"; annotationPrefix?: string }
  | { kind: "istio"; virtualService: string };

export type Measured = {
  /** Answers per version (the stand-in's body). */
  byVersion: Record<string, number>;
  /** Non-200 answers, with the first few bodies to say why. */
  errors: number;
  errorSamples: string[];
  total: number;
};

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function send(url: string, opts: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { agent, method: opts.method ?? "GET", headers: opts.headers ?? {}, timeout: 10_000 },
      (res: IncomingMessage) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request to ${url} timed out`)));
    req.once("error", reject);
    req.end();
  });
}

export class TrafficProxy {
  url = "";
  readonly #kc: KubeConfig;
  readonly #namespace: string;
  readonly #mode: ProxyMode;
  readonly #standIns: Record<string, StandIn>;
  readonly #lb = new Balancer();
  #world: World | undefined;
  #polls = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #server: Server | undefined;

  private constructor(kc: KubeConfig, namespace: string, mode: ProxyMode, standIns: Record<string, StandIn>) {
    this.#kc = kc;
    this.#namespace = namespace;
    this.#mode = mode;
    this.#standIns = standIns;
  }

  static async start(opts: {
    kc: KubeConfig;
    namespace: string;
    mode: ProxyMode;
    standIns: Record<string, StandIn>;
  }): Promise<TrafficProxy> {
    const p = new TrafficProxy(opts.kc, opts.namespace, opts.mode, opts.standIns);
    p.#server = createServer((req, res) => {
      req.resume();
      void p.#handle(req).then(
        ({ status, body }) => res.writeHead(status, { "content-type": "text/plain" }).end(body),
        (err: unknown) => res.writeHead(502).end(`proxy error: ${String(err)}`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      p.#server?.once("error", reject);
      p.#server?.listen(0, "127.0.0.1", resolve);
    });
    p.url = `http://127.0.0.1:${(p.#server.address() as AddressInfo).port}`;
    p.#loop = p.#pollLoop();
    await p.refreshed();
    return p;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    await new Promise<void>((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }

  /** Resolves once two full polls have finished since the call: the proxy sees the cluster as of now. */
  async refreshed(): Promise<void> {
    const target = this.#polls + 2;
    await waitFor(() => this.#polls >= target, {
      what: "the proxy to re-read the cluster",
      timeoutMs: 30_000,
      intervalMs: 20,
    });
  }

  /** Ready pods (their versions) behind a Service, as the proxy sees them now. */
  endpoints(service: string): string[] {
    return this.#world ? endpointsOf(this.#world, { service }) : [];
  }

  /** Sends `n` requests (bounded: at most 5,000, 8 at a time, 10 s each) and counts the answers. */
  async measure(
    n: number,
    opts: { headers?: Record<string, string>; host?: string; path?: string } = {},
  ): Promise<Measured> {
    if (n > 5000) throw new Error("measure: at most 5,000 requests");
    const out: Measured = { byVersion: {}, errors: 0, errorSamples: [], total: n };
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        const { status, body } = await send(`${this.url}${opts.path ?? "/"}`, {
          headers: { host: opts.host ?? "app.example.com", ...(opts.headers ?? {}) },
        });
        if (status === 200) out.byVersion[body] = (out.byVersion[body] ?? 0) + 1;
        else {
          out.errors++;
          if (out.errorSamples.length < 3) out.errorSamples.push(`${status} ${body}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return out;
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const world = this.#world;
    if (!world) return { status: 503, body: "proxy has not read the cluster yet" };
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k.toLowerCase(), v]] : [])),
    );
    const url = new URL(req.url ?? "/", "http://proxy.invalid");
    const r: Request = {
      host: (headers.host ?? "").split(":")[0] ?? "",
      path: url.pathname,
      method: req.method ?? "GET",
      headers,
    };
    const d = this.#decide(world, r);
    if (!d.backend) return { status: 503, body: `no backend (${d.key})` };
    const target = this.#pick(world, d.backend);
    if (!target) return { status: 503, body: `no ready endpoint for Service ${d.backend.service}` };
    const mirrored =
      d.mirror && this.#lb.mirror(`${d.key}/mirror`, d.mirror.percent)
        ? this.#pick(world, d.mirror.backend)
        : undefined;
    const [answer] = await Promise.all([
      send(`${target.url}${url.pathname}`, { method: r.method }),
      mirrored
        ? send(`${mirrored.url}${url.pathname}`, { method: r.method, headers: { [MIRROR_HEADER]: "1" } })
        : undefined,
    ]);
    return answer;
  }

  #decide(world: World, r: Request): Decision {
    const m = this.#mode;
    // Straight to a Service, as a kube-proxy would (blue-green's active Service).
    if (m.kind === "service") return { backend: { service: m.service }, key: `svc/${m.service}` };
    if (m.kind === "gateway") return routeGateway(world, m.httpRoute, r, this.#lb);
    if (m.kind === "istio") return routeIstio(world, m.virtualService, r, this.#lb);
    return routeNginx(world, r, this.#lb, m.annotationPrefix);
  }

  #pick(world: World, backend: Decision["backend"] & object): StandIn | undefined {
    const images = endpointsOf(world, backend);
    const image = this.#lb.roundRobin(
      `ep/${backend.service}/${JSON.stringify(backend.labels ?? {})}`,
      images,
    );
    return image === undefined ? undefined : this.#standIns[image];
  }

  async #pollLoop(): Promise<void> {
    const core = this.#kc.makeApiClient(CoreV1Api);
    const discovery = this.#kc.makeApiClient(DiscoveryV1Api);
    const custom = this.#kc.makeApiClient(CustomObjectsApi);
    const namespace = this.#namespace;
    type Items = { items?: unknown[] };
    const list = async (group: string, version: string, plural: string) => {
      try {
        const res = (await custom.listNamespacedCustomObject({ group, version, namespace, plural })) as Items;
        return (res.items ?? []) as World["httpRoutes"];
      } catch {
        return [];
      }
    };
    while (!this.#stopped) {
      try {
        const [services, slices, pods, httpRoutes, ingresses, virtualServices, destinationRules] =
          await Promise.all([
            core.listNamespacedService({ namespace }).then((l) => l.items),
            discovery.listNamespacedEndpointSlice({ namespace }).then((l) => l.items),
            core.listNamespacedPod({ namespace }).then((l) => l.items),
            list("gateway.networking.k8s.io", "v1", "httproutes"),
            list("networking.k8s.io", "v1", "ingresses"),
            list("networking.istio.io", "v1", "virtualservices"),
            list("networking.istio.io", "v1", "destinationrules"),
          ]);
        this.#world = {
          namespace,
          services: services as World["services"],
          slices: slices as unknown as World["slices"],
          pods: pods as unknown as World["pods"],
          httpRoutes,
          ingresses,
          virtualServices,
          destinationRules,
        };
        this.#polls++;
      } catch {
        // A failed poll keeps the last view, as a data plane keeps its last config.
      }
      await sleep(100);
    }
  }
}
