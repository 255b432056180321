// Given/When/Then for traffic-routing tests: the e2e Fixture plus the upstream CRDs, a recorder of every
// route version, stand-ins for each version and weighted proxies that move real requests.
import assert from "node:assert/strict";
import { waitFor } from "../../../dev/kube.ts";
import { type Measured, type ProxyMode, TrafficProxy } from "../../../dev/traffic/proxy.ts";
import { type StandIn, startStandIns } from "../../../dev/traffic/standins.ts";
import { installUpstreamCrds } from "../../../dev/upstream-crds.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import type { RouteKind } from "../../../src/traffic/apis.ts";
import { Fixture } from "../e2e/fixture.ts";
import { applyFixtureAs, getRoute, RouteHistory, type RouteObj, rvOf } from "./routes.ts";

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

  private constructor(f: Fixture, routes: RouteHistory, standIns: Record<string, StandIn>) {
    this.f = f;
    this.routes = routes;
    this.standIns = standIns;
  }

  /** Installs the upstream CRDs first, so the controller started later discovers their APIs. */
  static async create(prefix: string): Promise<TrafficFixture> {
    await installUpstreamCrds();
    const f = await Fixture.create(prefix);
    const routes = await RouteHistory.start(f.kc, f.namespace);
    return new TrafficFixture(f, routes, await startStandIns([V1, V2, V3]));
  }

  get namespace(): string {
    return this.f.namespace;
  }

  async cleanup(): Promise<void> {
    this.routes.stop();
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
   * Sends `n` real requests through the proxy and returns the canary's share in percent, once the proxy
   * has re-read the cluster and each Service in `serving` has ready endpoints of just that version (the
   * data plane has converged on the Services' selectors; the weights are whatever the routes say).
   */
  async share(
    proxy: TrafficProxy,
    canary: string,
    opts: { n?: number; host: string; headers?: Record<string, string>; serving: Record<string, string> },
  ): Promise<{ percent: number; measured: Measured }> {
    await proxy.refreshed();
    for (const [service, version] of Object.entries(opts.serving)) {
      await waitFor(
        () => {
          const eps = proxy.endpoints(service);
          return eps.length > 0 && eps.every((v) => v === version);
        },
        { what: `${service} to serve only ${version}`, timeoutMs: 30_000, intervalMs: 50 },
      );
    }
    // EndpointSlices trail a ReplicaSet's availability (a DestinationRule subset can name pods the data
    // plane does not list yet): let a small probe answer in full before measuring.
    const probe = { host: opts.host, ...(opts.headers ? { headers: opts.headers } : {}) };
    await waitFor(async () => (await proxy.measure(20, probe)).errors === 0, {
      what: "the data plane to answer every request",
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch(() => {});
    const n = opts.n ?? 2000;
    const measured = await proxy.measure(n, {
      host: opts.host,
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
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

/** Asserts a measured share is within ±3 percentage points of the weight. */
export function assertShare(percent: number, weight: number, what: string): void {
  assert.ok(
    Math.abs(percent - weight) <= 3,
    `${what}: canary got ${percent.toFixed(2)}% of requests, weight ${weight}%`,
  );
}
