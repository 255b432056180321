// An in-memory cluster for table tests of the reconcile's plan: a Rollout (parsed by the zod schema, so
// defaults apply), its ReplicaSets as the controller names them, Services, AnalysisTemplates and Runs,
// HTTPRoutes and a fixed clock, read through a `Caches`; and an apply that carries a plan out on it the way
// src/reconcile/apply.ts and the Reconciler's status write would, so a test steps a rollout reconcile by
// reconcile. No apiserver: pods become available only when a test says so.
import type { V1Pod, V1ReplicaSet, V1Service } from "@kubernetes/client-node";
import {
  type AnalysisRun,
  type AnalysisTemplate,
  PodTemplateSpec,
  Rollout,
  type RolloutStatus,
  type RunPhase,
  type UserIntent,
} from "../../../src/api/index.ts";
import { HASH_LABEL } from "../../../src/api/labels.ts";
import { buildContext, type RolloutContext } from "../../../src/core/context.ts";
import { asWritten } from "../../../src/core/outcome.ts";
import type { ReplicaSetWrite, RolloutPlan, ServicePin } from "../../../src/core/plan.ts";
import type { Caches, Deps } from "../../../src/core/ports.ts";
import type { RecordParams } from "../../../src/core/records.ts";
import { hashOf, rsName } from "../../../src/core/replicasets.ts";
import { assembleStatus } from "../../../src/core/status.ts";
import { podTemplateHash } from "../../../src/kube/hash.ts";
import { mergePatchDiff } from "../../../src/kube/merge-patch.ts";
import { planRollout } from "../../../src/reconcile/plan.ts";
import type { RouteObject } from "../../../src/traffic/apis.ts";
import { jsonEqual, Patcher } from "../../../src/traffic/json-patch.ts";
import type { RouteWrite } from "../../../src/traffic/ports.ts";
import {
  analysisTemplateOf,
  httpRouteOf,
  linesOf,
  NAME,
  NS,
  type SpecInput,
  serviceOf,
  T0,
  templateOf,
} from "./world-objects.ts";

export type { SpecInput } from "./world-objects.ts";
export { T0 } from "./world-objects.ts";

const hashes = new Map<string, string>();

/** The pod-template hash of a version, as the controller computes it from the parsed template. */
export function versionHash(version: string): string {
  const known = hashes.get(version);
  if (known !== undefined) return known;
  const hash = podTemplateHash(PodTemplateSpec.parse(templateOf(version)));
  hashes.set(version, hash);
  return hash;
}

/** One reconcile: the context it planned from, the plan, and the plan's writes as lines. */
export type Step = { ctx: RolloutContext; plan: RolloutPlan; writes: string[] };

export class World {
  readonly key = `${NS}/${NAME}`;
  now = T0;
  spec: SpecInput;
  version: string;
  generation = 1;
  status: RolloutStatus = {};
  readonly replicaSets = new Map<string, V1ReplicaSet>();
  readonly services = new Map<string, V1Service>();
  readonly templates = new Map<string, AnalysisTemplate>();
  readonly runs = new Map<string, AnalysisRun>();
  readonly routes = new Map<string, RouteObject>();
  /** Every Event recorded, in order. */
  readonly events: RecordParams[] = [];
  #intents = 0;

  constructor(spec: SpecInput, version = "v1") {
    this.spec = spec;
    this.version = version;
  }

  /** The raw object the watch cache would hold. */
  raw() {
    return {
      apiVersion: "ramp.dev/v1alpha1" as const,
      kind: "Rollout" as const,
      metadata: { name: NAME, namespace: NS, uid: "uid-web", generation: this.generation },
      spec: { ...this.spec, selector: { matchLabels: { app: NAME } }, template: templateOf(this.version) },
      status: this.status,
    };
  }

  /** The World always writes an inline template, so the parsed manifest is already resolved. */
  rollout(): Rollout {
    return Rollout.parse(this.raw()) as Rollout;
  }

  hash(version: string): string {
    return versionHash(version);
  }

  /** The ReplicaSet of a version, if the world has it. */
  rs(version: string): V1ReplicaSet | undefined {
    return this.replicaSets.get(rsName(NAME, this.hash(version)));
  }

  /** The version name a hash stands for (v1…v9 are tried), or the hash itself. */
  readonly nameOf = (hash: string | undefined): string => {
    for (let i = 1; i < 10; i++) if (this.hash(`v${i}`) === hash) return `v${i}`;
    return hash ?? "-";
  };

  readonly #rsVersion = (name: string): string => {
    const rs = this.replicaSets.get(name);
    return rs ? this.nameOf(hashOf(rs)) : name;
  };

  // ---- the world's objects ----

  withServices(...names: string[]): this {
    for (const n of names) this.services.set(n, serviceOf(n));
    return this;
  }

  withHttpRoute(name: string, stable: string, canary: string): this {
    this.routes.set(`HTTPRoute/${name}`, httpRouteOf(name, stable, canary));
    return this;
  }

  withTemplates(...names: string[]): this {
    for (const n of names) this.templates.set(n, analysisTemplateOf(n));
    return this;
  }

  route(name: string): RouteObject | undefined {
    return this.routes.get(`HTTPRoute/${name}`);
  }

  /** A Service's pinned version (by name), or undefined while it selects no version. */
  pinned(service: string): string | undefined {
    const hash = this.services.get(service)?.spec?.selector?.[HASH_LABEL];
    return hash === undefined ? undefined : this.nameOf(hash);
  }

  // ---- what happens outside the controller ----

  /** Git changes the version (spec.template); the generation moves. */
  ship(version: string): this {
    this.version = version;
    this.generation++;
    return this;
  }

  /** Git changes the spec. */
  edit(change: (spec: SpecInput) => SpecInput): this {
    this.spec = change(this.spec);
    this.generation++;
    return this;
  }

  /** Any other change to the world, in a chain. */
  tap(change: (w: this) => void): this {
    change(this);
    return this;
  }

  tick(seconds: number): this {
    this.now += seconds * 1000;
    return this;
  }

  /** `kubectl ramp <action>`: an intent in status with a fresh id. */
  intent(action: UserIntent["action"], extra: Partial<UserIntent> = {}): string {
    const id = `intent-${++this.#intents}`;
    const at = new Date(this.now).toISOString();
    this.status = { ...this.status, intent: { action, id, requestedAt: at, requestedBy: "alice", ...extra } };
    return id;
  }

  /** An AnalysisRun ends (as the analysis controller would write it). */
  finishRun(name: string, phase: RunPhase, message?: string): void {
    const run = this.runs.get(name);
    if (!run) throw new Error(`no AnalysisRun ${name}`);
    const finishedAt = new Date(this.now).toISOString();
    run.status = { ...run.status, phase, finishedAt, ...(message ? { message } : {}) };
  }

  /**
   * The ReplicaSet controller and kubelet catch up: every ReplicaSet's pods exist and are available, or only
   * `available` of one version's.
   */
  ready(version?: string, available?: number): this {
    for (const rs of this.replicaSets.values()) {
      if (version !== undefined && this.nameOf(hashOf(rs)) !== version) continue;
      const spec = rs.spec?.replicas ?? 0;
      const n = Math.min(spec, available ?? spec);
      rs.status = { replicas: spec, readyReplicas: n, availableReplicas: n };
    }
    return this;
  }

  // ---- the controller ----

  caches(): Caches {
    return {
      rollout: () => this.raw(),
      replicaSetsOf: () => [...this.replicaSets.values()],
      service: (_ns, name) => this.services.get(name),
      analysisRunsOf: () => [...this.runs.values()],
      analysisTemplate: (_ns, name) => this.templates.get(name),
      routeObject: (kind, _ns, name) => this.routes.get(`${kind}/${name}`),
      routeObjectsOf: (kind) =>
        [...this.routes.entries()].filter(([k]) => k.startsWith(`${kind}/`)).map(([, o]) => o),
      routeApiServed: () => true,
      deployment: () => undefined,
      autoscalersOf: () => [],
    };
  }

  context(): RolloutContext {
    const deps: Pick<Deps, "caches" | "now"> = { caches: this.caches(), now: () => this.now };
    return buildContext(this.key, this.rollout(), deps as Deps);
  }

  /** What the controller would do now, without doing it. */
  plan(pods?: V1Pod[]): Step {
    const ctx = this.context();
    const plan = planRollout(ctx, this.caches(), pods);
    return { ctx, plan, writes: this.lines(plan) };
  }

  lines(plan: RolloutPlan): string[] {
    return linesOf(plan, this.nameOf, this.#rsVersion);
  }

  /**
   * A plan made now and not applied, as what it would change: writes, Events and the status merge patch
   * without the pod counts (they trail the plan's own ReplicaSet writes by one reconcile, by design). A
   * world already in place gives none of them.
   */
  again(): { writes: string[]; records: string[]; status: Record<string, unknown> } {
    const { ctx, plan, writes } = this.plan();
    const status = mergePatchDiff(
      this.status as Record<string, unknown>,
      assembleStatus(ctx, plan.outcome) as Record<string, unknown>,
    );
    for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) delete status[k];
    return { writes, records: plan.outcome.records.map((r) => r.reason), status };
  }

  /** One reconcile: plan, carry the plan out, write the status. */
  reconcile(pods?: V1Pod[]): Step {
    const step = this.plan(pods);
    this.apply(step.ctx, step.plan);
    return step;
  }

  /** Carries a plan out in apply's order, then writes the status as the Reconciler does (merge patch). */
  apply(ctx: RolloutContext, plan: RolloutPlan): void {
    this.#pin(plan.servicesFirst);
    for (const w of plan.routes) this.#writeRoute(w);
    this.#pin(plan.services);
    for (const w of plan.replicaSets) this.#writeReplicaSet(w);
    for (const run of plan.analysis.create) this.runs.set(run.metadata.name, structuredClone(run));
    for (const name of plan.analysis.terminate) {
      const run = this.runs.get(name);
      if (run) run.spec = { ...run.spec, terminate: true };
    }
    for (const name of plan.analysis.delete) this.runs.delete(name);
    this.status = asWritten(this.status, assembleStatus(ctx, plan.outcome));
    this.events.push(...plan.outcome.records);
  }

  #pin(pins: ServicePin[]): void {
    for (const p of pins) {
      const svc = this.services.get(p.name);
      if (!svc?.spec) throw new Error(`404 Service ${p.name}`);
      svc.spec.selector = { ...svc.spec.selector, [HASH_LABEL]: p.hash };
    }
  }

  #writeRoute(w: RouteWrite): void {
    if (w.op === "apply") {
      this.routes.set(`${w.object.kind}/${w.object.metadata.name}`, structuredClone(w.object));
      return;
    }
    const key = `${w.ref.kind}/${w.ref.name}`;
    if (w.op === "delete") {
      this.routes.delete(key);
      return;
    }
    const cur = this.routes.get(key);
    if (!cur) throw new Error(`404 ${key}`);
    const p = new Patcher(cur);
    for (const op of w.ops) {
      // A stale read makes the apiserver refuse the whole patch: so does the world.
      if (op.op === "test") {
        if (!jsonEqual(p.get(op.path), op.value)) throw new Error(`422 test failed at ${op.path}`);
      } else if (op.op === "remove") p.remove(op.path);
      else p.add(op.path, op.value);
    }
    this.routes.set(key, p.doc as RouteObject);
  }

  #writeReplicaSet(w: ReplicaSetWrite): void {
    if (w.op === "create") {
      const rs = structuredClone(w.replicaSet);
      const name = rs.metadata?.name ?? "";
      if (this.replicaSets.has(name)) return;
      rs.metadata = { ...rs.metadata, uid: `uid-${name}` };
      rs.status = { replicas: rs.spec?.replicas ?? 0, readyReplicas: 0, availableReplicas: 0 };
      this.replicaSets.set(name, rs);
      return;
    }
    const rs = this.replicaSets.get(w.name);
    if (!rs) throw new Error(`404 ReplicaSet ${w.name}`);
    if (w.op === "delete") this.replicaSets.delete(w.name);
    else if (w.op === "scale") this.#scale(rs, w.replicas);
    else if (w.op !== "annotate")
      throw new Error(`the world does not model a ReplicaSet "${(w as { op: string }).op}" write`);
    else {
      const annotations: Record<string, string> = { ...rs.metadata?.annotations };
      for (const [k, v] of Object.entries(w.annotations)) {
        if (v === null) delete annotations[k];
        else annotations[k] = v;
      }
      rs.metadata = { ...rs.metadata, annotations };
    }
  }

  /** New pods start unavailable; pods scaled away go at once. */
  #scale(rs: V1ReplicaSet, replicas: number): void {
    rs.spec = { ...(rs.spec ?? { selector: {} }), replicas };
    const available = Math.min(replicas, rs.status?.availableReplicas ?? 0);
    rs.status = { replicas, readyReplicas: available, availableReplicas: available };
  }

  /**
   * Reconciles at least once, making every pod available after each, until the machine is in `state` (at
   * most 20 rounds).
   */
  reach(state: string): this {
    for (let i = 0; i === 0 || (i < 20 && this.status.machine?.value !== state); i++) {
      this.reconcile();
      this.ready();
    }
    if (this.status.machine?.value !== state)
      throw new Error(`never reached ${state}: ${this.status.message}`);
    return this;
  }

  /** Reconciles, making every pod available after each, until a plan writes nothing (at most 20 rounds). */
  settle(): this {
    for (let i = 0; i < 20; i++) {
      const step = this.reconcile();
      this.ready();
      if (step.writes.length === 0 && this.plan().writes.length === 0) return this;
    }
    throw new Error(`the world did not settle: ${this.plan().writes.join("; ")}`);
  }
}

/** A world whose version `version` is deployed and Healthy: no rollout in flight. */
export function deployed(spec: SpecInput, setup: (w: World) => void, version = "v1"): World {
  const w = new World(spec, version);
  setup(w);
  return w.settle();
}
