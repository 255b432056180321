// Given/When/Then for traffic-routing tests: the e2e Fixture plus the upstream CRDs, a recorder of every
// route version, and a data plane that moves real requests: Traefik for Gateway API (a real implementation),
// the in-house weighted proxy with stand-ins per version for NGINX and Istio.
import assert from "node:assert/strict";
import { waitFor } from "../../../dev/kube.ts";
import { Traefik } from "../../../dev/traefik.ts";
import { PodServers } from "../../../dev/traffic/pods.ts";
import { type Measured, type ProxyMode, TrafficProxy } from "../../../dev/traffic/proxy.ts";
import { type StandIn, startStandIns } from "../../../dev/traffic/standins.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import type { RouteKind } from "../../../src/traffic/apis.ts";
import { Fixture } from "../e2e/fixture.ts";
import { applyFixtureAs, getRoute, RouteHistory, type RouteObj, rvOf } from "./routes.ts";

/** What a test needs of a data plane: converge on the cluster, carry requests, and say who served them. */
export interface DataPlane {
  /**
   * Resolves once the data plane routes as the cluster says now: the weights the routes show, and each
   * Service in `serving` reaching ready pods of only that version.
   */
  converged(serving: Record<string, string>): Promise<void>;
  measure(n: number, opts: { host: string; headers?: Record<string, string> }): Promise<Measured>;
  /** Requests answered by a version so far (mirrored copies not included). */
  served(version: string): number;
  mirrored(version: string): number;
}

/** The in-house proxy: it re-reads the cluster every 100 ms and forwards to one stand-in per version. */
class ProxyPlane implements DataPlane {
  readonly proxy: TrafficProxy;
  readonly standIns: Record<string, StandIn>;
  constructor(proxy: TrafficProxy, standIns: Record<string, StandIn>) {
    this.proxy = proxy;
    this.standIns = standIns;
  }
  async converged(serving: Record<string, string>): Promise<void> {
    await this.proxy.refreshed();
    for (const [service, version] of Object.entries(serving)) {
      await waitFor(
        () => {
          const eps = this.proxy.endpoints(service);
          return eps.length > 0 && eps.every((v) => v === version);
        },
        { what: `${service} to serve only ${version}`, timeoutMs: 30_000, intervalMs: 50 },
      );
    }
  }
  measure(n: number, opts: { host: string; headers?: Record<string, string> }): Promise<Measured> {
    return this.proxy.measure(n, opts);
  }
  served(version: string): number {
    return this.standIns[version]?.served ?? 0;
  }
  mirrored(version: string): number {
    return this.standIns[version]?.mirrored ?? 0;
  }
}

type BackendRef = { name: string; weight?: number };

/** Traefik's Gateway API provider, reaching one stand-in per pod (PodServers) on the pods' loopback twins. */
export class TraefikPlane implements DataPlane {
  readonly traefik: Traefik;
  readonly pods: PodServers;
  readonly namespace: string;
  readonly route: () => Promise<RouteObj | undefined>;
  constructor(
    traefik: Traefik,
    pods: PodServers,
    namespace: string,
    route: () => Promise<RouteObj | undefined>,
  ) {
    this.traefik = traefik;
    this.pods = pods;
    this.namespace = namespace;
    this.route = route;
  }

  /** Waits until Traefik's running config has the route's weights and each Service's ready pods. */
  async converged(serving: Record<string, string>): Promise<void> {
    let last = "";
    await waitFor(
      async () => {
        const route = await this.route();
        const rules = (route?.spec?.rules as { backendRefs?: BackendRef[] }[] | undefined) ?? [];
        for (const [service, version] of Object.entries(serving)) {
          const want = rules
            .flatMap((r) => r.backendRefs ?? [])
            .filter((b) => b.name === service)
            .map((b) => b.weight ?? 1)
            .sort();
          const got = await this.traefik.serving(this.namespace, service);
          const versions = got.servers.map((ip) => this.pods.versionAt(ip));
          last = `${service}: weights ${got.weights} (route: ${want}), pods ${versions}`;
          if (JSON.stringify([...got.weights].sort()) !== JSON.stringify(want)) return false;
          if (versions.length === 0 || versions.some((v) => v !== version)) return false;
        }
        return true;
      },
      { what: "Traefik to route as the cluster says", timeoutMs: 30_000, intervalMs: 50 },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last: ${last}`, { cause: err });
    });
  }
  measure(n: number, opts: { host: string; headers?: Record<string, string> }): Promise<Measured> {
    return this.traefik.measure(n, opts);
  }
  served(version: string): number {
    return this.pods.total(version);
  }
  mirrored(): number {
    return 0;
  }
}

/** The GitOps tool that owns the manifests; ramp must never take or drop its fields. */
export const GITOPS = "argocd";
export const V1 = "app:1";
export const V2 = "app:2";
export const V3 = "app:3";

export type RolloutVars = {
  NAME: string;
  routing: Record<string, unknown>;
  steps: unknown[];
  image?: string;
  scaleDownDelay?: number;
  abortDelay?: number;
};

export class TrafficFixture {
  readonly f: Fixture;
  readonly routes: RouteHistory;
  readonly standIns: Record<string, StandIn>;
  readonly #proxies: TrafficProxy[] = [];
  /** With `traefik: true`: Traefik, its Gateway "gateway" in the namespace, and a stand-in per pod. */
  traefik: Traefik | undefined;
  pods: PodServers | undefined;

  private constructor(f: Fixture, routes: RouteHistory, standIns: Record<string, StandIn>) {
    this.f = f;
    this.routes = routes;
    this.standIns = standIns;
  }

  /** Installs the upstream CRDs first, so the controller started later discovers their APIs. */
  static async create(prefix: string, opts: { traefik?: boolean } = {}): Promise<TrafficFixture> {
    await installUpstreamCrds();
    const f = await Fixture.create(prefix);
    const routes = await RouteHistory.start(f.kc, f.namespace);
    const t = new TrafficFixture(f, routes, await startStandIns([V1, V2, V3]));
    if (opts.traefik) {
      t.pods = await PodServers.start(f.kc, f.namespace);
      t.traefik = await Traefik.start({ namespaces: [f.namespace] });
      await t.traefik.gateway(f.namespace, "gateway");
    }
    return t;
  }

  get namespace(): string {
    return this.f.namespace;
  }

  async cleanup(): Promise<void> {
    this.routes.stop();
    await this.traefik?.stop();
    await this.pods?.stop();
    await Promise.all(this.#proxies.map((p) => p.stop()));
    await Promise.all(Object.values(this.standIns).map((s) => s.close()));
    await this.f.cleanup();
  }

  // ---- Given ----

  /** Applies the Rollout and its Services as the GitOps tool would. */
  async applyRollout(v: RolloutVars): Promise<void> {
    await applyFixtureAs(GITOPS, this.namespace, "traffic/rollout.yaml", {
      NAME: v.NAME,
      IMAGE: v.image ?? V1,
      SCALE_DOWN_DELAY: String(v.scaleDownDelay ?? 2),
      ABORT_DELAY: String(v.abortDelay ?? 2),
      ROUTING: JSON.stringify(v.routing),
      STEPS: JSON.stringify(v.steps),
    });
  }

  /** Applies a route fixture (test/fixtures/traffic/<file>) as the GitOps tool. */
  async applyRoutes(file: string, name: string): Promise<void> {
    await applyFixtureAs(GITOPS, this.namespace, `traffic/${file}`, {
      NAME: name,
      NAMESPACE: this.namespace,
    });
  }

  /** The data plane for a backend's route `name`: Traefik when this fixture runs it, else the in-house proxy. */
  async plane(mode: ProxyMode | "traefik", route: string): Promise<DataPlane> {
    if (mode === "traefik") {
      if (!this.traefik || !this.pods) throw new Error("this TrafficFixture was created without Traefik");
      return new TraefikPlane(this.traefik, this.pods, this.namespace, () => this.route("HTTPRoute", route));
    }
    return new ProxyPlane(await this.proxy(mode), this.standIns);
  }

  async proxy(mode: ProxyMode): Promise<TrafficProxy> {
    const p = await TrafficProxy.start({
      kc: this.f.kc,
      namespace: this.namespace,
      mode,
      standIns: this.standIns,
    });
    this.#proxies.push(p);
    return p;
  }

  // ---- When ----

  /** Waits for the Rollout to pause at step `index` (0-based) of the current version. */
  pausedAt(name: string, index: number): Promise<RolloutStatus> {
    return this.f.waitStatus(
      name,
      `paused at step ${index}`,
      (s) => s.phase === "Paused" && s.currentStepIndex === index && s.stableRS !== s.currentPodHash,
      90_000,
    );
  }

  // ---- Then ----

  route(kind: RouteKind, name: string): Promise<RouteObj | undefined> {
    return getRoute(this.f.kc, kind, this.namespace, name);
  }

  /** Polls the live object until `check` passes; the error carries the last spec seen. */
  async waitRoute(
    kind: RouteKind,
    name: string,
    what: string,
    check: (o: RouteObj | undefined) => boolean,
  ): Promise<RouteObj | undefined> {
    let last: RouteObj | undefined;
    try {
      await waitFor(
        async () => {
          last = await this.route(kind, name);
          return check(last);
        },
        { what: `${kind} ${name}: ${what}`, timeoutMs: 60_000, intervalMs: 100 },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nlast: ${JSON.stringify(last?.spec ?? "absent")}`, {
        cause: err,
      });
    }
    return last;
  }

  /**
   * Sends `n` real requests through the data plane and returns the canary's share in percent, once it has
   * converged on the cluster (the weights the routes show; each Service in `serving` with ready endpoints
   * of just that version).
   */
  async share(
    through: DataPlane | TrafficProxy,
    canary: string,
    opts: { n?: number; host: string; headers?: Record<string, string>; serving: Record<string, string> },
  ): Promise<{ percent: number; measured: Measured }> {
    const plane = through instanceof TrafficProxy ? new ProxyPlane(through, this.standIns) : through;
    await plane.converged(opts.serving);
    // EndpointSlices trail a ReplicaSet's availability (a DestinationRule subset can name pods the data
    // plane does not list yet): let a small probe answer in full before measuring.
    const probe = { host: opts.host, ...(opts.headers ? { headers: opts.headers } : {}) };
    await waitFor(async () => (await plane.measure(20, probe)).errors === 0, {
      what: "the data plane to answer every request",
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch(() => {});
    const n = opts.n ?? 2000;
    const measured = await plane.measure(n, probe);
    assert.equal(measured.errors, 0, `requests failed: ${measured.errorSamples.join("; ")}`);
    return { percent: ((measured.byVersion[canary] ?? 0) * 100) / n, measured };
  }

  /** The first ReplicaSet version (by resourceVersion) where the canary had fewer pods than before. */
  firstCanaryShrink(rollout: string, hash: string, afterRv = 0): number | undefined {
    let prev: number | undefined;
    for (const e of this.f.history.replicaSets) {
      const labels = e.obj.metadata?.labels ?? {};
      if (labels["ramp.dev/rollout"] !== rollout || labels["ramp.dev/pod-template-hash"] !== hash) continue;
      const replicas = Number(e.obj.spec?.replicas ?? 0);
      const rv = rvOf(e.obj as { metadata?: { resourceVersion?: string } });
      if (prev !== undefined && replicas < prev && rv > afterRv) return rv;
      prev = replicas;
    }
    return undefined;
  }
}

/** Asserts a measured share is within ±`within` (default 3) percentage points of the weight. */
export function assertShare(percent: number, weight: number, what: string, within = 3): void {
  assert.ok(
    Math.abs(percent - weight) <= within,
    `${what}: canary got ${percent.toFixed(2)}% of requests, weight ${weight}%`,
  );
}
