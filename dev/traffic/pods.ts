// One stand-in HTTP server per simulated pod, on the pod's loopback twin (address-map.ts) and each of its
// containerPorts (8080 when it declares none): a gateway that resolves a Service to ready pods reaches
// exactly these. Each answers with its pod's image, failing and delaying as the tests set per version, and
// counts what it served, so tests see where every request went.
import { createServer, type Server } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { type Follower, follow } from "../watch.ts";
import { loopbackTwin } from "./address-map.ts";

/** How a version behaves: the share of requests answered 500 (spread evenly) and a delay before answering. */
export type Behaviour = { errors?: number; latencyMs?: number };

export type Served = { ok: number; failed: number };

type PodObj = {
  metadata?: { name?: string; deletionTimestamp?: string };
  spec?: { containers?: { image?: string; ports?: { containerPort?: number }[] }[] };
  status?: { podIP?: string; conditions?: { type: string; status: string }[] };
};

type PodServer = { pod: string; version: string; ip: string; ready: boolean; servers: Server[] };

export const DEFAULT_POD_PORT = 8080;

export class PodServers {
  /** Answers per version (all pods of that image). */
  readonly served: Record<string, Served> = {};
  /** Requests a pod received while its Pod was not Ready (a gateway must never send them). */
  unready = 0;
  readonly #behaviour: Record<string, Behaviour> = {};
  readonly #counters = new Map<string, number>();
  readonly #byIp = new Map<string, PodServer>();
  #follower: Follower | undefined;
  /** Binds in flight, so stop() and tests can wait for them. */
  #pending: Promise<unknown> = Promise.resolve();
  readonly #log: (line: string) => void;

  private constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /** Serves every pod of `namespace` that has an address, for as long as it exists. */
  static async start(
    kc: KubeConfig,
    namespace: string,
    opts: { behaviour?: Record<string, Behaviour>; log?: (line: string) => void } = {},
  ): Promise<PodServers> {
    const p = new PodServers(opts.log ?? (() => {}));
    for (const [v, b] of Object.entries(opts.behaviour ?? {})) p.behave(v, b);
    p.#follower = await follow<PodObj>(kc, `/api/v1/namespaces/${namespace}/pods`, (type, pod) => {
      p.#pending = p.#pending.then(() => p.#onPod(type, pod)).catch((err: unknown) => p.#log(String(err)));
    });
    return p;
  }

  behave(version: string, b: Behaviour): void {
    this.#behaviour[version] = b;
  }

  /** Total answers of one version (ok and failed). */
  total(version: string): number {
    const s = this.served[version];
    return s ? s.ok + s.failed : 0;
  }

  /** The version a loopback address serves, if a pod is there. */
  versionAt(ip: string): string | undefined {
    return this.#byIp.get(ip)?.version;
  }

  /** The versions of the pods served now, one entry per pod. */
  versions(): string[] {
    return [...this.#byIp.values()].map((s) => s.version).sort();
  }

  /** Prometheus text of every answer so far: http_requests_total{version, code}. */
  metricsText(): string {
    const lines = [
      "# HELP http_requests_total Requests answered by the pods of a version.",
      "# TYPE http_requests_total counter",
    ];
    for (const [version, s] of Object.entries(this.served)) {
      lines.push(`http_requests_total{version="${version}",code="200"} ${s.ok}`);
      lines.push(`http_requests_total{version="${version}",code="500"} ${s.failed}`);
    }
    return `${lines.join("\n")}\n`;
  }

  /** Serves metricsText() at http://127.0.0.1:PORT/metrics for a Prometheus to scrape. */
  async serveMetrics(): Promise<{ address: string; close(): Promise<unknown> }> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.metricsText());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const a = server.address();
    return {
      address: `127.0.0.1:${typeof a === "object" && a ? a.port : 0}`,
      close: () => closeAll([server]),
    };
  }

  /** Resolves once every pod event seen so far has its servers bound (or closed). */
  settled(): Promise<unknown> {
    return this.#pending;
  }

  async stop(): Promise<void> {
    this.#follower?.stop();
    await this.#pending;
    await Promise.all([...this.#byIp.values()].map((s) => closeAll(s.servers)));
    this.#byIp.clear();
  }

  async #onPod(type: string, pod: PodObj): Promise<void> {
    const name = pod.metadata?.name ?? "";
    const ip = pod.status?.podIP ? loopbackTwin(pod.status.podIP) : undefined;
    const existing = [...this.#byIp.values()].find((s) => s.pod === name);
    if (type === "DELETED" || !ip) {
      if (existing && (type === "DELETED" || existing.ip !== ip)) await this.#close(existing);
      return;
    }
    const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    const container = pod.spec?.containers?.[0];
    const version = container?.image ?? "unknown";
    const here = this.#byIp.get(ip);
    if (here && here.pod === name) {
      here.ready = ready;
      return;
    }
    // The address was another pod's (kwok reuses them): that pod is gone.
    if (here) await this.#close(here);
    if (existing) await this.#close(existing);
    const ports = (pod.spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? []).map((p) => p.containerPort ?? 0),
    );
    const s: PodServer = { pod: name, version, ip, ready, servers: [] };
    this.#byIp.set(ip, s);
    for (const port of ports.length > 0 ? ports : [DEFAULT_POD_PORT]) {
      s.servers.push(await this.#listen(s, port));
    }
  }

  async #close(s: PodServer): Promise<void> {
    if (this.#byIp.get(s.ip) === s) this.#byIp.delete(s.ip);
    await closeAll(s.servers);
  }

  #listen(s: PodServer, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      req.resume();
      if (!s.ready) this.unready++;
      const b = this.#behaviour[s.version] ?? {};
      const n = this.#counters.get(s.version) ?? 0;
      this.#counters.set(s.version, n + 1);
      const errors = b.errors ?? 0;
      const failing = Math.floor((n + 1) * errors) > Math.floor(n * errors);
      const counts = this.served[s.version] ?? { ok: 0, failed: 0 };
      this.served[s.version] = counts;
      const answer = () => {
        if (failing) counts.failed++;
        else counts.ok++;
        res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" }).end(s.version);
      };
      if (b.latencyMs) setTimeout(answer, b.latencyMs);
      else answer();
    });
    return new Promise((resolve, reject) => {
      server.once("error", (err) =>
        reject(new Error(`pod ${s.pod}: listening on ${s.ip}:${port}`, { cause: err })),
      );
      server.listen(port, s.ip, () => resolve(server));
    });
  }
}

function closeAll(servers: Server[]): Promise<unknown> {
  return Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
}
