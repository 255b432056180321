// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: take the Lease when it is free
// or expired, renew it every retryPeriod, step down when renewing fails for renewDeadline, and on
// release() hand it over at once. Writes carry the read resourceVersion, so a 409 means another won.
import { setTimeout as sleep } from "node:timers/promises";
import { type Logger, silentLogger } from "../observability/log.ts";
import type { Metrics } from "../observability/metrics.ts";
import { type Clients, statusCodeOf } from "./client.ts";

/** A coordination.k8s.io/v1 Lease, as much of it as leader election reads and writes. */
export type Lease = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
};

/** Reads and writes of one namespace's Leases; throws errors with the HTTP status (statusCodeOf). */
export interface LeaseApi {
  read(namespace: string, name: string): Promise<Lease>;
  create(namespace: string, lease: Lease): Promise<void>;
  /** Replaces with the resourceVersion in `lease`, so a concurrent write fails with 409. */
  replace(namespace: string, name: string, lease: Lease): Promise<void>;
}

/** Leases over the counted raw client. */
export function leaseApi(clients: Pick<Clients, "request">): LeaseApi {
  const base = (ns: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
  const typed = (l: Lease): Lease => ({ ...l, apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
  return {
    read: (ns, name) => clients.request<Lease>("GET", `${base(ns)}/${name}`),
    create: async (ns, lease) => void (await clients.request("POST", base(ns), typed(lease))),
    replace: async (ns, name, lease) =>
      void (await clients.request("PUT", `${base(ns)}/${name}`, typed(lease))),
  };
}

/** A MicroTime: RFC 3339 with microseconds, as the Lease API stores them. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, "000Z");

export interface LeaderElectionOptions {
  leases: LeaseApi;
  namespace: string;
  /** The Lease's name, e.g. "ramp-controller". */
  name: string;
  /** This candidate's identity, unique per process (e.g. pod name + random suffix). */
  identity: string;
  /** How long a Lease stays valid after its last renewal; default 15 s. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down; default 10 s. */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew; default 2 s. */
  retryPeriodMs?: number;
  onStartedLeading?: () => void;
  /** Called when leadership ends (lost, stop() or release()); a controller usually exits here. */
  onStoppedLeading?: () => void;
  /** Called when the observed holder changes (including to this identity). */
  onNewLeader?: (identity: string) => void;
  metrics?: Metrics;
  log?: Logger;
  now?: () => number;
}

type Attempt = "held" | "other";

/** One candidate for one Lease: start() campaigns, isLeader() tells, stop()/release() end it. */
export class LeaderElector {
  readonly #opts: LeaderElectionOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #leading = false;
  /** The last attempt wrote the Lease as ours (release() only touches a Lease we hold). */
  #holdsLease = false;
  #observedHolder: string | undefined;
  /** When the Lease was last written as ours (acquired or renewed), while leading. */
  #renewedAt = 0;

  constructor(opts: LeaderElectionOptions) {
    this.#opts = opts;
    this.#log = (opts.log ?? silentLogger).child({
      lease: `${opts.namespace}/${opts.name}`,
      identity: opts.identity,
    });
    this.#now = opts.now ?? Date.now;
    this.#leaseMs = opts.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.#retryMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.#leaseMs > this.#renewDeadlineMs && this.#renewDeadlineMs > this.#retryMs)) {
      throw new Error("leader election needs leaseDuration > renewDeadline > retryPeriod");
    }
  }

  /** Starts campaigning in the background; safe to call twice. */
  start(): void {
    if (this.#stop.signal.aborted) throw new Error("leader elector was stopped");
    this.#loop ??= this.#run();
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /**
   * How far past the Lease's expiry this leader is without a renewal (0 when not leading or in time).
   * The renew loop steps down after renewDeadline, so anything above 0 means the loop itself is stuck.
   */
  renewalOverdueMs(): number {
    if (!this.#leading) return 0;
    return Math.max(0, this.#now() - this.#renewedAt - this.#leaseMs);
  }

  /** Stops campaigning and renewing without touching the Lease: others take over once it expires. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#stepDown();
  }

  /** Stops, then (if this process holds the Lease) empties it so another candidate takes over at once. */
  async release(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    if (this.#holdsLease) await this.#releaseLease();
    this.#stepDown();
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      const attemptedAt = this.#now();
      if ((await this.#attempt()) !== "held") {
        // Jittered like client-go, so candidates do not all knock at the same moment.
        await this.#pause(this.#retryMs * (1 + Math.random() * 0.2));
        continue;
      }
      // Won while stopping: never start leading; release() can still hand the Lease back.
      if (signal.aborted) return;
      this.#renewedAt = attemptedAt;
      this.#stepUp();
      await this.#renewLoop(attemptedAt);
      if (!signal.aborted) this.#stepDown();
    }
  }

  // Renews every retryPeriod; returns when another holder is seen or renewing failed for renewDeadline.
  async #renewLoop(acquiredAt: number): Promise<void> {
    let lastRenew = acquiredAt;
    while (!this.#stop.signal.aborted) {
      await this.#pause(this.#retryMs);
      if (this.#stop.signal.aborted) return;
      const attemptedAt = this.#now();
      const result = await this.#attempt(lastRenew + this.#renewDeadlineMs - attemptedAt);
      if (result === "held") {
        // The Lease says renewed at attemptedAt; count the deadline from there, not from the reply.
        lastRenew = attemptedAt;
        this.#renewedAt = attemptedAt;
        continue;
      }
      if (this.#observedHolder !== undefined && this.#observedHolder !== this.#opts.identity) return;
      if (this.#now() - lastRenew >= this.#renewDeadlineMs) {
        this.#log.warn({ sinceRenewMs: this.#now() - lastRenew }, "leader lease renewal deadline passed");
        return;
      }
    }
  }

  // One try; a failed or timed-out request counts as not holding the Lease.
  async #attempt(timeoutMs = this.#renewDeadlineMs): Promise<Attempt | "failed"> {
    const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
    try {
      const result = await Promise.race([
        this.#tryAcquireOrRenew(),
        new Promise<"failed">((resolve) => timeout.addEventListener("abort", () => resolve("failed"))),
      ]);
      if (result !== "failed") this.#holdsLease = result === "held";
      return result;
    } catch (err) {
      this.#log.warn({ err }, "leader lease request failed");
      return "failed";
    }
  }

  async #tryAcquireOrRenew(): Promise<Attempt> {
    const { leases, namespace, name, identity } = this.#opts;
    const now = this.#now();
    let lease: Lease;
    try {
      lease = await leases.read(namespace, name);
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      try {
        await leases.create(namespace, {
          metadata: { name, namespace },
          spec: this.#heldSpec(now, undefined),
        });
        this.#observe(identity);
        return "held";
      } catch (createErr) {
        if (statusCodeOf(createErr) === 409) return "other";
        throw createErr;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    this.#observe(holder);
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const expired = timeOf(spec.renewTime) + durationMs < now;
    if (holder !== "" && holder !== identity && !expired) return "other";
    try {
      await leases.replace(namespace, name, {
        ...lease,
        spec: this.#heldSpec(now, holder === identity ? spec : undefined, spec),
      });
    } catch (err) {
      if (statusCodeOf(err) === 409) return "other";
      throw err;
    }
    this.#observe(identity);
    return "held";
  }

  // The spec of a Lease this identity holds; `ours` is the current spec when renewing our own Lease.
  #heldSpec(now: number, ours: Lease["spec"], previous?: Lease["spec"]): NonNullable<Lease["spec"]> {
    const stamp = microTime(now);
    return {
      holderIdentity: this.#opts.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseMs / 1000),
      acquireTime: ours?.acquireTime ?? stamp,
      renewTime: stamp,
      leaseTransitions: ours ? (ours.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1,
    };
  }

  async #releaseLease(): Promise<void> {
    const { leases, namespace, name, identity } = this.#opts;
    try {
      const lease = await leases.read(namespace, name);
      if (lease.spec?.holderIdentity !== identity) return;
      const stamp = microTime(this.#now());
      // As client-go's ReleaseOnCancel: no holder and a 1 s duration, so the next candidate needs no wait.
      const spec = {
        leaseDurationSeconds: 1,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: lease.spec.leaseTransitions ?? 0,
      };
      await leases.replace(namespace, name, { ...lease, spec });
      this.#holdsLease = false;
      this.#log.info({}, "leader lease released");
    } catch (err) {
      this.#log.warn({ err }, "leader lease release failed");
    }
  }

  #observe(holder: string): void {
    if (holder === this.#observedHolder) return;
    this.#observedHolder = holder;
    if (holder !== "") this.#opts.onNewLeader?.(holder);
  }

  #stepUp(): void {
    this.#leading = true;
    this.#opts.metrics?.leader.set(1);
    this.#log.info({}, "started leading");
    this.#opts.onStartedLeading?.();
  }

  #stepDown(): void {
    if (!this.#leading) return;
    this.#leading = false;
    this.#opts.metrics?.leader.set(0);
    this.#log.info({}, "stopped leading");
    this.#opts.onStoppedLeading?.();
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => {});
  }
}

function timeOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}
