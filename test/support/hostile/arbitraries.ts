// Hostile specs for test/integration/reliability/hostile-specs.test.ts: valid Rollouts and AnalysisTemplates,
// fast-check mutations that make them near-valid, and the pinned Rollouts that once broke the controller.
// The arbitraries' shape fixes what a seed generates: reorder nothing, or RAMP_FC_SEED replays other specs.
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Doc = { [k: string]: Json };
export type Path = readonly (string | number)[];
export type Mutation = { tag: string; apply: (doc: Doc) => void };
export type Candidate = { doc: Doc; tags: string[]; strict: boolean };

// ---- Valid starting points ----

const podTemplate = (): Doc => ({
  metadata: { labels: { app: "web" } },
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: "app:1" }] },
});

/** A Rollout named web around one strategy; every name in it starts with web, for `renamed`. */
const rollout = (strategy: Doc): Doc => ({
  apiVersion: "ramp.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: podTemplate(), strategy },
});

export const canaryRollout = (): Doc =>
  rollout({
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
  });

export const blueGreenRollout = (): Doc =>
  rollout({
    blueGreen: {
      activeService: "web-active",
      previewService: "web-preview",
      prePromotionAnalysis: { templates: [{ templateName: "web-check" }] },
    },
  });

// Measurements fail fast (nothing listens on port 9): a run ends in Error after two tries.
export const analysisTemplate = (): Doc => ({
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
const STEPS = [...CANARY, "steps"] as const;
const STEP_ARGS = [...STEPS, 2, "analysis", "args"] as const;
const CANARY_TEMPLATE = [...STEPS, 2, "analysis", "templates", 0, "templateName"] as const;
const PREVIEW_TEMPLATE = [...BLUEGREEN, "prePromotionAnalysis", "templates", 0, "templateName"] as const;
const FIRST_PAUSE = [...STEPS, 1, "pause", "duration"] as const;
const METRIC = ["spec", "metrics", 0] as const;
const metric = (...rest: Path): Path => [...METRIC, ...rest];

const NUMBER_PATHS: Path[] = [
  ["spec", "replicas"],
  ["spec", "minReadySeconds"],
  ["spec", "revisionHistoryLimit"],
  ["spec", "progressDeadlineSeconds"],
  ["spec", "analysis", "successfulRunHistoryLimit"],
  [...STEPS, 0, "setWeight"],
  [...STEPS, 3, "setWeight"],
  [...CANARY, "maxSurge"],
  [...CANARY, "maxUnavailable"],
  [...CANARY, "scaleDownDelaySeconds"],
  [...CANARY, "analysis", "startingStep"],
  [...BLUEGREEN, "previewReplicaCount"],
  [...BLUEGREEN, "autoPromotionSeconds"],
  [...BLUEGREEN, "maxUnavailable"],
];
const DURATION_PATHS: Path[] = [FIRST_PAUSE, [...STEPS, 4, "pause", "duration"]];
const NAME_PATHS: Path[] = [
  ["metadata", "name"],
  [...CANARY, "canaryService"],
  [...CANARY, "stableService"],
  CANARY_TEMPLATE,
  [...BLUEGREEN, "activeService"],
  [...BLUEGREEN, "previewService"],
  PREVIEW_TEMPLATE,
  ["spec", "template", "spec", "containers", 0, "name"],
  ["spec", "template", "spec", "containers", 0, "image"],
  ["spec", "restartAt"],
];
const OBJECT_PATHS: Path[] = [
  ["spec"],
  ["spec", "strategy"],
  [...CANARY],
  [...STEPS, 0],
  [...STEPS, 1, "pause"],
  [...STEPS, 2, "analysis"],
  [...BLUEGREEN],
  ["spec", "selector"],
  ["spec", "template"],
];
const REQUIRED_PATHS: Path[] = [
  ["spec", "selector"],
  ["spec", "template"],
  ["spec", "template", "spec"],
  ["spec", "strategy"],
  [...STEPS, 2, "analysis", "templates"],
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

/** One value from `values` at `path`, all under one tag. */
const oneOfAt = (tag: string, path: Path, values: Json[]): fc.Arbitrary<Mutation> =>
  fc.constantFrom<Json>(...values).map((v) => ({ tag, apply: (d: Doc) => setAt(d, path, v) }));

/** A bogus key under one of `parents`. */
const unknownField = (parents: Path[], keys: string[]): fc.Arbitrary<Mutation> =>
  fc
    .tuple(fc.constantFrom(...parents), fc.constantFrom(...keys), anyJson)
    .map(([path, key, v]) => ({ tag: "unknown-field", apply: (d: Doc) => setAt(d, [...path, key], v) }));

const fixed = (tag: string, apply: (d: Doc) => void): fc.Arbitrary<Mutation> => fc.constant({ tag, apply });

/** A fixed write; the value is copied per doc, so a later mutation cannot reach into another doc. */
const fixedAt = (tag: string, path: Path, value: Json | undefined): fc.Arbitrary<Mutation> =>
  fixed(tag, (d) => setAt(d, path, structuredClone(value)));

const STEP_KINDS: Record<string, Json> = {
  setWeight: 30,
  pause: {},
  analysis: { templates: [{ templateName: "web-check" }] },
  setCanaryScale: { weight: 50 },
  setHeaderRoute: { name: "hdr", match: [{ headerName: "x", headerValue: { exact: "1" } }] },
  setMirrorRoute: { name: "mirror", percentage: 10 },
};

export const rolloutMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutationAt(NUMBER_PATHS, badNumber, "number"),
  mutationAt(DURATION_PATHS, badDuration, "duration"),
  mutationAt(NAME_PATHS, absurdName, "name"),
  unknownField(OBJECT_PATHS, ["foo", "setweight", "Replicas", "x-y"]),
  fc.constantFrom(...REQUIRED_PATHS).map((path) => ({
    tag: `missing:${String(path.at(-1))}`,
    apply: (d: Doc) => setAt(d, path, undefined),
  })),
  fc
    .tuple(fc.subarray(Object.keys(STEP_KINDS), { minLength: 0, maxLength: 3 }), fc.nat(5))
    .map(([kinds, at]) => ({
      tag: `step-kinds:${kinds.length}`,
      apply: (d: Doc) =>
        setAt(d, [...STEPS, at], Object.fromEntries(kinds.map((k) => [k, STEP_KINDS[k] ?? null]))),
    })),
  fc.constantFrom(0, 100, 101).map((n) => ({
    tag: `steps:${n}`,
    apply: (d: Doc) =>
      setAt(
        d,
        STEPS,
        Array.from({ length: n }, (_, i) => (i % 2 ? { pause: { duration: 0 } } : { setWeight: i % 100 })),
      ),
  })),
  fixedAt("selector:mismatch-labels", ["spec", "selector", "matchLabels", "app"], "other"),
  fixedAt(
    "selector:mismatch-expressions",
    ["spec", "selector", "matchExpressions"],
    [{ key: "tier", operator: "In", values: ["web"] }],
  ),
  fixedAt(
    "selector:bad-operator",
    ["spec", "selector", "matchExpressions"],
    [{ key: "app", operator: "Like" }],
  ),
  fixedAt("selector:empty", ["spec", "selector"], {}),
  fixed("strategy:both", (d) => {
    setAt(d, STEPS, [{ setWeight: 10 }]);
    setAt(d, [...BLUEGREEN, "activeService"], "web-active");
  }),
  fixedAt("strategy:neither", ["spec", "strategy"], {}),
  fixedAt("services:same", [...CANARY, "stableService"], "web-canary"),
  fixed("services:missing", (d) => {
    setAt(d, [...CANARY, "canaryService"], "web-missing");
    setAt(d, [...BLUEGREEN, "previewService"], "web-missing");
  }),
  fixed("template:missing-ref", (d) => {
    setAt(d, CANARY_TEMPLATE, "web-nope");
    setAt(d, PREVIEW_TEMPLATE, "web-nope");
  }),
  fixedAt("template:cluster-missing", [...CANARY, "analysis"], {
    templates: [{ templateName: "web-nope", clusterScope: true }],
  }),
  oneOfAt(
    "pod:containers",
    ["spec", "template", "spec", "containers"],
    [
      "x",
      [],
      [
        { name: "app", image: "a" },
        { name: "app", image: "b" },
      ],
      [{ name: "", image: "" }],
    ],
  ),
  oneOfAt(
    "pod:labels",
    ["spec", "template", "metadata", "labels"],
    [{ "a b": "c" }, { app: "web", "x/": "y" }, { app: "web", k: "v".repeat(64) }],
  ),
  fixedAt("canary-scale:two", [...STEPS, 0], { setCanaryScale: { weight: 5, replicas: 1 } }),
  fixedAt("canary-scale:replicas", [...STEPS, 0], { setCanaryScale: { replicas: 3 } }),
  fixedAt("header-route:no-router", [...STEPS, 0], { setHeaderRoute: { name: "hdr" } }),
  fixedAt("router:missing-route", [...CANARY, "trafficRouting"], {
    gatewayAPI: { httpRoutes: [{ name: "web-route" }] },
  }),
  fixedAt("router:empty", [...CANARY, "trafficRouting"], {}),
  fixed("surge:both-zero", (d) => {
    setAt(d, [...CANARY, "maxSurge"], "0%");
    setAt(d, [...CANARY, "maxUnavailable"], 0);
  }),
  fixedAt("args:value-and-from", STEP_ARGS, [
    { name: "v", value: "1", valueFrom: { podTemplateHashValue: "Stable" } },
  ]),
  fixedAt("args:bad-field-ref", STEP_ARGS, [
    { name: "v", valueFrom: { fieldRef: { fieldPath: "spec.[[" } } },
  ]),
  fixedAt("args:missing-secret", STEP_ARGS, [
    { name: "v", valueFrom: { secretKeyRef: { name: "nope", key: "k" } } },
  ]),
  fixedAt("paused", ["spec", "paused"], true),
  fixedAt("restart:garbage", ["spec", "restartAt"], "yesterday"),
);

export const templateMutation: fc.Arbitrary<Mutation> = fc.oneof(
  mutationAt(
    [
      metric("count"),
      metric("failureLimit"),
      metric("consecutiveErrorLimit"),
      metric("provider", "web", "timeoutSeconds"),
    ],
    badNumber,
    "number",
  ),
  mutationAt([metric("interval"), metric("initialDelay")], badDuration, "duration"),
  mutationAt(
    [["metadata", "name"], metric("name"), ["spec", "args", 0, "name"], metric("provider", "web", "url")],
    absurdName,
    "name",
  ),
  oneOfAt("condition", metric("successCondition"), [
    "result ==",
    "(".repeat(200),
    `${"result.size() > 0 && ".repeat(60)}true`,
    "1 + 'a'",
    "x".repeat(5000),
    "[1,2,3].map(x, [1,2,3].map(y, [1,2,3].map(z, x*y*z))).size() > 0",
  ]),
  fixedAt("metrics:empty", ["spec", "metrics"], []),
  fixed("metrics:duplicate", (d) => {
    const m = (d.spec as Doc).metrics as Json[];
    m.push(structuredClone(m[0] ?? null));
  }),
  fixedAt("provider:two", metric("provider", "prometheus"), { address: "http://p", query: "up" }),
  fixedAt("provider:none", metric("provider"), {}),
  fixedAt("condition:none", metric("successCondition"), undefined),
  fixedAt("noData:maybe", metric("noData"), "maybe"),
  fixedAt("args:duplicate", ["spec", "args"], [{ name: "v" }, { name: "v", value: "x" }]),
  fixedAt("method:DELETE", metric("provider", "web", "method"), "DELETE"),
  unknownField([["spec"], metric(), metric("provider", "web")], ["bogus"]),
);

/** A base spec under zero to three mutations, sent with strict or lenient field validation. */
export const candidate = (bases: (() => Doc)[], mutation: fc.Arbitrary<Mutation>): fc.Arbitrary<Candidate> =>
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

/** Pinned long waits that once broke the controller (a timer past 2^31-1 ms, a Date out of range). */
export function pinnedRollouts(): Candidate[] {
  return (
    [
      ["pause:720h", FIRST_PAUSE, "720h"],
      ["pause:huge", FIRST_PAUSE, "999999999999h"],
      ["deadline:max", ["spec", "progressDeadlineSeconds"], 2147483647],
    ] as const
  ).map(([tag, path, v]): Candidate => {
    const doc = canaryRollout();
    setAt(doc, path, v);
    return { doc, tags: [tag], strict: true };
  });
}
