// Traefik v3 (built from its Go module by scripts/cluster/build-traefik.sh) as the real Gateway API data
// plane of the local cluster: its kubernetesGateway provider, a ServiceAccount with the RBAC Traefik
// documents, a GatewayClass of its own and Gateways on one HTTP entry point on 127.0.0.1. Every listener is
// on 127.0.0.1; its update check and usage reports are off. The apiserver is read through the address-map
// relay, so pod endpoints are their loopback twins, where PodServers answer.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, pollUntil } from "./cluster/health.ts";
import { localPaths, repoRoot } from "./cluster/paths.ts";
import { kubectl, loadKubeConfig, waitFor } from "./kube.ts";
import { type AddressMapRelay, startAddressMapRelay } from "./traffic/address-map.ts";

const CONTROLLER = "traefik.io/gateway-controller";
const SYSTEM_NS = "ramp-traefik";
const CLASS_LABEL = "ramp.dev/traefik";

/** Builds Traefik once (cached under ~/.cache/ramp/bin, skipped when present) and returns its path. */
export function traefikBinary(): string {
  const script = join(repoRoot, "scripts/cluster/build-traefik.sh");
  const res = spawnSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", 2] });
  const path = res.stdout.trim().split("\n").pop() ?? "";
  if (res.status !== 0 || !path) throw new Error(`ramp: ${script} failed (exit ${res.status ?? res.signal})`);
  return path;
}

// Traefik's documented RBAC for the Gateway provider (docs/content/reference/dynamic-configuration/
// kubernetes-gateway-rbac.yml), bound to a ServiceAccount: it runs with no more than a real install has.
const RBAC = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NS } },
  { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "traefik", namespace: SYSTEM_NS } },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "ramp-traefik-gateway" },
    rules: [
      { apiGroups: [""], resources: ["namespaces"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["services", "secrets", "configmaps"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      {
        apiGroups: ["gateway.networking.k8s.io"],
        resources: [
          "gatewayclasses",
          "gateways",
          "httproutes",
          "grpcroutes",
          "tcproutes",
          "tlsroutes",
          "referencegrants",
          "backendtlspolicies",
        ],
        verbs: ["get", "list", "watch"],
      },
      {
        apiGroups: ["gateway.networking.k8s.io"],
        resources: [
          "gatewayclasses/status",
          "gateways/status",
          "httproutes/status",
          "grpcroutes/status",
          "tcproutes/status",
          "tlsroutes/status",
          "backendtlspolicies/status",
        ],
        verbs: ["update"],
      },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "ramp-traefik-gateway" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "ramp-traefik-gateway" },
    subjects: [{ kind: "ServiceAccount", name: "traefik", namespace: SYSTEM_NS }],
  },
];

async function apply(objects: unknown[], what: string): Promise<void> {
  const input = objects.map((o) => JSON.stringify(o)).join("\n");
  const res = await kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=ramp-dev", "-f", "-"],
    {
      input,
    },
  );
  if (res.code !== 0) throw new Error(`ramp: applying ${what}: ${res.stderr}`);
}

export type Measured = {
  /** 200 answers per version (the pod's image, its body). */
  byVersion: Record<string, number>;
  /** Answers that were not 200 (or no answer), with the first few to say why. */
  errors: number;
  errorSamples: string[];
  total: number;
};

type RawService = {
  weighted?: { services?: { name: string; weight?: number }[] };
  loadBalancer?: { servers?: { url: string }[] };
};

export class Traefik {
  /** The Gateway listener's entry point, http://127.0.0.1:PORT. */
  readonly url: string;
  readonly port: number;
  /** Traefik's own entry point: /ping, /api, /metrics. */
  readonly adminUrl: string;
  readonly className: string;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #relay: AddressMapRelay;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 16 });

  private constructor(o: {
    port: number;
    admin: number;
    className: string;
    logFile: string;
    child: ChildProcess;
    relay: AddressMapRelay;
  }) {
    this.port = o.port;
    this.url = `http://127.0.0.1:${o.port}`;
    this.adminUrl = `http://127.0.0.1:${o.admin}`;
    this.className = o.className;
    this.logFile = o.logFile;
    this.#child = o.child;
    this.#relay = o.relay;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /**
   * Starts Traefik watching `namespaces` only, with a GatewayClass of its own (so several can run at once),
   * and resolves once it answers /ping.
   */
  static async start(opts: { namespaces: string[]; logLevel?: string }): Promise<Traefik> {
    const binary = traefikBinary();
    await apply(RBAC, "Traefik's RBAC");
    const token = await kubectl(["create", "token", "traefik", "-n", SYSTEM_NS, "--duration=24h"]);
    if (token.code !== 0) throw new Error(`ramp: a token for Traefik's ServiceAccount: ${token.stderr}`);
    const id = randomBytes(4).toString("hex");
    const className = `ramp-traefik-${id}`;
    await apply(
      [
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "GatewayClass",
          metadata: { name: className, labels: { [CLASS_LABEL]: id } },
          spec: { controllerName: CONTROLLER },
        },
      ],
      `GatewayClass ${className}`,
    );
    const kc = loadKubeConfig();
    const server = kc.getCurrentCluster()?.server ?? "";
    const relay = await startAddressMapRelay({
      apiserver: server,
      ca: readFileSync(join(localPaths().pkiDir, "ca.crt"), "utf8"),
    });
    const [port, admin] = [await freePort(), await freePort()];
    const dir = await mkdtemp(join(tmpdir(), "ramp-traefik-"));
    const config = {
      global: { checkNewVersion: false, sendAnonymousUsage: false },
      entryPoints: { web: { address: `127.0.0.1:${port}` }, traefik: { address: `127.0.0.1:${admin}` } },
      providers: {
        // The default (2 s) would hold every route change back that long; 100 ms still coalesces bursts.
        providersThrottleDuration: "100ms",
        kubernetesGateway: {
          endpoint: relay.url,
          token: token.stdout.trim(),
          namespaces: opts.namespaces,
          labelSelector: `${CLASS_LABEL}=${id}`,
          statusAddress: { ip: "127.0.0.1" },
        },
      },
      api: { insecure: true, dashboard: false },
      ping: { entryPoint: "traefik" },
      metrics: { prometheus: { entryPoint: "traefik", addServicesLabels: true } },
      log: { level: opts.logLevel ?? "INFO" },
    };
    const configFile = join(dir, "traefik.yml");
    await writeFile(configFile, stringify(config));
    const logFile = join(dir, "traefik.log");
    const fd = openSync(logFile, "a");
    // KUBECONFIG or in-cluster variables would take precedence over the endpoint and token above.
    const { KUBECONFIG: _k, KUBERNETES_SERVICE_HOST: _h, KUBERNETES_SERVICE_PORT: _p, ...env } = process.env;
    const child = spawn(binary, [`--configFile=${configFile}`], { stdio: ["ignore", fd, fd], env });
    closeSync(fd);
    const t = new Traefik({ port, admin, className, logFile, child, relay });
    try {
      await pollUntil(
        `traefik to answer ${t.adminUrl}/ping`,
        async () => (await t.#get("/ping").catch(() => ({ status: 0 }))).status === 200,
        {
          timeoutMs: 30_000,
          alive: () => child.exitCode === null,
          diagnose: () => readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n"),
        },
      );
    } catch (err) {
      await t.stop();
      throw err;
    }
    return t;
  }

  /** A Gateway of this class in `namespace` with one HTTP listener on Traefik's entry point; waits Programmed. */
  async gateway(namespace: string, name = "gateway"): Promise<void> {
    await apply(
      [
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "Gateway",
          metadata: { name, namespace },
          spec: {
            gatewayClassName: this.className,
            listeners: [{ name: "web", port: this.port, protocol: "HTTP" }],
          },
        },
      ],
      `Gateway ${namespace}/${name}`,
    );
    await waitFor(
      async () => {
        const r = await kubectl(["get", "gateway", name, "-n", namespace, "-o", "json"]);
        const g = JSON.parse(r.stdout) as { status?: { conditions?: { type: string; status: string }[] } };
        return g.status?.conditions?.some((c) => c.type === "Programmed" && c.status === "True");
      },
      { what: `Gateway ${namespace}/${name} Programmed by Traefik`, timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) {
      const exited = new Promise((resolve) => this.#child.once("exit", resolve));
      this.#child.kill("SIGTERM");
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    this.#agent.destroy();
    await this.#relay.stop();
    await kubectl(["delete", "gatewayclass", this.className, "--ignore-not-found", "--wait=false"]);
  }

  /** The services Traefik runs now (GET /api/rawdata), by name. */
  async services(): Promise<Record<string, RawService>> {
    const r = await this.#get("/api/rawdata");
    return (JSON.parse(r.body) as { services?: Record<string, RawService> }).services ?? {};
  }

  /**
   * What Traefik routes to a Service's backendRefs now: the weight of each backendRef in the weighted
   * services naming it, and the addresses of its servers (loopback twins of ready pods).
   */
  async serving(namespace: string, service: string): Promise<{ weights: number[]; servers: string[] }> {
    const all = await this.services();
    const prefix = `${namespace}-${service}-`;
    const weights = Object.values(all).flatMap(
      (s) => s.weighted?.services?.filter((x) => x.name.startsWith(prefix)).map((x) => x.weight ?? 1) ?? [],
    );
    const servers = Object.entries(all)
      .filter(([name, s]) => name.startsWith(prefix) && s.loadBalancer)
      .flatMap(([, s]) => s.loadBalancer?.servers?.map((x) => new URL(x.url).hostname) ?? []);
    return { weights, servers: [...new Set(servers)].sort() };
  }

  /** One request through the Gateway: status and body ("" and status 0 when no answer came). */
  send(opts: { host: string; path?: string; headers?: Record<string, string>; timeoutMs?: number }) {
    return request(
      `${this.url}${opts.path ?? "/"}`,
      { host: opts.host, ...(opts.headers ?? {}) },
      this.#agent,
      opts.timeoutMs ?? 10_000,
    );
  }

  /** Sends `n` requests (at most 5,000, 8 at a time) through the Gateway and counts the answers. */
  async measure(
    n: number,
    opts: { host: string; path?: string; headers?: Record<string, string> },
  ): Promise<Measured> {
    if (n > 5000) throw new Error("measure: at most 5,000 requests");
    const out: Measured = { byVersion: {}, errors: 0, errorSamples: [], total: n };
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        const { status, body } = await this.send(opts);
        if (status === 200) out.byVersion[body] = (out.byVersion[body] ?? 0) + 1;
        else {
          out.errors++;
          if (out.errorSamples.length < 3) out.errorSamples.push(`${status} ${body}`.slice(0, 200));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return out;
  }

  #get(path: string) {
    return request(`${this.adminUrl}${path}`, {}, this.#agent, 5_000);
  }
}

function request(
  url: string,
  headers: Record<string, string>,
  agent: Agent,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, headers, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", (err) => resolve({ status: 0, body: err.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}
