// Flagger as its controller leaves an app: the target Deployment `<t>` scaled to 0, a `<t>-primary`
// Deployment (owned by the Canary) running the stable pods with the selector label's value rewritten to
// `<value>-primary`, the Services `<svc>` and `<svc>-primary` selecting that value and `<svc>-canary` the
// target's, and (with a mesh or Gateway API) a route to `-primary`/`-canary`, all owned by the Canary.
//
// The ramp side is the converter's (kubectl ramp convert): a Rollout of the target's template whose
// Services are the apex (stable) and `-canary`, and the route rewritten to them. The running pods keep
// `<label>: <value>-primary` (their ReplicaSet's selector needs it) while later versions carry
// `<label>: <value>`, so until the first version ramp ships: the Rollout's selector accepts either value,
// and the Services ramp pins select by ramp's hash label instead of that label (ramp re-pins them to each
// new version; Git's selector, applied later, only adds back what the new pods carry).
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { HASH_LABEL } from "../../api/labels.ts";
import { isObject } from "../../json.ts";
import { ROUTE_APIS, type RouteKind } from "../../traffic/apis.ts";
import { createRampObjects, labelPods, labelReplicaSet, shipInProgress, waitAdopted } from "./adopt.ts";
import { FLAGGER_FINALIZER } from "./flagger-source.ts";
import {
  type Dependent,
  type FlaggerSource,
  type KubeObject,
  type Labels,
  MIGRATING_ANNOTATION,
  type Migration,
} from "./model.ts";
import { API, type Step, target } from "./steps.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);

/**
 * The converted Rollout's selector, also matching the adopted pods: the selector label may be the target's
 * value (later versions) or the primary's (the pods taken over), so its matchLabels entry becomes an In.
 */
export function adoptingSelector(
  selector: unknown,
  label: { key: string; value: string },
): Record<string, unknown> {
  const s = isObject(selector) ? selector : {};
  const matchLabels = { ...(isObject(s.matchLabels) ? s.matchLabels : {}) };
  delete matchLabels[label.key];
  const others = (Array.isArray(s.matchExpressions) ? s.matchExpressions : []).filter(
    (e) => !(isObject(e) && e.key === label.key),
  );
  const either = { key: label.key, operator: "In", values: [label.value, `${label.value}-primary`] };
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    matchExpressions: [...others, either],
  };
}

/** The Services a Rollout pins to a version's hash (the others must select every version by themselves). */
export function pinnedServices(rollout: KubeObject): string[] {
  const s = rollout.spec?.strategy;
  return [
    at(s, "canary", "stableService"),
    at(s, "canary", "canaryService"),
    at(s, "canary", "pingPong", "pingService"),
    at(s, "canary", "pingPong", "pongService"),
    at(s, "blueGreen", "activeService"),
    at(s, "blueGreen", "previewService"),
  ].flatMap((v) => (str(v) ? [v as string] : []));
}

const selectorOf = (o: KubeObject): Labels => {
  const sel = o.spec?.selector;
  if (!isObject(sel)) return {};
  return Object.fromEntries(
    Object.entries(sel).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
};

/** The labels every adopted pod carries: its ReplicaSet's template's. */
export const templateLabels = (rs: V1ReplicaSet): Labels => rs.spec?.template?.metadata?.labels ?? {};

/**
 * Converted Services ramp will not pin must select every version's pods by their own selector; one the
 * adopted pods (`<label>: <value>-primary`) do not satisfy would be empty now and could not follow both
 * them and later versions. Such a migration is refused, with why.
 */
export function unpinnedMismatches(rollout: KubeObject, traffic: KubeObject[], pods: Labels): string[] {
  const pinned = new Set(pinnedServices(rollout));
  return traffic
    .filter((o) => o.kind === "Service" && !pinned.has(o.metadata.name))
    .flatMap((svc) => {
      const missing = Object.entries(selectorOf(svc)).filter(([k, v]) => pods[k] !== v);
      if (missing.length === 0) return [];
      const labels = missing.map(([k, v]) => `${k}=${v}`).join(",");
      return [
        `Service ${svc.metadata.name} must select every version's pods (the converted Rollout does not pin it), ` +
          `but the running pods do not carry ${labels}: no selector follows both them and later versions. ` +
          "Migrate a Canary whose provider ramp routes (istio, gatewayapi, nginx, kubernetes)",
      ];
    });
}

const show = (l: Labels): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

/**
 * Each converted Service in one patch of its selector. A pinned one keeps the converted entries the
 * running pods satisfy and is pinned to their hash (what ramp's own pin says): the stable Service keeps
 * exactly its pods, `-canary` goes from the target's pods (none) to them, behind a weight of 0. An
 * unpinned one gets the converted selector, which the pods satisfy (checked before).
 */
function serviceSteps(m: Migration, src: FlaggerSource): Step[] {
  const pinned = new Set(pinnedServices(m.ramp.rollout));
  const pods = templateLabels(m.adopted.replicaSet);
  return m.ramp.traffic
    .filter((o) => o.kind === "Service")
    .flatMap((svc): Step[] => {
      const name = svc.metadata.name;
      const converted = selectorOf(svc);
      const want: Labels = pinned.has(name)
        ? {
            ...Object.fromEntries(Object.entries(converted).filter(([k, v]) => pods[k] === v)),
            [HASH_LABEL]: m.adopted.hash,
          }
        : converted;
      const t = target(API.service, m.namespace, name);
      const live = src.services.find((s) => s.metadata?.name === name);
      if (!live)
        return [
          {
            description: `Create Service ${name} (converted), selecting ${show(want)}: the running pods`,
            write: {
              verb: "create",
              target: t,
              body: { ...svc, spec: { ...svc.spec, selector: want } },
              ifAbsent: true,
            },
          },
        ];
      const from = live.spec?.selector ?? {};
      if (Object.keys({ ...from, ...want }).every((k) => from[k] === want[k])) return [];
      const removed = Object.fromEntries(Object.keys(from).flatMap((k) => (k in want ? [] : [[k, null]])));
      return [
        {
          description:
            `Service ${name} selects ${show(want)} (was ${show(from)}), in one patch: ` +
            (pinned.has(name)
              ? "the running pods, pinned to their hash as ramp pins it"
              : "every version's pods"),
          write: {
            verb: "patch",
            target: t,
            type: "merge",
            body: { spec: { selector: { ...removed, ...want } } },
          },
        },
      ];
    });
}

/** Each converted route replaces the live one's spec in one patch: its backends become ramp's Services. */
function routeSteps(m: Migration, src: FlaggerSource): Step[] {
  return m.ramp.traffic
    .filter((o) => o.kind !== "Service")
    .flatMap((route): Step[] => {
      const api = ROUTE_APIS[route.kind as RouteKind];
      if (!api) return [];
      const name = route.metadata.name;
      const t = target(api, m.namespace, name);
      const live = src.routes.find((r) => r.kind === route.kind && r.metadata.name === name);
      if (!live)
        return [
          {
            description: `Create ${route.kind} ${name} (converted)`,
            write: {
              verb: "create",
              target: t,
              body: route as unknown as Record<string, unknown>,
              ifAbsent: true,
            },
          },
        ];
      return [
        {
          description:
            `Replace ${route.kind} ${name}'s spec with the converted one, in one patch: its backends are the ` +
            "Services above, which select the running pods",
          write: {
            verb: "patch",
            target: t,
            type: "json",
            body: [{ op: "replace", path: "/spec", value: route.spec ?? {} }],
          },
        },
      ];
    });
}

/** What ramp keeps of the Canary's: the Services and routes it takes over, the `-primary` configuration. */
function releaseFromCanary(m: Migration, src: FlaggerSource): Step[] {
  const uid = src.canary.metadata.uid ?? "";
  const kept = (d: Dependent) =>
    d.target.kind === "ConfigMap" ||
    d.target.kind === "Secret" ||
    m.ramp.traffic.some((o) => o.kind === d.target.kind && o.metadata.name === d.target.name);
  return src.dependents.filter(kept).map((d) => ({
    description:
      `Release ${d.target.kind} ${d.target.name} from Canary ${src.canary.metadata.name} (remove its ownerReference), ` +
      "so deleting the Canary does not delete it",
    write: {
      verb: "patch",
      target: d.target,
      type: "json",
      body: [
        { op: "test", path: `/metadata/ownerReferences/${d.ownerIndex}/uid`, value: uid },
        { op: "remove", path: `/metadata/ownerReferences/${d.ownerIndex}` },
      ],
    },
  }));
}

/**
 * The order. Flagger is suspended first, so it rewrites no Service, route or Deployment from then on. The
 * primary Deployment is deleted with propagationPolicy Orphan rather than its ownerReference patched off:
 * a Deployment adopts an orphan ReplicaSet its selector matches at once, one being deleted adopts none;
 * the garbage collector removes the reference and ReplicaSet and pods keep running. Only then is the
 * ReplicaSet's template labelled (under a live Deployment, a changed template would start a rollout). Pods
 * gain ramp's hash label before any selector names it; each Service changes in one patch to a selector the
 * running pods satisfy; then the routes move to those Services. What ramp keeps is released from the
 * Canary, and the Rollout is created last: the controller adopts the ReplicaSet, labelled with the hash of
 * the Rollout's template, as a first deploy already done.
 */
export function flaggerSteps(m: Migration, src: FlaggerSource, opts: { deleteSource: boolean }): Step[] {
  const c = src.canary;
  const canaryTarget = target(API.canary, m.namespace, c.metadata.name);
  const primary = src.primary?.metadata;
  const rs = target(API.replicaSet, m.namespace, m.adopted.replicaSet.metadata?.name ?? "");
  const orphaning: Step[] = primary?.name
    ? [
        {
          description:
            `Delete Deployment ${primary.name} with propagationPolicy Orphan: its ReplicaSet ${rs.name} and pods keep ` +
            "running, owned by nothing",
          write: {
            verb: "delete",
            target: target(API.deployment, m.namespace, primary.name),
            propagationPolicy: "Orphan",
            uid: primary.uid,
          },
        },
        {
          description: `Wait until the garbage collector has released ReplicaSet ${rs.name}`,
          write: { verb: "wait", until: { what: "released", target: rs, ownerUid: primary.uid ?? "" } },
        },
      ]
    : [];
  return [
    {
      description: `Suspend Canary ${c.metadata.name} (spec.suspend) so Flagger changes nothing from now on`,
      write: {
        verb: "patch",
        target: canaryTarget,
        type: "merge",
        body: { metadata: { annotations: { [MIGRATING_ANNOTATION]: m.name } }, spec: { suspend: true } },
      },
    },
    ...orphaning,
    labelReplicaSet(m),
    labelPods(m),
    ...serviceSteps(m, src),
    ...routeSteps(m, src),
    ...releaseFromCanary(m, src),
    ...createRampObjects(m),
    waitAdopted(m),
    ...shipInProgress(m),
    ...(opts.deleteSource ? flaggerDeleteSteps(m.namespace, c) : []),
  ];
}

/**
 * revertOnDeletion makes Flagger's finalizer scale the target back up and point the apex Service at it:
 * it is turned off, and the finalizer removed, before the Canary is deleted. What Flagger generated and
 * ramp does not use (`-primary` Service and DestinationRule, the primary's HPA) goes with it.
 */
export function flaggerDeleteSteps(namespace: string, c: KubeObject): Step[] {
  const t = target(API.canary, namespace, c.metadata.name);
  const finalizers = c.metadata.finalizers ?? [];
  const revert = c.spec?.revertOnDeletion === true || finalizers.includes(FLAGGER_FINALIZER);
  const off: Step = {
    description: `Turn off Canary ${c.metadata.name}'s revertOnDeletion and remove Flagger's finalizer: its deletion reverts nothing`,
    write: {
      verb: "patch",
      target: t,
      type: "merge",
      body: {
        metadata: { finalizers: finalizers.filter((f) => f !== FLAGGER_FINALIZER) },
        spec: { revertOnDeletion: false },
      },
    },
  };
  return [
    ...(revert ? [off] : []),
    {
      description:
        `Delete Canary ${c.metadata.name} (--delete-source): the running pods, and the Services and routes ramp uses, ` +
        "are no longer its dependents",
      write: { verb: "delete", target: t, propagationPolicy: "Background", uid: c.metadata.uid },
    },
  ];
}
