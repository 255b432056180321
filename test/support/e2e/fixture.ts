// Given/When/Then for end-to-end tests on the real control plane (after Argo's test/fixtures).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { type ControllerOptions, type ControllerProcess, startController } from "../../../dev/controller.ts";
import { installCrds } from "../../../dev/crds.ts";
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  loadKubeConfig,
  waitFor,
} from "../../../dev/kube.ts";
import { repoRoot } from "../../../dev/yaml.ts";
import type { AnalysisRun, RolloutStatus } from "../../../src/api/index.ts";
import {
  abortRollout,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  retryRollout,
} from "../../../src/cli/actions/actions.ts";
import { rolloutClient } from "../../../src/cli/actions/client.ts";
import { History } from "./history.ts";

type Rollout = {
  metadata: { name: string; generation?: number };
  spec: Record<string, unknown>;
  status?: RolloutStatus;
};

export class Fixture {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly history: History;
  readonly controllers: ControllerProcess[] = [];
  readonly #api: CustomObjectsApi;

  private constructor(kc: KubeConfig, namespace: string, history: History) {
    this.kc = kc;
    this.namespace = namespace;
    this.history = history;
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  static async create(prefix: string): Promise<Fixture> {
    const kc = loadKubeConfig();
    await installCrds();
    const ns = await createTestNamespace(prefix, kc);
    return new Fixture(kc, ns, await History.start(kc, ns));
  }

  async cleanup(): Promise<void> {
    this.history.stop();
    await Promise.all(this.controllers.map((c) => c.stop()));
    await deleteTestNamespace(this.namespace, { wait: false, kc: this.kc });
  }

  // ---- Given ----

  /** Applies a fixture file (path under test/fixtures) into the test namespace; `${VAR}` is replaced from vars. */
  async applyFixture(file: string, vars: Record<string, string> = {}): Promise<void> {
    let text = readFileSync(join(repoRoot, "test", "fixtures", file), "utf8");
    for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`\${${k}}`, v);
    // Forced like a GitOps tool: ramp re-pins the Service selectors it owns on the next reconcile.
    const res = await kubectl(
      ["apply", "--server-side", "--force-conflicts", "-n", this.namespace, "-f", "-"],
      {
        input: text,
      },
    );
    assert.equal(res.code, 0, `applying ${file}: ${res.stderr}`);
  }

  async startController(opts: Partial<ControllerOptions> = {}): Promise<ControllerProcess> {
    const c = await startController({
      name: `${this.namespace}-${this.controllers.length}`,
      namespace: this.namespace,
      ...opts,
    });
    this.controllers.push(c);
    return c;
  }

  // ---- When ----

  /** Ships a new version: changes the first container's image (a JSON patch, as Git would). */
  async setImage(name: string, image: string): Promise<void> {
    const patch = JSON.stringify([
      { op: "replace", path: "/spec/template/spec/containers/0/image", value: image },
    ]);
    const res = await kubectl([
      "patch",
      "rollout.ramp.dev",
      name,
      "-n",
      this.namespace,
      "--type=json",
      "-p",
      patch,
    ]);
    assert.equal(res.code, 0, res.stderr);
  }

  /**
   * Creates a canary with one analysis step (fixtures/analysis/step.yaml: METRIC, COUNT, VERSION, CONDITION,
   * PROVIDER), waits until its first version is Healthy, then ships app:2 into the analysis.
   */
  async shipAnalysisStep(name: string, vars: Record<string, string>): Promise<void> {
    await this.applyFixture("analysis/step.yaml", { NAME: name, ...vars });
    await this.waitHealthy(name);
    await this.setImage(name, "app:2");
  }

  async patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.#api.patchNamespacedCustomObject(
      {
        group: "ramp.dev",
        version: "v1alpha1",
        plural: "rollouts",
        namespace: this.namespace,
        name,
        body: { spec },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  readonly actions = {
    promote: (name: string, full = false) =>
      promoteRollout(rolloutClient(this.kc), this.#ref(name), { full }),
    abort: (name: string) => abortRollout(rolloutClient(this.kc), this.#ref(name)),
    retry: (name: string) => retryRollout(rolloutClient(this.kc), this.#ref(name)),
    pause: (name: string) => pauseRollout(rolloutClient(this.kc), this.#ref(name)),
    resume: (name: string) => resumeRollout(rolloutClient(this.kc), this.#ref(name)),
  };

  // ---- Then ----

  async rollout(name: string): Promise<Rollout> {
    return (await this.#api.getNamespacedCustomObject({
      group: "ramp.dev",
      version: "v1alpha1",
      plural: "rollouts",
      namespace: this.namespace,
      name,
    })) as Rollout;
  }

  /** Waits until the Rollout's status satisfies `check`; the error names `what` and the last status. */
  async waitStatus(
    name: string,
    what: string,
    check: (s: RolloutStatus) => boolean,
    timeoutMs = 60_000,
  ): Promise<RolloutStatus> {
    let last: RolloutStatus | undefined;
    try {
      return await waitFor(
        async () => {
          const r = await this.rollout(name);
          last = r.status;
          // A status older than the spec describes the previous version: it answers nothing yet.
          if ((r.status?.observedGeneration ?? -1) < (r.metadata.generation ?? 0)) return undefined;
          return r.status && check(r.status) ? r.status : undefined;
        },
        { what: `${name}: ${what}`, timeoutMs, intervalMs: 100 },
      );
    } catch (err) {
      const brief = last && {
        phase: last.phase,
        message: last.message,
        step: last.currentStepIndex,
        machine: last.machine?.value,
      };
      throw new Error(`${(err as Error).message}\nlast status: ${JSON.stringify(brief)}`, { cause: err });
    }
  }

  waitPhase(name: string, phase: RolloutStatus["phase"], timeoutMs?: number): Promise<RolloutStatus> {
    return this.waitStatus(name, `phase ${phase}`, (s) => s.phase === phase, timeoutMs);
  }

  /** Phase Healthy with the current template promoted to stable. */
  waitHealthy(name: string, timeoutMs?: number): Promise<RolloutStatus> {
    return this.waitStatus(
      name,
      "Healthy and promoted",
      (s) => s.phase === "Healthy" && s.stableRS === s.currentPodHash,
      timeoutMs,
    );
  }

  /** Waits for an abort on analysis errors; its message and that of the first (Error) measurement. */
  async abortedOnError(name: string): Promise<{ abort: string; measurement: string }> {
    const s = await this.waitStatus(
      name,
      "aborted on errors",
      (st) => st.abort?.reason === "AnalysisError",
      60_000,
    );
    const run = await this.analysisRun((await this.analysisRuns(name))[0] ?? "");
    const m = run.status?.metricResults?.[0]?.measurements?.[0];
    assert.equal(m?.phase, "Error");
    return { abort: s.abort?.message ?? "", measurement: m?.message ?? "" };
  }

  async analysisRun(name: string): Promise<AnalysisRun> {
    return (await this.#api.getNamespacedCustomObject({
      group: "ramp.dev",
      version: "v1alpha1",
      plural: "analysisruns",
      namespace: this.namespace,
      name,
    })) as AnalysisRun;
  }

  /** Names of a Rollout's AnalysisRuns, newest first. */
  async analysisRuns(rollout: string): Promise<string[]> {
    const list = (await this.#api.listNamespacedCustomObject({
      group: "ramp.dev",
      version: "v1alpha1",
      plural: "analysisruns",
      namespace: this.namespace,
      labelSelector: `ramp.dev/rollout=${rollout}`,
    })) as { items: AnalysisRun[] };
    return list.items
      .sort((a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      )
      .map((r) => r.metadata.name);
  }

  /** The Rollout's ReplicaSets: name → spec.replicas. */
  async replicaSets(rollout: string): Promise<Record<string, number>> {
    const res = await kubectl([
      "get",
      "replicasets",
      "-n",
      this.namespace,
      "-l",
      `ramp.dev/rollout=${rollout}`,
      "-o",
      'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}',
    ]);
    assert.equal(res.code, 0, res.stderr);
    return Object.fromEntries(
      res.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [n, r] = l.split("=");
          return [n ?? "", Number(r)];
        }),
    );
  }

  #ref(name: string) {
    return { namespace: this.namespace, name };
  }
}
