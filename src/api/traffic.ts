// Where a canary's weight is applied: Gateway API HTTPRoutes, NGINX Ingress, Istio VirtualServices.
import { z } from "zod";
import { cel, objectName, unsupportedFields } from "./meta.ts";

export const GatewayAPIRouting = z
  .object({
    httpRoutes: z
      .array(
        z.object({
          name: objectName("Name of an HTTPRoute in the Rollout's namespace."),
          rules: z
            .array(z.string().max(253))
            .max(16)
            .optional()
            .describe(
              "Names (rules[].name) of the rules whose backendRefs ramp weights. " +
                "Default: every rule that has a backendRef to the stableService.",
            ),
        }),
      )
      .min(1)
      .max(8),
  })
  .describe(
    "Gateway API (gateway.networking.k8s.io/v1): ramp sets backendRefs[].weight of the stable and canary " +
      "Services. Built in, where Argo Rollouts needs a plugin.",
  );

export const NginxRouting = cel(
  z
    .object({
      stableIngress: objectName("The Ingress that routes to the stableService.").optional(),
      stableIngresses: z.array(objectName("An Ingress that routes to the stableService.")).max(8).optional(),
      annotationPrefix: z
        .string()
        .max(253)
        .optional()
        .describe('Annotation prefix of the ingress controller (default "nginx.ingress.kubernetes.io").'),
      additionalIngressAnnotations: z
        .record(z.string(), z.string())
        .optional()
        .describe("Extra annotations on the canary Ingress (e.g. canary-by-cookie)."),
      canaryIngressAnnotations: z.record(z.string(), z.string()).optional(),
    })
    .describe(
      "ingress-nginx: ramp creates and owns a canary Ingress copied from the stable one, weighted with " +
        "canary-weight and canary-weight-total.",
    ),
  {
    rule: "has(self.stableIngress) != has(self.stableIngresses)",
    message: "trafficRouting.nginx: set exactly one of stableIngress or stableIngresses",
  },
);

const VirtualServiceRef = z.object({
  name: objectName("Name of a VirtualService in the Rollout's namespace."),
  routes: z
    .array(z.string().max(253))
    .max(16)
    .optional()
    .describe(
      "Names of the HTTP routes to weight; may be omitted when the VirtualService has one HTTP route.",
    ),
  tlsRoutes: z
    .array(
      z.object({
        port: z.int32().min(1).max(65535).optional().describe("The route's match port."),
        sniHosts: z.array(z.string().max(253)).max(16).optional().describe("The route's match SNI hosts."),
      }),
    )
    .max(8)
    .optional()
    .describe("TLS routes (spec.tls) to weight too, found by the port and SNI hosts of their match."),
  tcpRoutes: z
    .array(z.object({ port: z.int32().min(1).max(65535).optional().describe("The route's match port.") }))
    .max(8)
    .optional()
    .describe("TCP routes (spec.tcp) to weight too, found by the port of their match."),
});

export const IstioRouting = cel(
  z
    .object({
      virtualService: VirtualServiceRef.optional(),
      virtualServices: z.array(VirtualServiceRef).max(8).optional(),
      destinationRule: z
        .object({
          name: objectName("Name of the DestinationRule whose subsets ramp pins to pod-template hashes."),
          canarySubsetName: z.string().min(1).max(253),
          stableSubsetName: z.string().min(1).max(253),
        })
        .optional()
        .describe("Route by subsets of one host instead of by the canary and stable Service hosts."),
    })
    .describe("Istio: ramp weights the named HTTP routes of VirtualServices."),
  {
    rule: "has(self.virtualService) != has(self.virtualServices)",
    message: "trafficRouting.istio: set exactly one of virtualService or virtualServices",
  },
);

const UNSUPPORTED_ROUTING = unsupportedFields("spec.strategy.canary.trafficRouting", {
  alb: "route with gatewayAPI (the AWS Load Balancer Controller serves Gateway API), nginx or istio",
  smi: "route with gatewayAPI (Linkerd and other SMI meshes serve Gateway API's HTTPRoute), nginx or istio",
  appMesh: "route with gatewayAPI, nginx or istio (AWS App Mesh is retired)",
  ambassador: "route with gatewayAPI (Emissary-ingress serves Gateway API), nginx or istio",
  apisix: "route with gatewayAPI (Apache APISIX serves Gateway API), nginx or istio",
  traefik: "route with gatewayAPI (Traefik serves Gateway API), nginx or istio",
  plugins: "Gateway API is built in (gatewayAPI: {httpRoutes: [...]}); other plugins are not run",
});

export const TrafficRouting = cel(
  z
    .object({
      ...UNSUPPORTED_ROUTING.shape,
      gatewayAPI: GatewayAPIRouting.optional(),
      nginx: NginxRouting.optional(),
      istio: IstioRouting.optional(),
      maxTrafficWeight: z
        .int32()
        .min(1)
        .max(10000)
        .optional()
        .describe("The total weight (default 100); setWeight values are out of this total."),
      managedRoutes: z
        .array(
          z.object({
            name: z
              .string()
              .min(1)
              .max(63)
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
              .describe(
                "A DNS label: the name of the rule (Gateway API) or HTTP route (Istio) ramp adds for it.",
              ),
          }),
        )
        .max(16)
        .optional()
        .describe(
          "Routes ramp may add for setHeaderRoute and setMirrorRoute, in priority order; removed when " +
            "the rollout completes or aborts.",
        ),
    })
    .describe("Moves request traffic, not just pod counts. Requires canaryService and stableService."),
  ...UNSUPPORTED_ROUTING.rules,
  {
    rule: "has(self.gatewayAPI) || has(self.nginx) || has(self.istio)",
    message: "spec.strategy.canary.trafficRouting: set at least one of gatewayAPI, nginx or istio",
  },
);
export type TrafficRouting = z.infer<typeof TrafficRouting>;
