// The canary strategy: steps that shift weight, pause, analyse, scale and add header/mirror routes.
import { z } from "zod";
import { BackgroundAnalysis, RolloutAnalysis } from "./analysis-ref.ts";
import {
  AntiAffinity,
  cel,
  duration,
  intOrPercent,
  objectName,
  PodMetadata,
  unsupportedFields,
} from "./meta.ts";
import { TrafficRouting } from "./traffic.ts";

const STEP_KINDS = ["setWeight", "pause", "analysis", "setCanaryScale", "setHeaderRoute", "setMirrorRoute"];

export const HeaderMatch = cel(
  z.object({
    headerName: z.string().min(1).max(256),
    headerValue: z.object({
      exact: z.string().max(1024).optional(),
      regex: z.string().max(1024).optional(),
      prefix: z.string().max(1024).optional(),
    }),
  }),
  {
    rule: "[has(self.headerValue.exact), has(self.headerValue.regex), has(self.headerValue.prefix)].filter(x, x).size() == 1",
    message: "steps[].setHeaderRoute.match[].headerValue: set exactly one of exact, regex or prefix",
  },
);

const UNSUPPORTED_STEP = unsupportedFields("spec.strategy.canary.steps[]", {
  experiment:
    "ramp has no Experiments: use an analysis step against the canary (a baseline ReplicaSet comes with the " +
    "statistical judge)",
  plugin: "step plugins are not run: use an analysis step with a web or job metric for custom checks",
});

export const CanaryStep = cel(
  z
    .object({
      ...UNSUPPORTED_STEP.shape,
      setWeight: z
        .int32()
        .min(0)
        .max(10000)
        .optional()
        .describe(
          "Traffic for the canary: a percentage, or out of trafficRouting.maxTrafficWeight when that is set " +
            "(without trafficRouting, a percentage of replicas).",
        ),
      pause: z
        .object({
          duration: duration("steps[].pause.duration")
            .optional()
            .describe("How long to wait. Omitted: wait until `kubectl ramp promote`."),
        })
        .optional()
        .describe("Waits. The start time is kept in status, so a restart resumes the same wait."),
      analysis: RolloutAnalysis.optional(),
      setCanaryScale: cel(
        z.object({
          weight: z
            .int32()
            .min(0)
            .max(100)
            .optional()
            .describe("Canary pods as a percentage of spec.replicas."),
          replicas: z.int32().min(0).optional().describe("An absolute number of canary pods."),
          matchTrafficWeight: z
            .boolean()
            .optional()
            .describe("Go back to scaling the canary with setWeight."),
        }),
        {
          rule: "[has(self.weight), has(self.replicas), has(self.matchTrafficWeight)].filter(x, x).size() == 1",
          message: "steps[].setCanaryScale: set exactly one of weight, replicas or matchTrafficWeight",
        },
      )
        .optional()
        .describe("Sets the canary's pod count independently of its traffic weight."),
      setHeaderRoute: z
        .object({
          name: z.string().min(1).max(253).describe("One of trafficRouting.managedRoutes."),
          match: z
            .array(HeaderMatch)
            .max(8)
            .optional()
            .describe("Requests with these headers go to the canary. Empty: remove the route."),
        })
        .optional()
        .describe(
          "Sends requests that carry given headers to the canary, whatever the weight (needs trafficRouting).",
        ),
      setMirrorRoute: z
        .object({
          name: z.string().min(1).max(253).describe("One of trafficRouting.managedRoutes."),
          percentage: z.int32().min(0).max(100).optional().describe("Share of matching requests mirrored."),
          match: z
            .array(
              z.object({
                method: z.object({ exact: z.string().max(16) }).optional(),
                path: z
                  .object({ exact: z.string().max(1024).optional(), prefix: z.string().max(1024).optional() })
                  .optional(),
                headers: z.record(z.string(), z.object({ exact: z.string().max(1024) })).optional(),
              }),
            )
            .max(8)
            .optional()
            .describe("Which requests are mirrored to the canary. Empty: remove the route."),
        })
        .optional()
        .describe(
          "Copies a share of matching requests to the canary; its answers are discarded (needs trafficRouting).",
        ),
    })
    .describe(`One step of the canary. Each step sets exactly one of: ${STEP_KINDS.join(", ")}.`),
  ...UNSUPPORTED_STEP.rules,
  {
    rule: `[${STEP_KINDS.map((k) => `has(self.${k})`).join(", ")}].filter(x, x).size() == 1`,
    message: `spec.strategy.canary.steps[]: each step sets exactly one of ${STEP_KINDS.join(", ")} (split a step with two into two steps)`,
  },
);
export type CanaryStep = z.infer<typeof CanaryStep>;

const managedRouteRule = (kind: string) => ({
  rule:
    `self.steps.all(s, !has(s.${kind}) || (has(self.trafficRouting) && has(self.trafficRouting.managedRoutes) && ` +
    `self.trafficRouting.managedRoutes.exists(r, r.name == s.${kind}.name)))`,
  message: `spec.strategy.canary.steps[].${kind}.name must be listed in spec.strategy.canary.trafficRouting.managedRoutes`,
});

export const CanaryStrategy = cel(
  z
    .object({
      canaryService: objectName(
        "Service ramp points at the canary pods (selector pinned to their hash).",
      ).optional(),
      stableService: objectName(
        "Service ramp points at the stable pods (selector pinned to their hash).",
      ).optional(),
      canaryMetadata: PodMetadata.optional().describe("Labels and annotations added to canary pods only."),
      stableMetadata: PodMetadata.optional().describe("Labels and annotations added to stable pods only."),
      steps: z
        .array(CanaryStep)
        .max(100)
        .optional()
        .describe("The steps, in order. None: go to 100% once ready."),
      trafficRouting: TrafficRouting.optional(),
      maxSurge: intOrPercent("spec.strategy.canary.maxSurge")
        .optional()
        .describe('Pods above spec.replicas allowed during the rollout (default "25%").'),
      maxUnavailable: intOrPercent("spec.strategy.canary.maxUnavailable")
        .optional()
        .describe('Pods below spec.replicas allowed to be unavailable (default "25%").'),
      scaleDownDelaySeconds: z
        .int32()
        .min(0)
        .optional()
        .describe("With trafficRouting: seconds the old stable stays up after the switch (default 30)."),
      antiAffinity: AntiAffinity.optional(),
      pingPong: z
        .object({
          pingService: objectName(
            "A Service the routes send to; it and pongService take turns being stable.",
          ),
          pongService: objectName("The other Service of the pair."),
        })
        .optional()
        .describe(
          "Instead of canaryService and stableService: two Services that take turns. The canary's becomes the " +
            "stable one at promotion, so no Service serving traffic is ever re-pointed (long-lived connections " +
            "stay). Needs trafficRouting.",
        ),
      minPodsPerReplicaSet: z
        .int32()
        .min(1)
        .optional()
        .describe(
          "With trafficRouting: a version that gets any pods gets at least this many, for high availability " +
            "(canary and stable alike).",
        ),
      scaleDownDelayRevisionLimit: z
        .int32()
        .min(0)
        .optional()
        .describe(
          "How many old versions may wait out scaleDownDelaySeconds at once: older ones scale down at once " +
            "(default: all of them).",
        ),
      abortScaleDownDelaySeconds: z
        .int32()
        .min(0)
        .optional()
        .describe(
          "Seconds the canary stays up after an abort, once traffic is back on stable (default 30 with " +
            "trafficRouting; 0 without it, or with dynamicStableScale, where the canary shrinks as traffic leaves).",
        ),
      dynamicStableScale: z
        .boolean()
        .optional()
        .describe("With trafficRouting: shrink stable as the canary's weight grows, to save capacity."),
      analysis: BackgroundAnalysis.optional(),
    })
    .describe("Ships the new version gradually, step by step, beside the stable one."),
  {
    rule:
      "!has(self.trafficRouting) || (has(self.canaryService) && has(self.stableService)) || has(self.pingPong) || " +
      "(has(self.trafficRouting.istio) && has(self.trafficRouting.istio.destinationRule) && " +
      "!has(self.trafficRouting.gatewayAPI) && !has(self.trafficRouting.nginx))",
    message:
      "spec.strategy.canary.trafficRouting requires canaryService and stableService: set both, or pingPong " +
      "(only Istio subset-level routing, trafficRouting.istio.destinationRule alone, works without them)",
  },
  {
    rule:
      "!has(self.pingPong) || (has(self.trafficRouting) && !has(self.canaryService) && !has(self.stableService) && " +
      "self.pingPong.pingService != self.pingPong.pongService)",
    message:
      "spec.strategy.canary.pingPong needs trafficRouting, two different Services, and no canaryService or " +
      "stableService (the pair takes their place)",
  },
  {
    rule: "!has(self.canaryService) || !has(self.stableService) || self.canaryService != self.stableService",
    message: "spec.strategy.canary: canaryService and stableService must be two different Services",
  },
  {
    rule: "!has(self.scaleDownDelaySeconds) || has(self.trafficRouting)",
    message:
      "spec.strategy.canary.scaleDownDelaySeconds requires trafficRouting: without a router the old version's " +
      "pods are replaced as the canary's become available, so there is no switch to delay",
  },
  {
    rule: "!has(self.dynamicStableScale) || !self.dynamicStableScale || has(self.trafficRouting)",
    message:
      "spec.strategy.canary.dynamicStableScale requires trafficRouting: without it, replicas carry traffic",
  },
  {
    rule:
      "!has(self.steps) || !has(self.trafficRouting) || !has(self.trafficRouting.maxTrafficWeight) || " +
      "self.steps.all(s, !has(s.setWeight) || s.setWeight <= self.trafficRouting.maxTrafficWeight)",
    message: "spec.strategy.canary.steps[].setWeight must not exceed trafficRouting.maxTrafficWeight",
  },
  {
    rule:
      "!has(self.steps) || (has(self.trafficRouting) && has(self.trafficRouting.maxTrafficWeight)) || " +
      "self.steps.all(s, !has(s.setWeight) || s.setWeight <= 100)",
    message:
      "spec.strategy.canary.steps[].setWeight is a percentage (at most 100) unless trafficRouting.maxTrafficWeight sets another total",
  },
  {
    rule:
      "!has(self.maxSurge) || !has(self.maxUnavailable) || " +
      "!((self.maxSurge == 0 || self.maxSurge == '0%') && (self.maxUnavailable == 0 || self.maxUnavailable == '0%'))",
    message: "spec.strategy.canary: maxSurge and maxUnavailable cannot both be 0 (nothing could move)",
  },
  {
    ...managedRouteRule("setHeaderRoute"),
    rule: `!has(self.steps) || ${managedRouteRule("setHeaderRoute").rule}`,
  },
  {
    ...managedRouteRule("setMirrorRoute"),
    rule: `!has(self.steps) || ${managedRouteRule("setMirrorRoute").rule}`,
  },
);
export type CanaryStrategy = z.infer<typeof CanaryStrategy>;
