// One Canary → a Rollout, its AnalysisTemplates, the Services and routes Flagger generated, and the HPA
// retargeted. Reads as the list of decisions: target, provider, strategy, analysis, objects, leftovers.
import type { Document } from "yaml";
import type { OutputDoc } from "../types.ts";
import { analysisTemplate, once, type Timing, timed, timingOf } from "./analysis.ts";
import { asComment, commentAt, outputDoc, sourceComment } from "./comments.ts";
import { httpRoute } from "./gateway.ts";
import { type Converted, convertMetrics } from "./metrics.ts";
import { type Plan, planOf } from "./plan.ts";
import { noteMigration, reportRest } from "./report.ts";
import { services } from "./services.ts";
import type { Json, Path, Source } from "./source.ts";
import { canarySteps, scheduleComment } from "./steps.ts";
import { istioObjects, type Provider, resolveProvider } from "./traffic.ts";
import { convertWebhooks, type Hooks } from "./webhooks.ts";
import { convertAutoscaler, resolveWorkload, type Workload } from "./workload.ts";

export type World = {
  templates: Source[];
  deployments: Source[];
  hpas: Source[];
  /** Input documents an --inline output replaces. */
  consumed: Document[];
  inline: boolean;
};

/** Flagger's -metrics-server default: what its built-in checks asked when the Canary names no server. */
export const DEFAULT_PROMETHEUS = "http://prometheus:9090";

/** The analysis templates of one Canary, by role. */
type Templates = { main: OutputDoc | undefined; pre: OutputDoc | undefined; post: OutputDoc | undefined };

export function convertCanary(canary: Source, world: World): OutputDoc[] {
  if (!targetSupported(canary)) return [];
  const base = analysisBase(canary);
  const provider = resolveProvider(canary);
  const workload = resolveWorkload(canary, world.deployments, world.inline, world.consumed);
  const apex =
    canary.str(["spec", "service", "name"]) ?? canary.str(["spec", "targetRef", "name"]) ?? canary.name;
  const plan = planOf(canary, base, provider.router, apex);
  const timing = timingOf(canary, base);
  const hooks = convertWebhooks(canary, base, modeOf(plan), new Set());
  const templates = buildTemplates(canary, world, base, provider, plan, timing, hooks);
  const strategy = plan.kind === "bluegreen" ? blueGreenStrategy(plan, hooks, templates) : undefined;
  const rollout = rolloutDoc(canary, workload, plan, strategy, { timing, hooks, templates, base });
  const objects = [
    ...services({
      canary,
      names: plan.names,
      ns: canary.namespace,
      selector: workload.selectorLabels,
      containers: workload.containers,
    }),
    ...routes(canary, provider, plan),
  ];
  const hpa = convertAutoscaler(canary, world.hpas, canary.name);
  reportRest(canary, base);
  noteMigration(canary, provider, plan);
  const header =
    `Flagger generated this for ${canary.title} (${canary.where(["spec", "service"])}) and owns it: ` +
    "delete the Canary with --cascade=orphan so it stays.";
  return [
    rollout,
    ...[templates.pre, templates.main, templates.post].filter((t): t is OutputDoc => t !== undefined),
    ...objects.map((o) => outputDoc(o, header, canary.src)),
    ...(hpa
      ? [
          outputDoc(
            hpa.object,
            `HPA retargeted from Flagger's primary to Rollout ${canary.name}.`,
            hpa.source,
          ),
        ]
      : []),
  ];
}

function targetSupported(canary: Source): boolean {
  const kind = canary.str(["spec", "targetRef", "kind"]) ?? "Deployment";
  if (kind === "Deployment") return true;
  canary.dropAll(
    `Canary of a ${kind}: ramp's Rollout runs Deployment-like pods only (no DaemonSet or Service targets); ` +
      "nothing is converted",
  );
  return false;
}

function analysisBase(canary: Source): Path {
  if (canary.has(["spec", "analysis"]) || !canary.has(["spec", "canaryAnalysis"]))
    return ["spec", "analysis"];
  canary.note(["spec", "canaryAnalysis"], "the deprecated spec.canaryAnalysis is read as spec.analysis");
  return ["spec", "canaryAnalysis"];
}

const modeOf = (plan: Plan) =>
  plan.kind === "bluegreen" ? "bluegreen" : plan.schedule.kind === "ab" ? "ab" : "canary";

function buildTemplates(
  canary: Source,
  world: World,
  base: Path,
  provider: Provider,
  plan: Plan,
  timing: Timing,
  hooks: Hooks,
): Templates {
  const metricsServer = canary.str(["spec", "metricsServer"]);
  canary.use(["spec", "metricsServer"]);
  const taken = new Set(
    hooks.rollout.concat(hooks.preRollout, hooks.postRollout).map((h) => String(h.metric.name)),
  );
  const metrics = convertMetrics({
    canary,
    base,
    flavor: provider.flavor,
    address: metricsServer ?? DEFAULT_PROMETHEUS,
    model: {
      name: canary.name,
      service: plan.names.apex,
      ingress: canary.str(["spec", "ingressRef", "name"]) ?? canary.str(["spec", "targetRef", "name"]) ?? "",
      route: canary.str(["spec", "routeRef", "name"]) ?? canary.str(["spec", "targetRef", "name"]) ?? "",
    },
    templates: world.templates,
    taken,
  });
  if (!metricsServer && metrics.some((m) => JSON.stringify(m.metric).includes(DEFAULT_PROMETHEUS)))
    canary.note(
      [...base, "metrics"],
      `no spec.metricsServer: the built-in checks ask ${DEFAULT_PROMETHEUS} (the default of Flagger's ` +
        "-metrics-server flag); change the address if Flagger ran with another",
    );
  const count = plan.kind === "bluegreen" ? plan.iterations : undefined;
  const main: Converted[] = [...metrics, ...hooks.rollout].map((m) => ({
    ...m,
    metric: timed(m.metric, timing, count),
  }));
  const name = canary.name;
  const make = (suffix: string, list: Converted[], what: string) =>
    list.length === 0
      ? undefined
      : analysisTemplate(
          canary,
          `${name}${suffix}`,
          list,
          `${what} of ${canary.title} (${canary.where(base)}).`,
        );
  return {
    main: make("", main, `The checks (${[...base, "metrics"].join(".")} and rollout webhooks)`),
    pre: make(
      "-pre-rollout",
      hooks.preRollout.map((h) => ({ ...h, metric: once(h.metric) })),
      "The pre-rollout webhooks",
    ),
    post: make(
      "-post-rollout",
      hooks.postRollout.map((h) => ({ ...h, metric: once(h.metric) })),
      "The post-rollout webhooks",
    ),
  };
}

function blueGreenStrategy(plan: Plan, hooks: Hooks, t: Templates): Json {
  const pre = [t.pre, t.main]
    .filter((x): x is OutputDoc => x !== undefined)
    .map((x) => ({ templateName: x.name }));
  return {
    activeService: plan.names.apex,
    previewService: plan.names.canary,
    ...(hooks.confirmPromotion ? { autoPromotionEnabled: false } : {}),
    ...(pre.length > 0 ? { prePromotionAnalysis: { templates: pre } } : {}),
    // Flagger ignores a post-rollout webhook's answer: dry-run, so it never switches back.
    ...(t.post
      ? {
          postPromotionAnalysis: {
            templates: [{ templateName: t.post.name }],
            dryRun: [{ metricName: "*" }],
          },
        }
      : {}),
  };
}

type Parts = { timing: Timing; hooks: Hooks; templates: Templates; base: Path };

function canaryStrategy(
  canary: Source,
  plan: Extract<Plan, { kind: "canary" }>,
  w: Workload,
  p: Parts,
): Json {
  const { steps, analysisFrom, managedRoutes } = canarySteps({
    canary,
    schedule: plan.schedule,
    intervalMs: p.timing.intervalMs,
    hooks: p.hooks,
    preRolloutTemplate: p.templates.pre?.name,
  });
  let routing = plan.routing;
  if (routing && plan.cookie)
    routing = {
      nginx: {
        ...(routing.nginx as Json),
        additionalIngressAnnotations: { "canary-by-cookie": plan.cookie },
      },
    };
  if (routing && managedRoutes.length > 0)
    routing = { ...routing, managedRoutes: managedRoutes.map((name) => ({ name })) };
  return {
    canaryService: plan.names.canary,
    stableService: plan.names.stable,
    ...w.surge,
    ...(routing ? { trafficRouting: routing } : {}),
    steps,
    ...(p.templates.main
      ? {
          analysis: {
            templates: [{ templateName: p.templates.main.name }],
            ...(analysisFrom ? { startingStep: analysisFrom } : {}),
          },
        }
      : {}),
  };
}

function rolloutDoc(
  canary: Source,
  w: Workload,
  plan: Plan,
  blueGreen: Json | undefined,
  p: Parts,
): OutputDoc {
  const meta = canary.metadataToCarry();
  const merged = (k: "labels" | "annotations") => ({ ...(w.metadata[k] as object), ...meta[k] });
  const deadline = canary.num(["spec", "progressDeadlineSeconds"]) ?? w.deadline;
  const paused = canary.bool(["spec", "suspend"]);
  canary.use(["spec", "progressDeadlineSeconds"], ["spec", "suspend"]);
  if (blueGreen && Object.keys(w.surge).length > 0)
    w.deployment?.note(
      ["spec", "strategy"],
      "ramp's blue-green runs the new version beside the old one at full size: maxSurge and maxUnavailable are not carried",
    );
  const strategy = plan.kind === "canary" ? { canary: canaryStrategy(canary, plan, w, p) } : { blueGreen };
  const { selector, replicas, workloadRef, template, ...rest } = w.spec;
  const spec: Json = {
    ...(replicas === undefined ? {} : { replicas }),
    selector,
    ...(workloadRef ? { workloadRef } : { template }),
    ...rest,
    ...(deadline === undefined ? {} : { progressDeadlineSeconds: deadline }),
    // Flagger rolls back when the deadline passes.
    progressDeadlineAbort: true,
    ...(paused ? { paused: true } : {}),
    strategy,
  };
  const labels = merged("labels");
  const annotations = merged("annotations");
  const obj = {
    apiVersion: "ramp.dev/v1alpha1",
    kind: "Rollout",
    metadata: {
      name: canary.name,
      ...(canary.namespace ? { namespace: canary.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
  const out = outputDoc(
    obj,
    `Converted by kubectl ramp convert from ${canary.title} (${canary.where([])}).`,
    canary.src,
  );
  commentRollout(canary, out.doc, plan, w, p.base);
  return out;
}

function commentRollout(canary: Source, doc: Document, plan: Plan, w: Workload, base: Path): void {
  const ref = w.spec.workloadRef as { name: string } | undefined;
  commentAt(
    doc,
    ["spec", ref ? "workloadRef" : "template"],
    asComment(
      ref
        ? `Deployment ${ref.name} keeps the pod template; ramp scales it to 0 once the Rollout is Healthy, as Flagger kept its target at 0.`
        : `Deployment ${w.deployment?.name ?? ""}'s pod template (${w.deployment?.where(["spec", "template"]) ?? ""}): delete the Deployment when applying this.`,
    ),
  );
  commentAt(
    doc,
    ["spec", "progressDeadlineSeconds"],
    sourceComment(canary, ["spec", "progressDeadlineSeconds"]),
  );
  commentAt(doc, ["spec", "paused"], sourceComment(canary, ["spec", "suspend"]));
  // The schedule's own comments (interval, threshold, weights, matches) go with what they became.
  const at =
    plan.kind === "canary" ? ["spec", "strategy", "canary", "steps"] : ["spec", "strategy", "blueGreen"];
  if (plan.kind === "canary") commentAt(doc, at, asComment(scheduleComment(canary, base)));
  for (const f of SCHEDULE_FIELDS) commentAt(doc, at, sourceComment(canary, [...base, f]));
}

const SCHEDULE_FIELDS = [
  "interval",
  "threshold",
  "iterations",
  "stepWeight",
  "stepWeights",
  "maxWeight",
  "match",
  "mirror",
];

function routes(canary: Source, provider: Provider, plan: Plan): Json[] {
  const weighted = plan.kind === "canary" && plan.routing !== undefined;
  const ns = canary.namespace;
  if (provider.router === "istio") return istioObjects(canary, plan.names, ns, weighted);
  if (provider.router === "gatewayAPI") return [httpRoute(canary, plan.names, ns, weighted)];
  return [];
}
