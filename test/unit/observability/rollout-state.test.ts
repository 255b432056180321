// The Rollout state series rendered from a fake cache: valid Prometheus exposition, one group per family,
// chunks that split only at line ends, and malformed Rollouts rendered as far as they can be, never thrown.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import type { V1ReplicaSet } from "@kubernetes/client-node";
import fc from "fast-check";
import { Registry } from "prom-client";
import { parseExposition } from "../../../dev/scrape.ts";
import { RolloutMetrics } from "../../../src/observability/rollout-metrics.ts";
import {
  ROLLOUT_STATE_FAMILIES,
  type RolloutStateSource,
  rolloutStateCollector,
} from "../../../src/observability/rollout-state.ts";
import { runs } from "../../support/property.ts";

const rs = (owner: string, hash: string, replicas: number, available = replicas): V1ReplicaSet => ({
  metadata: {
    name: `x-${hash}`,
    labels: { "ramp.dev/pod-template-hash": hash },
    ownerReferences: [
      { apiVersion: "ramp.dev/v1alpha1", kind: "Rollout", name: "x", uid: owner, controller: true },
    ],
  },
  spec: { replicas, selector: {} },
  status: { replicas, availableReplicas: available },
});

function source(rollouts: unknown[], replicaSets: Record<string, V1ReplicaSet[]> = {}): RolloutStateSource {
  return { rollouts: { list: () => rollouts }, replicaSetsOf: (key) => replicaSets[key] ?? [] };
}

function render(src: RolloutStateSource, chunkBytes?: number): string[] {
  return [
    ...(rolloutStateCollector(src, chunkBytes === undefined ? {} : { chunkBytes })() as Iterable<string>),
  ];
}

const condition = (type: string, status: string, reason: string) => ({
  type,
  status,
  reason,
  message: "",
  lastTransitionTime: "2026-01-01T00:00:00Z",
});

const healthy = (ns: string, name: string) => ({
  metadata: { namespace: ns, name, uid: `uid-${name}` },
  spec: { replicas: 2, strategy: { canary: { steps: [{ setWeight: 50 }] } } },
  status: {
    phase: "Healthy",
    currentPodHash: "a",
    stableRS: "a",
    availableReplicas: 2,
    currentStepIndex: 1,
    stepCount: 1,
    canary: { weight: 0, stableWeight: 100 },
    conditions: [condition("Ready", "True", "Healthy"), condition("Aborted", "False", "NotAborted")],
  },
});

/** The informer's key: two cached objects never share one. */
const cacheKey = (o: unknown): unknown => {
  const m = (o as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  return typeof m?.name === "string" ? `${String(m.namespace)}/${m.name}` : o;
};

/** Each family's samples come right after its own HELP and TYPE, and no series appears twice. */
function assertWellFormed(text: string): void {
  const seen = new Set<string>();
  let family = "";
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const help = /^# HELP (\S+) /.exec(line);
    if (help) {
      assert.ok(!seen.has(`family ${help[1]}`), `${help[1]} is rendered twice`);
      seen.add(`family ${help[1]}`);
      family = help[1] ?? "";
      continue;
    }
    if (line.startsWith("#")) continue;
    const name = line.slice(0, line.search(/[{ ]/));
    assert.equal(name, family, `${line} is outside its family`);
    const series = line.slice(0, line.lastIndexOf(" "));
    assert.ok(!seen.has(series), `duplicate series ${series}`);
    seen.add(series);
  }
}

describe("rolloutStateCollector", () => {
  test("every family once, as gauges with their HELP, even with no Rollouts", () => {
    const s = parseExposition(render(source([])).join(""));
    assert.deepEqual(
      [...s.families],
      ROLLOUT_STATE_FAMILIES.map((f) => [f.name, "gauge"]),
    );
    assert.equal(s.samples.length, 0);
  });

  test("a cache of canaries and a blue-green: the series each has, grouped by family", () => {
    const blueGreen = {
      metadata: { namespace: "shop", name: "bg", uid: "uid-bg" },
      spec: { replicas: 3, strategy: { blueGreen: { activeService: "a" } } },
      status: { phase: "Progressing", currentPodHash: "n", stableRS: "o", availableReplicas: 6 },
    };
    const src = source([healthy("shop", "web"), healthy("blog", "web"), blueGreen], {
      "shop/web": [rs("uid-web", "a", 2)],
      "blog/web": [rs("uid-web", "a", 2, 1)],
      "shop/bg": [rs("uid-bg", "n", 3, 2), rs("uid-bg", "o", 3)],
    });
    const text = render(src).join("");
    assertWellFormed(text);
    const s = parseExposition(text);
    const bg = { namespace: "shop", rollout: "bg" };
    assert.deepEqual(s.find("ramp_rollout_info", bg)[0]?.labels, {
      ...bg,
      strategy: "blueGreen",
      phase: "Progressing",
      traffic_router: "none",
    });
    assert.equal(s.find("ramp_rollout_step", bg).length, 0);
    assert.equal(s.find("ramp_rollout_canary_weight", bg).length, 0);
    // The preview is the current version, not yet stable: counted in the canary role.
    assert.equal(s.value("ramp_rollout_replicas_available", { ...bg, role: "canary" }), 2);
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...bg, role: "total" }), 3);
    assert.equal(s.value("ramp_rollout_replicas_available", { ...bg, role: "total" }), 6);
    const blog = { namespace: "blog", rollout: "web" };
    assert.equal(s.value("ramp_rollout_replicas_available", { ...blog, role: "stable" }), 1);
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...blog, role: "canary" }), 0);
    assert.equal(s.value("ramp_rollout_condition", { ...blog, type: "Aborted", reason: "NotAborted" }), 1);
    assert.equal(s.find("ramp_rollout_phase").length, 12);
  });

  test("malformed Rollouts: rendered as far as they can be read, never thrown", () => {
    const quoted = 'we"b\\x\ny';
    const src = source(
      [
        null,
        "rollout",
        42,
        [],
        {},
        { metadata: { name: 5 } },
        { metadata: { namespace: "shop", name: "bad" }, spec: "nope", status: "nope" },
        {
          metadata: { namespace: "shop", name: "odd", uid: {} },
          spec: { replicas: "3", strategy: { canary: null, blueGreen: 0 } },
          status: {
            phase: 7,
            conditions: "Ready",
            currentStepIndex: "1",
            stepCount: null,
            canary: { weight: "5" },
            currentPodHash: 5,
          },
        },
        {
          metadata: { namespace: "shop", name: quoted },
          spec: { strategy: { canary: { trafficRouting: "istio" } } },
          status: {
            canary: { weight: 5, stableWeight: "95" },
            currentPodHash: "a",
            stableRS: 3,
            conditions: [
              null,
              5,
              { type: "Ready" },
              { type: "Ready", status: "True", reason: {} },
              condition("Ready", "False", "Healthy"),
              condition("Stalled", "True", "not-a-reason"),
            ],
          },
        },
        healthy("shop", "fine"),
      ],
      { "shop/fine": [rs("uid-fine", "a", 2)], [`shop/${quoted}`]: [rs("", "a", 1)] },
    );
    const text = render(src, 200).join("");
    assertWellFormed(text);
    const s = parseExposition(text);
    assert.deepEqual(
      new Set(s.samples.map((x) => x.labels.rollout)),
      new Set(["bad", "odd", quoted, "fine"]),
    );
    for (const name of ["bad", "odd"]) {
      const only = s.samples.filter((x) => x.labels.rollout === name).map((x) => x.name);
      assert.deepEqual(new Set(only), new Set(["ramp_rollout_info", "ramp_rollout_phase"]), name);
      assert.deepEqual(s.find("ramp_rollout_info", { rollout: name })[0]?.labels, {
        namespace: "shop",
        rollout: name,
        strategy: "Other",
        phase: "None",
        traffic_router: "none",
      });
    }
    const q = { namespace: "shop", rollout: quoted };
    assert.deepEqual(
      s.find("ramp_rollout_condition", q).map((x) => [x.labels.type, x.labels.status, x.labels.reason]),
      [
        ["Ready", "False", "Healthy"],
        ["Stalled", "True", "Other"],
      ],
      "a type listed twice counts its last; unknown reasons are Other",
    );
    assert.equal(s.value("ramp_rollout_canary_weight", q), 100, "a stable weight that is no number is 0");
    assert.equal(s.find("ramp_rollout_info", q)[0]?.labels.strategy, "canary");
    // Its ReplicaSet's owner uid ("") is not its own (none): not counted, but the roles are there.
    assert.equal(s.value("ramp_rollout_replicas_desired", { ...q, role: "canary" }), 0);
    assert.equal(
      s.value("ramp_rollout_replicas_desired", { namespace: "shop", rollout: "fine", role: "stable" }),
      2,
    );
  });

  test("any object in the cache renders a parsable exposition with each family's own labels", () => {
    const names = new Map(ROLLOUT_STATE_FAMILIES.map((f) => [f.name, [...f.labelNames].sort()]));
    const condition = fc.record(
      {
        type: fc.constantFrom("Ready", "Paused", "Aborted", "Custom", 3),
        status: fc.oneof(fc.constantFrom("True", "False"), fc.anything()),
        reason: fc.oneof(fc.constantFrom("Healthy", "PausedStep"), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const status = fc.record(
      {
        phase: fc.oneof(fc.constantFrom("Healthy", "Paused"), fc.anything()),
        conditions: fc.oneof(fc.array(fc.oneof(condition, fc.anything())), fc.anything()),
        currentStepIndex: fc.oneof(fc.nat(), fc.double(), fc.anything()),
        stepCount: fc.oneof(fc.nat(), fc.anything()),
        canary: fc.oneof(fc.record({ weight: fc.anything(), stableWeight: fc.anything() }), fc.anything()),
        currentPodHash: fc.oneof(fc.constantFrom("a", "b"), fc.anything()),
        stableRS: fc.oneof(fc.constantFrom("a", "b"), fc.anything()),
        availableReplicas: fc.oneof(fc.nat(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const rollout = fc.oneof(
      fc.anything(),
      fc.record({
        metadata: fc.oneof(
          fc.record({ namespace: fc.string(), name: fc.string(), uid: fc.constant("u") }),
          fc.anything(),
        ),
        spec: fc.anything(),
        status: fc.oneof(status, fc.anything()),
      }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(rollout, { selector: cacheKey, maxLength: 8 }),
        fc.integer({ min: 1, max: 4096 }),
        (rollouts, bytes) => {
          const src = source(rollouts);
          src.replicaSetsOf = () => [rs("u", "a", 2, 1), rs("u", "b", 1, 3)];
          const chunks = render(src, bytes);
          for (const c of chunks) assert.ok(c.endsWith("\n"), "a chunk ends at a line end");
          const text = chunks.join("");
          assertWellFormed(text);
          for (const x of parseExposition(text).samples)
            assert.deepEqual(Object.keys(x.labels).sort(), names.get(x.name), x.name);
        },
      ),
      runs(300),
    );
  });

  test("chunks of about the asked size, splitting only at line ends, add up to the whole", () => {
    const src = source(
      Array.from({ length: 300 }, (_, i) => healthy(`ns-${i % 7}`, `app-${i}`)),
      Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`ns-${i % 7}/app-${i}`, [rs(`uid-app-${i}`, "a", 2)]]),
      ),
    );
    const whole = render(src, Number.MAX_SAFE_INTEGER);
    assert.equal(whole.length, 1);
    const chunks = render(src, 4096);
    assert.ok(chunks.length > 20, `${chunks.length} chunks`);
    assert.equal(chunks.join(""), whole[0]);
    for (const c of chunks) {
      assert.ok(c.endsWith("\n"));
      assert.ok(c.length < 4096 + 1024, `a chunk of ${c.length}`);
    }
  });

  test("the cache is listed once per scrape: a Rollout added mid-scrape is in no family or in all", () => {
    const items: unknown[] = [healthy("shop", "a")];
    let lists = 0;
    const src: RolloutStateSource = {
      rollouts: {
        list: () => {
          lists++;
          return [...items];
        },
      },
      replicaSetsOf: () => [],
    };
    let text = "";
    for (const chunk of rolloutStateCollector(src, { chunkBytes: 64 })() as Iterable<string>) {
      items.push(healthy("shop", `late-${items.length}`));
      text += chunk;
    }
    assert.equal(lists, 1);
    assert.deepEqual(new Set(parseExposition(text).samples.map((x) => x.labels.rollout)), new Set(["a"]));
  });

  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  test("the registry's text and the rendered series together pass promtool check metrics", {
    skip: !promtool && "promtool not installed",
  }, async () => {
    const registry = new Registry();
    new RolloutMetrics(registry).observe({ key: "shop/web", object: {}, written: { phase: "Healthy" } });
    const src = source([healthy("shop", "web")], { "shop/web": [rs("uid-web", "a", 2)] });
    const text = (await registry.metrics()) + render(src, 100).join("");
    const result = spawnSync("promtool", ["check", "metrics"], { input: text });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.equal(`${result.stdout}${result.stderr}`.trim(), "");
  });
});
