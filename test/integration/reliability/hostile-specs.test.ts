// Hostile input (issue #10, item 5): fast-check mutates valid Rollouts and AnalysisTemplates into
// near-valid ones. The real apiserver either rejects each with a message naming a field, or accepts it;
// a sample of the accepted ones runs under a real controller, which drives each to a sane state (or
// Degraded naming the field), never crashes, and still completes a healthy canary beside them.
// Counts: RAMP_FC_SCALE multiplies them; RAMP_FC_SEED picks other specs.
// The specs come from test/support/hostile/arbitraries.ts, the judging from test/support/hostile/checks.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, type TestContext, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import fc from "fast-check";
import type { ControllerProcess } from "../../../dev/controller.ts";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { ERROR_CODES } from "../../../src/errors.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import {
  analysisTemplate,
  blueGreenRollout,
  type Candidate,
  canaryRollout,
  candidate,
  type Doc,
  pinnedRollouts,
  rolloutMutation,
  templateMutation,
} from "../../support/hostile/arbitraries.ts";
import {
  busiestRollout,
  concurrently,
  degradedBy,
  fatalLines,
  NAMES_A_FIELD,
  namedField,
  type RolloutItem,
  ranked,
  rejection,
  renamed,
  SANE_PHASES,
  type Settling,
  SPEC_REASONS,
  settling,
  spread,
  tally,
  type Verdict,
} from "../../support/hostile/checks.ts";
import { runs, SEED } from "../../support/property.ts";

const GROUP = { group: "ramp.dev", version: "v1alpha1" };
const SCALE = Number(process.env.RAMP_FC_SCALE ?? 1);
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));

type Diagnostics = Pick<TestContext, "diagnostic">;

describe("hostile specs", () => {
  let f: Fixture;
  let controller: ControllerProcess;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  const accepted: { rollouts: Candidate[]; templates: Candidate[] } = { rollouts: [], templates: [] };

  before(async () => {
    f = await Fixture.create("hostile");
    controller = await f.startController();
    custom = f.kc.makeApiClient(CustomObjectsApi);
    core = f.kc.makeApiClient(CoreV1Api);
  });
  after(() => f?.cleanup());

  async function submit(c: Candidate, plural: string, dryRun: boolean): Promise<Verdict> {
    try {
      await custom.createNamespacedCustomObject({
        ...GROUP,
        namespace: f.namespace,
        plural,
        body: c.doc,
        fieldValidation: c.strict ? "Strict" : "Warn",
        ...(dryRun ? { dryRun: "All" } : {}),
      });
      return { accepted: true };
    } catch (err) {
      return rejection(err);
    }
  }

  /** Dry-runs `numRuns` candidates: each is rejected naming a field, or accepted and kept in `keep`. */
  async function admission(
    t: Diagnostics,
    what: string,
    plural: string,
    arb: fc.Arbitrary<Candidate>,
    numRuns: number,
    keep: Candidate[],
  ) {
    const figures = { generated: 0, rejected: 0, accepted: 0 };
    const fields = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        figures.generated++;
        // A fixed name: the apiserver's name check is exercised by the metadata.name mutations only.
        const v = await submit(c, plural, true);
        if (v.accepted) {
          figures.accepted++;
          keep.push(c);
          return;
        }
        figures.rejected++;
        assert.ok(v.code >= 400 && v.code < 500, `a ${v.code} (not a 4xx) for ${c.tags}: ${v.message}`);
        assert.match(v.message, NAMES_A_FIELD, `the rejection names no field (${c.tags}): ${v.message}`);
        tally(fields, namedField(v.message));
      }),
      runs(numRuns),
    );
    const top = ranked(fields).slice(0, 6);
    t.diagnostic(
      `${what} (seed ${SEED}): ${figures.generated} generated, ${figures.rejected} rejected by the apiserver, ` +
        `${figures.accepted} accepted`,
    );
    t.diagnostic(`${what}: most-named fields ${top.map(([k, n]) => `${k}×${n}`).join(", ")}`);
    assert.ok(figures.rejected > 0 && figures.accepted > 0, "both outcomes were exercised");
  }

  test("the apiserver rejects hostile AnalysisTemplates naming a field, or accepts them", async (t) => {
    const arb = candidate([analysisTemplate], templateMutation);
    await admission(t, "AnalysisTemplates", "analysistemplates", arb, 400, accepted.templates);
  });

  test("the apiserver rejects hostile Rollouts naming a field, or accepts them", async (t) => {
    const arb = candidate([canaryRollout, canaryRollout, blueGreenRollout], rolloutMutation);
    await admission(t, "Rollouts", "rollouts", arb, 1500, accepted.rollouts);
  });

  test("accepted hostile Rollouts settle (or go Degraded naming the field) while a healthy canary completes", async (t) => {
    await f.applyFixture("canary/three-steps.yaml", {
      NAME: "control",
      IMAGE: "app:1",
      PAUSE1: "1s",
      PAUSE2: "{duration: 1s}",
      DEADLINE: "600",
    });
    await f.waitHealthy("control", 120_000);

    // Pinned Rollouts first, then a spread of mutations: each new tag set, then the rest.
    const sample = spread(pinnedRollouts(), accepted.rollouts, scaled(30));
    const templates = accepted.templates.length
      ? accepted.templates
      : [{ doc: analysisTemplate(), tags: [], strict: true }];

    // Each Rollout gets its own Services, labels and template (one of the accepted hostile ones).
    const names: string[] = [];
    const failures: string[] = [];
    await concurrently(sample, 4, async (c, i) => {
      const name = `h${i}`;
      const v = await deploy(c, name, templates[i % templates.length] as Candidate);
      if (v.accepted) names.push(name);
      else failures.push(`${name} (${c.tags}): ${v.message}`);
    });
    t.diagnostic(
      `created ${names.length} of ${sample.length} sampled (of ${accepted.rollouts.length} accepted)`,
    );
    assert.deepEqual(failures, [], "what passed dry-run is created");

    // Ship a new version of everything (hostile and control) while the hostile ones exist.
    await settle(t, names, "first version");
    await concurrently(names, 4, async (name) => {
      await f
        .patchSpec(name, { template: { metadata: { annotations: { "hostile.ramp.dev/rev": "2" } } } })
        .catch(() => undefined); // a template hostile enough to refuse the patch keeps its version
    });
    await f.setImage("control", "app:2");
    await f.waitHealthy("control", 180_000);
    await settle(t, names, "second version");

    const health = await fetch(`${controller.healthUrl}/healthz`);
    assert.ok(health.ok, `/healthz answers ${health.status}`);
    const exited = await Promise.race([controller.exited.then(() => true), sleep(0).then(() => false)]);
    assert.equal(exited, false, "the controller is still running");
    const log = readFileSync(controller.logFile, "utf8").split("\n");
    const [busiest, lines] = busiestRollout(log);
    t.diagnostic(
      `controller log: ${log.length} lines, ${log.filter((l) => l.includes('"level":"error"')).length} at error, ` +
        `busiest Rollout ${busiest} with ${lines}`,
    );
    assert.ok(lines < 1000, `${busiest} logged ${lines} lines: a reconcile loop`);
    assert.deepEqual(
      fatalLines(log).slice(0, 5),
      [],
      `no crash or programming error in ${controller.logFile}`,
    );
  });

  /** Creates hostile Rollout `c` as `name`, after its own Services and a copy of `template`. */
  async function deploy(c: Candidate, name: string, template: Candidate): Promise<Verdict> {
    for (const role of ["stable", "canary", "active", "preview"]) {
      await core.createNamespacedService({
        namespace: f.namespace,
        body: {
          metadata: { name: `${name}-${role}` },
          spec: { selector: { app: name }, ports: [{ port: 80 }] },
        },
      });
    }
    const tmpl = structuredClone(template);
    (tmpl.doc.metadata as Doc).name = `${name}-check`;
    await submit(tmpl, "analysistemplates", false);
    return submit({ ...c, doc: renamed(c.doc, name) }, "rollouts", false);
  }

  /** Waits until each Rollout's status answers its spec, then checks the state is a sane one. */
  async function settle(t: Diagnostics, names: string[], what: string) {
    const statuses = await current(names, what);
    const phases = new Map<string, number>();
    const reasons = new Map<string, number>();
    for (const name of names) {
      const s = statuses.get(name)?.status as RolloutStatus;
      tally(phases, s.phase ?? "none");
      assert.ok(SANE_PHASES.includes(s.phase ?? ""), `${name}: phase ${s.phase}`);
      if (s.phase !== "Degraded") continue;
      const { reason, message } = degradedBy(s);
      assert.ok(
        reason && reason in ERROR_CODES,
        `${name}: Degraded with a coded reason: ${JSON.stringify(s)}`,
      );
      tally(reasons, reason);
      if (SPEC_REASONS.has(reason))
        assert.match(message, /\bspec\.[\w[\]]/, `${name}: Degraded ${reason} names the field: ${message}`);
      else assert.ok(message.length > 0, `${name}: Degraded ${reason} says why`);
    }
    t.diagnostic(
      `${what}: ${[...phases].map(([p, n]) => `${n} ${p}`).join(", ")}; Degraded by ` +
        `${[...reasons].map(([r, n]) => `${r}×${n}`).join(", ") || "nothing"}`,
    );
  }

  /** Polls the Rollouts until every one named has a current status, for 180s at most. */
  async function current(names: string[], what: string): Promise<Map<string, Settling>> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const list = (await custom.listNamespacedCustomObject({
        ...GROUP,
        namespace: f.namespace,
        plural: "rollouts",
      })) as { items: RolloutItem[] };
      const statuses = settling(list.items);
      const waiting = names.filter((n) => !statuses.get(n)?.current);
      if (waiting.length === 0) return statuses;
      assert.ok(
        Date.now() < deadline,
        `${what}: no current status after 180s for ${waiting.map((n) => `${n} ${JSON.stringify(statuses.get(n)?.status?.phase)}`)}`,
      );
      await sleep(1000);
    }
  }
});
