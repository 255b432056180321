// Hostile input (issue #10, item 5): fast-check mutates valid Rollouts and AnalysisTemplates into
// near-valid ones. The real apiserver either rejects each with a message naming a field, or accepts it;
// a sample of the accepted ones runs under a real controller, which drives each to a sane state (or
// Degraded naming the field), never crashes, and still completes a healthy canary beside them.
// Counts: RAMP_FC_SCALE multiplies them; RAMP_FC_SEED picks other specs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiException, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import fc from "fast-check";
import type { RolloutStatus } from "../../../src/api/index.ts";
import { ERROR_CODES } from "../../../src/errors.ts";
import type { ControllerProcess } from "../../support/e2e/controller.ts";
import { Fixture } from "../../support/e2e/fixture.ts";
import { runs, SEED } from "../../support/property.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Doc = { [k: string]: Json };
type Path = readonly (string | number)[];
type Mutation = { tag: string; apply: (doc: Doc) => void };
type Verdict = { accepted: true } | { accepted: false; code: number; message: string };

const GROUP = { group: "ramp.dev", version: "v1alpha1" };
const SCALE = Number(process.env.RAMP_FC_SCALE ?? 1);
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));

// ---- Valid starting points ----

const podTemplate = (): Doc => ({
  metadata: { labels: { app: "web" } },
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "app:1" }] },
});

const canaryRollout = (): Doc => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: podTemplate(),
    strategy: {
      canary: {
        canaryService: "web-canary",
        stableService: "web-stable",
        maxSurge: 1,
        maxUnavailable: 1,
        steps: [
          { setWeight: 20 },
          { pause: { duration: "1s" } },
          { analysis: { templates: [{ templateName: "web-check" }], args: [{ name: "v", value: "2" }] } },
          { setWeight: 60 },
          { pause: { duration: 1 } },
        ],
      },
    },
  },
});

const blueGreenRollout = (): Doc => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: podTemplate(),
    strategy: {
      blueGreen: {
        activeService: "web-active",
        previewService: "web-preview",
        prePromotionAnalysis: { templates: [{ templateName: "web-check" }] },
      },
    },
  },
});

// Measurements fail fast (nothing listens on port 9): a run ends in Error after two tries.
const analysisTemplate = (): Doc => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "check" },
  spec: {
    args: [{ name: "v" }],
    metrics: [
      {
        name: "ok",
        interval: "1s",
        count: 2,
        consecutiveErrorLimit: 1,
        successCondition: "result == 1",
        provider: { web: { url: "http://127.0.0.1:9/{{args.v}}", timeoutSeconds: 1, jsonPath: "{$.ok}" } },
      },
    ],
  },
});

// ---- Mutations ----

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets doc[path] = value, creating (or replacing non-object) intermediates as needed. */
function setAt(doc: Doc, path: Path, value: Json | undefined): void {
  let node: Json = doc;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    const container = node as Record<string | number, Json>;
    if (last) {
      if (value === undefined) {
        if (Array.isArray(container)) container.splice(Number(key), 1);
        else delete container[key];
      } else container[key] = value;
      return;
    }
    const next = container[key];
    const wantArray = typeof path[i + 1] === "number";
    if (!(wantArray ? Array.isArray(next) : isObject(next))) {
      if (value === undefined) return;
      container[key] = wantArray ? [] : {};
    }
    node = container[key] as Json;
  }
}

const CANARY = ["spec", "strategy", "canary"] as const;
const BLUEGREEN = ["spec", "strategy", "blueGreen"] as const;

const NUMBER_PATHS: Path[] = [
  ["spec", "replicas"],
  ["spec", "minReadySeconds"],
  ["spec", "revisionHistoryLimit"],
  ["spec", "progressDeadlineSeconds"],
  ["spec", "analysis", "successfulRunHistoryLimit"],
  [...CANARY, "steps", 0, "setWeight"],
  [...CANARY, "steps", 3, "setWeight"],
  [...CANARY, "maxSurge"],
  [...CANARY, "maxUnavailable"],
  [...CANARY, "scaleDownDelaySeconds"],
  [...CANARY, "analysis", "startingStep"],
  [...BLUEGREEN, "previewReplicaCount"],
  [...BLUEGREEN, "autoPromotionSeconds"],
  [...BLUEGREEN, "maxUnavailable"],
];
const DURATION_PATHS: Path[] = [
  [...CANARY, "steps", 1, "pause", "duration"],
  [...CANARY, "steps", 4, "pause", "duration"],
];
const NAME_PATHS: Path[] = [
  ["metadata", "name"],
  [...CANARY, "canaryService"],
  [...CANARY, "stableService"],
  [...CANARY, "steps", 2, "analysis", "templates", 0, "templateName"],
  [...BLUEGREEN, "activeService"],
  [...BLUEGREEN, "previewService"],
  [...BLUEGREEN, "prePromotionAnalysis", "templates", 0, "templateName"],
  ["spec", "template", "spec", "containers", 0, "name"],
  ["spec", "template", "spec", "containers", 0, "image"],
  ["spec", "restartAt"],
];
const OBJECT_PATHS: Path[] = [
  ["spec"],
  ["spec", "strategy"],
  [...CANARY],
  [...CANARY, "steps", 0],
  [...CANARY, "steps", 1, "pause"],
  [...CANARY, "steps", 2, "analysis"],
  [...BLUEGREEN],
  ["spec", "selector"],
  ["spec", "template"],
];
const REQUIRED_PATHS: Path[] = [
  ["spec", "selector"],
  ["spec", "template"],
  ["spec", "template", "spec"],
  ["spec", "strategy"],
  [...CANARY, "steps", 2, "analysis", "templates"],
  [...BLUEGREEN, "activeService"],
  ["spec", "selector", "matchLabels"],
  ["spec", "template", "metadata"],
];

const hugeString = fc.constantFrom("x".repeat(254), "y".repeat(10_000));
const badNumber = fc.oneof(
  fc.constantFrom<Json>(-1, 0, 101, 2147483647, 2147483648, 1e15, 1.5, -0.5, "3", "", "25%", "150%"),
  fc.constantFrom<Json>("abc", null, true, [], {}, "-1%", "1e3"),
  fc.integer({ min: -1000, max: 1000 }),
);
const badDuration = fc.oneof(
  fc.constantFrom<Json>("10 minutes", "-5s", "1d", "", "1.5h", "s", "0s", "999999999999h", "1h1h1h"),
  fc.constantFrom<Json>(2147483647, -1, "30", "💥", "1s ", 0.5, "250ms", "720h"),
  fc.string({ maxLength: 12 }),
);
const absurdName = fc.oneof(
  fc.constantFrom<Json>("", "Web", "-x", "a..b", "../etc/passwd", "ünïcode", "web canary", "web-missing"),
  fc.constantFrom<Json>("web-stable", "web-canary", "web-check", "web\u0000nul", 7, null),
  hugeString,
  fc.string({ maxLength: 24 }),
);
const anyJson: fc.Arbitrary<Json> = fc.oneof(
  badNumber,
  absurdName,
  fc.constantFrom<Json>({ nested: { deep: [1, 2, 3] } }, [{}, {}]),
);

const mutationAt = (paths: Path[], values: fc.Arbitrary<Json>, tag: string): fc.Arbitrary<Mutation> =>
  fc.tuple(fc.constantFrom(...paths), values).map(([path, v]) => ({
    tag: `${tag}:${path.filter((p) => typeof p === "string").at(-1)}`,
    apply: (d) => setAt(d, path, v),
  }));

const fixed = (tag: string, apply: (d: Doc) => void): fc.Arbitrary<Mutation> => fc.constant({ tag, apply });

const STEP_KINDS: Record<string, Json> = {
  setWeight: 30,
  pause: {},
  analysis: { templates: [{ templateName: "web-check" }] },
  setCanaryScale: { weight: 50 },
  setHeaderRoute: { name: "hdr", match: [{ headerName: "x", headerValue: { exact: "1" } }] },
  setMirrorRoute: { name: "mirror", percentage: 10 },
};

const rolloutMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutationAt(NUMBER_PATHS, badNumber, "number"),
  mutationAt(DURATION_PATHS, badDuration, "duration"),
  mutationAt(NAME_PATHS, absurdName, "name"),
  fc
    .tuple(fc.constantFrom(...OBJECT_PATHS), fc.constantFrom("foo", "setweight", "Replicas", "x-y"), anyJson)
    .map(([path, key, v]) => ({ tag: "unknown-field", apply: (d: Doc) => setAt(d, [...path, key], v) })),
  fc.constantFrom(...REQUIRED_PATHS).map((path) => ({
    tag: `missing:${String(path.at(-1))}`,
    apply: (d: Doc) => setAt(d, path, undefined),
  })),
  fc
    .tuple(fc.subarray(Object.keys(STEP_KINDS), { minLength: 0, maxLength: 3 }), fc.nat(5))
    .map(([kinds, at]) => ({
      tag: `step-kinds:${kinds.length}`,
      apply: (d: Doc) =>
        setAt(d, [...CANARY, "steps", at], Object.fromEntries(kinds.map((k) => [k, STEP_KINDS[k] ?? null]))),
    })),
  fc.constantFrom(0, 100, 101).map((n) => ({
    tag: `steps:${n}`,
    apply: (d: Doc) =>
      setAt(
        d,
        [...CANARY, "steps"],
        Array.from({ length: n }, (_, i) => (i % 2 ? { pause: { duration: 0 } } : { setWeight: i % 100 })),
      ),
  })),
  fixed("selector:mismatch-labels", (d) => setAt(d, ["spec", "selector", "matchLabels", "app"], "other")),
  fixed("selector:mismatch-expressions", (d) =>
    setAt(d, ["spec", "selector", "matchExpressions"], [{ key: "tier", operator: "In", values: ["web"] }]),
  ),
  fixed("selector:bad-operator", (d) =>
    setAt(d, ["spec", "selector", "matchExpressions"], [{ key: "app", operator: "Like" }]),
  ),
  fixed("selector:empty", (d) => setAt(d, ["spec", "selector"], {})),
  fixed("strategy:both", (d) => {
    setAt(d, [...CANARY, "steps"], [{ setWeight: 10 }]);
    setAt(d, [...BLUEGREEN, "activeService"], "web-active");
  }),
  fixed("strategy:neither", (d) => setAt(d, ["spec", "strategy"], {})),
  fixed("services:same", (d) => setAt(d, [...CANARY, "stableService"], "web-canary")),
  fixed("services:missing", (d) => {
    setAt(d, [...CANARY, "canaryService"], "web-missing");
    setAt(d, [...BLUEGREEN, "previewService"], "web-missing");
  }),
  fixed("template:missing-ref", (d) => {
    setAt(d, [...CANARY, "steps", 2, "analysis", "templates", 0, "templateName"], "web-nope");
    setAt(d, [...BLUEGREEN, "prePromotionAnalysis", "templates", 0, "templateName"], "web-nope");
  }),
  fixed("template:cluster-missing", (d) =>
    setAt(d, [...CANARY, "analysis"], { templates: [{ templateName: "web-nope", clusterScope: true }] }),
  ),
  fc
    .constantFrom<Json>(
      "x",
      [],
      [
        { name: "app", image: "a" },
        { name: "app", image: "b" },
      ],
      [{ name: "", image: "" }],
    )
    .map((c) => ({
      tag: "pod:containers",
      apply: (d: Doc) => setAt(d, ["spec", "template", "spec", "containers"], c),
    })),
  fc
    .constantFrom<Json>({ "a b": "c" }, { app: "web", "x/": "y" }, { app: "web", k: "v".repeat(64) })
    .map((l) => ({
      tag: "pod:labels",
      apply: (d: Doc) => setAt(d, ["spec", "template", "metadata", "labels"], l),
    })),
  fixed("canary-scale:two", (d) =>
    setAt(d, [...CANARY, "steps", 0], { setCanaryScale: { weight: 5, replicas: 1 } }),
  ),
  fixed("canary-scale:replicas", (d) =>
    setAt(d, [...CANARY, "steps", 0], { setCanaryScale: { replicas: 3 } }),
  ),
  fixed("header-route:no-router", (d) =>
    setAt(d, [...CANARY, "steps", 0], { setHeaderRoute: { name: "hdr" } }),
  ),
  fixed("router:missing-route", (d) =>
    setAt(d, [...CANARY, "trafficRouting"], { gatewayAPI: { httpRoutes: [{ name: "web-route" }] } }),
  ),
  fixed("router:empty", (d) => setAt(d, [...CANARY, "trafficRouting"], {})),
  fixed("surge:both-zero", (d) => {
    setAt(d, [...CANARY, "maxSurge"], "0%");
    setAt(d, [...CANARY, "maxUnavailable"], 0);
  }),
  fixed("args:value-and-from", (d) =>
    setAt(
      d,
      [...CANARY, "steps", 2, "analysis", "args"],
      [{ name: "v", value: "1", valueFrom: { podTemplateHashValue: "Stable" } }],
    ),
  ),
  fixed("args:bad-field-ref", (d) =>
    setAt(
      d,
      [...CANARY, "steps", 2, "analysis", "args"],
      [{ name: "v", valueFrom: { fieldRef: { fieldPath: "spec.[[" } } }],
    ),
  ),
  fixed("args:missing-secret", (d) =>
    setAt(
      d,
      [...CANARY, "steps", 2, "analysis", "args"],
      [{ name: "v", valueFrom: { secretKeyRef: { name: "nope", key: "k" } } }],
    ),
  ),
  fixed("paused", (d) => setAt(d, ["spec", "paused"], true)),
  fixed("restart:garbage", (d) => setAt(d, ["spec", "restartAt"], "yesterday")),
);

const TEMPLATE_METRIC = ["spec", "metrics", 0] as const;
const templateMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutationAt(
    [
      [...TEMPLATE_METRIC, "count"],
      [...TEMPLATE_METRIC, "failureLimit"],
      [...TEMPLATE_METRIC, "consecutiveErrorLimit"],
      [...TEMPLATE_METRIC, "provider", "web", "timeoutSeconds"],
    ],
    badNumber,
    "number",
  ),
  mutationAt(
    [
      [...TEMPLATE_METRIC, "interval"],
      [...TEMPLATE_METRIC, "initialDelay"],
    ],
    badDuration,
    "duration",
  ),
  mutationAt(
    [
      ["metadata", "name"],
      [...TEMPLATE_METRIC, "name"],
      ["spec", "args", 0, "name"],
      [...TEMPLATE_METRIC, "provider", "web", "url"],
    ],
    absurdName,
    "name",
  ),
  fc
    .constantFrom<Json>(
      "result ==",
      "(".repeat(200),
      `${"result.size() > 0 && ".repeat(60)}true`,
      "1 + 'a'",
      "x".repeat(5000),
      "[1,2,3].map(x, [1,2,3].map(y, [1,2,3].map(z, x*y*z))).size() > 0",
    )
    .map((c) => ({
      tag: "condition",
      apply: (d: Doc) => setAt(d, [...TEMPLATE_METRIC, "successCondition"], c),
    })),
  fixed("metrics:empty", (d) => setAt(d, ["spec", "metrics"], [])),
  fixed("metrics:duplicate", (d) => {
    const m = (d.spec as Doc).metrics as Json[];
    m.push(structuredClone(m[0] ?? null));
  }),
  fixed("provider:two", (d) =>
    setAt(d, [...TEMPLATE_METRIC, "provider", "prometheus"], { address: "http://p", query: "up" }),
  ),
  fixed("provider:none", (d) => setAt(d, [...TEMPLATE_METRIC, "provider"], {})),
  fixed("condition:none", (d) => setAt(d, [...TEMPLATE_METRIC, "successCondition"], undefined)),
  fixed("noData:maybe", (d) => setAt(d, [...TEMPLATE_METRIC, "noData"], "maybe")),
  fixed("args:duplicate", (d) => setAt(d, ["spec", "args"], [{ name: "v" }, { name: "v", value: "x" }])),
  fixed("method:DELETE", (d) => setAt(d, [...TEMPLATE_METRIC, "provider", "web", "method"], "DELETE")),
  fc
    .tuple(
      fc.constantFrom<Path>(["spec"], [...TEMPLATE_METRIC], [...TEMPLATE_METRIC, "provider", "web"]),
      anyJson,
    )
    .map(([path, v]) => ({ tag: "unknown-field", apply: (d: Doc) => setAt(d, [...path, "bogus"], v) })),
);

type Candidate = { doc: Doc; tags: string[]; strict: boolean };
const candidate = (bases: (() => Doc)[], mutation: fc.Arbitrary<Mutation>): fc.Arbitrary<Candidate> =>
  fc
    .record({
      base: fc.constantFrom(...bases),
      // Mostly one or two mutations: near-valid specs reach the deeper rules.
      mutations: fc.array(mutation, { minLength: 0, maxLength: 3, depthIdentifier: "m" }),
      strict: fc.boolean(),
    })
    .map(({ base, mutations, strict }) => {
      const doc = base();
      for (const m of mutations) m.apply(doc);
      return { doc, tags: mutations.map((m) => m.tag), strict };
    });

// ---- Talking to the apiserver ----

/** Fields a rejection may name: the apiserver prefixes each error with its path (Go decoding errors say ObjectMeta.name). */
const NAMES_A_FIELD = /\b(spec|metadata|ObjectMeta)(\.|\[|:| in body|\b)/;
/** The reasons whose message must name the spec field to correct (runtime reasons name a metric or pod). */
const SPEC_REASONS = new Set([
  "InvalidSpec",
  "SelectorMismatch",
  "ServiceNotFound",
  "AnalysisTemplateNotFound",
  "RouteNotFound",
  "RouteRuleNotFound",
  "ServiceNotInRoute",
  "RouterNotInstalled",
  "RouterUnsupported",
  "ReplicaSetRejected",
]);

function apiError(err: unknown): { code: number; message: string } {
  if (!(err instanceof ApiException)) throw err;
  let message = String(err.body);
  try {
    message = (JSON.parse(String(err.body)) as { message?: string }).message ?? message;
  } catch {}
  return { code: err.code, message };
}

async function concurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** Every numeric replica count small, so no sample asks the cluster for a million pods. */
function safeToCreate(doc: Json, key = ""): boolean {
  if (typeof doc === "number") return !/replicas|previewReplicaCount/i.test(key) || doc <= 5;
  if (Array.isArray(doc)) return doc.every((v) => safeToCreate(v, key));
  if (isObject(doc)) return Object.entries(doc).every(([k, v]) => safeToCreate(v, k));
  return true;
}

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
      return { accepted: false, ...apiError(err) };
    }
  }

  async function admission(
    t: { diagnostic(m: string): void },
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
        const field = /\b((?:spec|metadata|ObjectMeta)[\w.[\]]*)/.exec(v.message)?.[1] ?? "?";
        fields.set(field, (fields.get(field) ?? 0) + 1);
      }),
      runs(numRuns),
    );
    const top = [...fields].sort((a, b) => b[1] - a[1]).slice(0, 6);
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

    // A spread of mutations: each new tag set first, then the rest, skipping huge replica counts.
    const seen = new Set<string>();
    const fresh = accepted.rollouts.filter((c) => {
      const key = [...c.tags].sort().join(",");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // Pinned: long waits that once broke the controller (a timer past 2^31-1 ms, a Date out of range).
    const pinned = (
      [
        ["pause:720h", [...CANARY, "steps", 1, "pause", "duration"], "720h"],
        ["pause:huge", [...CANARY, "steps", 1, "pause", "duration"], "999999999999h"],
        ["deadline:max", ["spec", "progressDeadlineSeconds"], 2147483647],
      ] as const
    ).map(([tag, path, v]): Candidate => {
      const doc = canaryRollout();
      setAt(doc, path, v);
      return { doc, tags: [tag], strict: true };
    });
    const sample = [...pinned, ...fresh, ...accepted.rollouts.filter((c) => !fresh.includes(c))]
      .filter((c) => safeToCreate(c.doc))
      .slice(0, scaled(30));
    const templates = accepted.templates.length
      ? accepted.templates
      : [{ doc: analysisTemplate(), tags: [], strict: true }];

    // Each Rollout gets its own Services, labels and template (one of the accepted hostile ones).
    const names: string[] = [];
    const failures: string[] = [];
    await concurrently(sample, 4, async (c, i) => {
      const name = `h${i}`;
      const doc = JSON.parse(JSON.stringify(c.doc).replace(/\bweb(?=[-"])/g, name)) as Doc;
      (doc.metadata as Doc).name = name;
      for (const role of ["stable", "canary", "active", "preview"]) {
        await core.createNamespacedService({
          namespace: f.namespace,
          body: {
            metadata: { name: `${name}-${role}` },
            spec: { selector: { app: name }, ports: [{ port: 80 }] },
          },
        });
      }
      const tmpl = structuredClone(templates[i % templates.length] as Candidate);
      (tmpl.doc.metadata as Doc).name = `${name}-check`;
      await submit(tmpl, "analysistemplates", false);
      const v = await submit({ ...c, doc }, "rollouts", false);
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
    const fatal = log.filter((l) =>
      /"level":"fatal"|uncaught|unhandled|\b(Type|Range|Reference|Syntax)Error\b/i.test(l),
    );
    // A hot loop (e.g. a timer that fires at once) shows as one key logged without end.
    const perKey = new Map<string, number>();
    for (const l of log) {
      const key = /"key":"[^"/]+\/([^"]+)"/.exec(l)?.[1];
      if (key) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const [busiest, lines] = [...perKey].sort((a, b) => b[1] - a[1])[0] ?? ["none", 0];
    t.diagnostic(
      `controller log: ${log.length} lines, ${log.filter((l) => l.includes('"level":"error"')).length} at error, ` +
        `busiest Rollout ${busiest} with ${lines}`,
    );
    assert.ok(lines < 1000, `${busiest} logged ${lines} lines: a reconcile loop`);
    assert.deepEqual(fatal.slice(0, 5), [], `no crash or programming error in ${controller.logFile}`);
  });

  /** Waits until each Rollout's status answers its spec, then checks the state is a sane one. */
  async function settle(t: { diagnostic(m: string): void }, names: string[], what: string) {
    const deadline = Date.now() + 180_000;
    let statuses = new Map<string, { status?: RolloutStatus; current: boolean }>();
    for (;;) {
      const list = (await custom.listNamespacedCustomObject({
        ...GROUP,
        namespace: f.namespace,
        plural: "rollouts",
      })) as {
        items: { metadata: { name: string; generation?: number }; status?: RolloutStatus }[];
      };
      statuses = new Map(
        list.items.map((r) => [
          r.metadata.name,
          {
            ...(r.status ? { status: r.status } : {}),
            current:
              (r.status?.observedGeneration ?? -1) >= (r.metadata.generation ?? 0) && !!r.status?.phase,
          },
        ]),
      );
      const waiting = names.filter((n) => !statuses.get(n)?.current);
      if (waiting.length === 0) break;
      assert.ok(
        Date.now() < deadline,
        `${what}: no current status after 180s for ${waiting.map((n) => `${n} ${JSON.stringify(statuses.get(n)?.status?.phase)}`)}`,
      );
      await sleep(1000);
    }
    const phases = new Map<string, number>();
    const reasons = new Map<string, number>();
    for (const name of names) {
      const s = statuses.get(name)?.status as RolloutStatus;
      phases.set(s.phase ?? "none", (phases.get(s.phase ?? "none") ?? 0) + 1);
      assert.ok(
        ["Healthy", "Progressing", "Paused", "Degraded"].includes(s.phase ?? ""),
        `${name}: phase ${s.phase}`,
      );
      if (s.phase !== "Degraded") continue;
      const bad = (s.conditions ?? []).filter((c) => c.status === "False" || c.type === "Stalled");
      const reason = s.abort?.reason ?? bad.find((c) => c.reason in ERROR_CODES)?.reason;
      assert.ok(
        reason && reason in ERROR_CODES,
        `${name}: Degraded with a coded reason: ${JSON.stringify(s)}`,
      );
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      const message = s.abort?.message ?? bad.find((c) => c.reason === reason)?.message ?? "";
      if (SPEC_REASONS.has(reason))
        assert.match(message, /\bspec\.[\w[\]]/, `${name}: Degraded ${reason} names the field: ${message}`);
      else assert.ok(message.length > 0, `${name}: Degraded ${reason} says why`);
    }
    t.diagnostic(
      `${what}: ${[...phases].map(([p, n]) => `${n} ${p}`).join(", ")}; Degraded by ` +
        `${[...reasons].map(([r, n]) => `${r}×${n}`).join(", ") || "nothing"}`,
    );
  }
});
