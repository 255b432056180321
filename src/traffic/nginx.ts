// ingress-nginx: from each stable Ingress ramp makes a canary Ingress it owns whole (server-side apply as
// ramp-controller): same hosts and paths, backend the canaryService, weighted by canary-weight annotations.
// The stable Ingress is only read. The canary Ingress is deleted when no rollout is in flight.

import { ROLLOUT_LABEL } from "../api/labels.ts";
import { RampError } from "../errors.ts";
import { describeRef, type RouteObject } from "./apis.ts";
import { jsonEqual } from "./json-patch.ts";
import type { RouteWrite } from "./ports.ts";
import {
  prefixRegex,
  type RouterBuilder,
  type RouterEnv,
  routingField,
  type TrafficRouter,
  type TrafficTarget,
} from "./router.ts";

type Backend = { service?: { name?: string; port?: { number?: number; name?: string } } };
type Path = { path?: string; pathType?: string; backend?: Backend };
type IngressRule = { host?: string; http?: { paths?: Path[] } };
type IngressSpec = { ingressClassName?: string; rules?: IngressRule[] };

const DEFAULT_PREFIX = "nginx.ingress.kubernetes.io";
const LEGACY_CLASS = "kubernetes.io/ingress.class";

/** `web-web-ingress-canary`: one per Rollout and stable Ingress, within the 253-character name limit. */
export function canaryIngressName(rollout: string, ingress: string): string {
  const base = `${rollout}-${ingress}`.slice(0, 253 - "-canary".length).replace(/[-.]+$/, "");
  return `${base}-canary`;
}

class CanaryIngressRouter implements TrafficRouter {
  readonly describe: string;
  readonly #env: RouterEnv;
  readonly #stable: string;
  readonly #name: string;
  readonly #field: string;
  readonly #prefix: string;

  constructor(env: RouterEnv, stableIngress: string, field: string) {
    this.#env = env;
    this.#stable = stableIngress;
    this.#name = canaryIngressName(env.rollout.name, stableIngress);
    this.#field = field;
    this.#prefix = env.routing.nginx?.annotationPrefix ?? DEFAULT_PREFIX;
    this.describe = describeRef("Ingress", this.#name);
  }

  verify(): void {
    this.#desired(this.#stableIngress(), 0, 100, undefined);
  }

  shownWeight(total: number): number {
    const a = this.#current()?.metadata.annotations ?? {};
    const weight = Number(a[`${this.#prefix}/canary-weight`] ?? 0);
    const of = Number(a[`${this.#prefix}/canary-weight-total`] ?? 100);
    return Number.isFinite(weight) && of > 0 ? (weight * total) / of : 0;
  }

  shows(target: TrafficTarget): boolean {
    const current = this.#current();
    if (!target.active) return current === undefined;
    if (!current) return false;
    const want = this.#desired(this.#stableIngress(), target.weight, target.total, target.headerRoutes[0]);
    const have = current.metadata.annotations ?? {};
    const owned = Object.keys(have).filter((k) => this.#isCanaryKey(k));
    return (
      Object.entries(want.metadata.annotations ?? {}).every(([k, v]) => have[k] === v) &&
      owned.every((k) => k in (want.metadata.annotations ?? {})) &&
      current.metadata.labels?.[ROLLOUT_LABEL] === this.#env.rollout.name &&
      jsonEqual(current.spec?.rules, want.spec?.rules) &&
      current.spec?.ingressClassName === want.spec?.ingressClassName
    );
  }

  plan(target: TrafficTarget): RouteWrite[] {
    if (this.shows(target)) return [];
    const { namespace } = this.#env;
    if (!target.active) {
      const uid = this.#current()?.metadata.uid;
      return uid ? [{ op: "delete", ref: { kind: "Ingress", namespace, name: this.#name }, uid }] : [];
    }
    const obj = this.#desired(this.#stableIngress(), target.weight, target.total, target.headerRoutes[0]);
    return [{ op: "apply", object: { ...obj, kind: "Ingress" } }];
  }

  // The header annotations ramp sets: left over from a removed header route, they must go.
  #isCanaryKey(k: string): boolean {
    return k.startsWith(`${this.#prefix}/canary-by-header`);
  }

  /** The canary Ingress in the cache, only if this very Rollout made it. */
  #current(): RouteObject | undefined {
    const obj = this.#env.caches.routeObject("Ingress", this.#env.namespace, this.#name);
    return obj?.metadata.ownerReferences?.some((o) => o.uid === this.#env.rollout.uid) ? obj : undefined;
  }

  #stableIngress(): RouteObject {
    const { namespace } = this.#env;
    const ing = this.#env.caches.routeObject("Ingress", namespace, this.#stable);
    if (!ing) {
      throw new RampError(
        "RouteNotFound",
        `${this.#field}: Ingress "${this.#stable}" does not exist in namespace "${namespace}": create it, with ` +
          `a path whose backend is the stableService "${this.#env.stableService}", or correct the name`,
      );
    }
    return ing;
  }

  /** The canary Ingress ramp applies: every path of the stable Ingress that sends to the stableService. */
  #desired(
    stable: RouteObject,
    weight: number,
    total: number,
    header: TrafficTarget["headerRoutes"][number] | undefined,
  ): RouteObject {
    const { stableService, canaryService, namespace, rollout } = this.#env;
    const spec = (stable.spec ?? {}) as IngressSpec;
    const rules = (spec.rules ?? []).flatMap((r): IngressRule[] => {
      const paths = (r.http?.paths ?? [])
        .filter((p) => p.backend?.service?.name === stableService)
        .map((p) => ({ ...p, backend: { service: { ...p.backend?.service, name: canaryService } } }));
      return paths.length === 0 ? [] : [{ ...(r.host ? { host: r.host } : {}), http: { paths } }];
    });
    if (rules.length === 0) {
      throw new RampError(
        "ServiceNotInRoute",
        `${this.#field}: Ingress "${this.#stable}" has no path whose backend is the stableService ` +
          `"${stableService}": point a path at it (ramp copies those paths to the canary Ingress), or name ` +
          "another Ingress",
      );
    }
    const p = this.#prefix;
    const nginx = this.#env.routing.nginx;
    const extra = Object.fromEntries(
      // A key already under the prefix is used as written (as Argo does), never prefixed twice.
      Object.entries(nginx?.additionalIngressAnnotations ?? {}).map(([k, v]) => [
        k.startsWith(`${p}/`) ? k : `${p}/${k}`,
        v,
      ]),
    );
    const match = header?.match[0];
    const value = match?.headerValue;
    const headerAnnotations: Record<string, string> = match
      ? {
          [`${p}/canary-by-header`]: match.headerName,
          ...(value?.exact !== undefined
            ? { [`${p}/canary-by-header-value`]: value.exact }
            : { [`${p}/canary-by-header-pattern`]: value?.regex ?? prefixRegex(value?.prefix ?? "") }),
        }
      : {};
    const legacyClass = stable.metadata.annotations?.[LEGACY_CLASS];
    return {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: {
        name: this.#name,
        namespace,
        labels: { [ROLLOUT_LABEL]: rollout.name },
        annotations: {
          ...(nginx?.canaryIngressAnnotations ?? {}),
          ...extra,
          ...(legacyClass ? { [LEGACY_CLASS]: legacyClass } : {}),
          [`${p}/canary`]: "true",
          [`${p}/canary-weight`]: String(weight),
          [`${p}/canary-weight-total`]: String(total),
          ...headerAnnotations,
        },
        ownerReferences: [
          {
            apiVersion: rollout.apiVersion,
            kind: rollout.kind,
            name: rollout.name,
            uid: rollout.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...(spec.ingressClassName ? { ingressClassName: spec.ingressClassName } : {}), rules },
    };
  }
}

/** What ingress-nginx cannot express, found before anything is written. */
function checkSteps(env: RouterEnv): void {
  const headerNames = new Set<string>();
  env.steps.forEach((s, i) => {
    const at = `spec.strategy.canary.steps[${i}]`;
    if (s.setMirrorRoute) {
      throw new RampError(
        "RouterUnsupported",
        `${at}.setMirrorRoute: ingress-nginx cannot mirror a share of requests to the canary: remove the ` +
          "step, or route with gatewayAPI or istio",
      );
    }
    if (s.setHeaderRoute) {
      headerNames.add(s.setHeaderRoute.name);
      if ((s.setHeaderRoute.match?.length ?? 0) > 1) {
        throw new RampError(
          "RouterUnsupported",
          `${at}.setHeaderRoute.match: ingress-nginx routes by one header (canary-by-header): keep one match`,
        );
      }
    }
  });
  if (headerNames.size > 1) {
    throw new RampError(
      "RouterUnsupported",
      `spec.strategy.canary.steps: ingress-nginx has one header route per canary Ingress, but the steps use ` +
        `${[...headerNames].join(", ")}: use one managed route name for every setHeaderRoute`,
    );
  }
}

/** Canary Ingresses this Rollout made for a stable Ingress it no longer names: they only get deleted. */
class StaleCanaryIngresses implements TrafficRouter {
  readonly describe = "stale canary Ingresses";
  readonly #env: RouterEnv;
  readonly #keep: ReadonlySet<string>;

  constructor(env: RouterEnv, keep: ReadonlySet<string>) {
    this.#env = env;
    this.#keep = keep;
  }

  verify(): void {}

  shownWeight(): number {
    return 0;
  }

  shows(): boolean {
    return this.#stale().length === 0;
  }

  plan(): RouteWrite[] {
    return this.#stale().map((o) => ({
      op: "delete" as const,
      ref: { kind: "Ingress" as const, namespace: this.#env.namespace, name: o.metadata.name },
      uid: o.metadata.uid ?? "",
    }));
  }

  #stale(): RouteObject[] {
    const { rollout } = this.#env;
    return this.#env.caches
      .routeObjectsOf("Ingress", this.#env.key)
      .filter(
        (o) =>
          !this.#keep.has(o.metadata.name) && o.metadata.ownerReferences?.some((r) => r.uid === rollout.uid),
      );
  }
}

export const nginx: RouterBuilder = {
  field: "nginx",
  kinds: (r) => (r.nginx ? ["Ingress"] : []),
  build(env) {
    const cfg = env.routing.nginx;
    const field = routingField("nginx");
    const stables = cfg?.stableIngress
      ? [{ name: cfg.stableIngress, field: `${field}.stableIngress` }]
      : (cfg?.stableIngresses ?? []).map((name, i) => ({ name, field: `${field}.stableIngresses[${i}]` }));
    if (cfg) checkSteps(env);
    const routers = stables.map((s) => new CanaryIngressRouter(env, s.name, s.field));
    const keep = new Set(stables.map((s) => canaryIngressName(env.rollout.name, s.name)));
    const sweeper = new StaleCanaryIngresses(env, keep);
    // A renamed stable Ingress, or nginx routing removed: the canary Ingresses left behind go.
    return sweeper.shows() ? routers : [...routers, sweeper];
  },
};
