// What a migration plan is made of: ordered steps, each a sentence saying why and the one API write it
// makes. The same list is printed by --dry-run and executed by apply, so what is shown is what is done.

/** An object the plan writes: its API coordinates and name ("" group is the core API). */
export type Target = {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespace: string;
  name: string;
};

export type Write =
  | { verb: "patch"; target: Target; type: "merge" | "json"; body: unknown }
  /** Creates the object; `ifAbsent` treats AlreadyExists as done (a re-run, or a template already there). */
  | { verb: "create"; target: Target; body: Record<string, unknown>; ifAbsent: boolean }
  /** Deletes the object (a 404 is done); with `uid` only that very object (a precondition). */
  | { verb: "delete"; target: Target; propagationPolicy: "Orphan" | "Background"; uid?: string | undefined }
  /**
   * Merge-patches `labels` onto every live pod the ReplicaSet `owner` controls, listed when the step runs
   * (so a pod born since the plan was made is labelled too); `pods` are those known when planning.
   */
  | {
      verb: "labelPods";
      namespace: string;
      owner: { name: string; uid: string };
      labels: Record<string, string>;
      pods: string[];
    }
  /** Waits (apply; --timeout) until a condition holds; writes nothing. */
  | { verb: "wait"; until: Wait };

export type Wait =
  /** The object is gone (an orphaning delete has finished: its dependents no longer name it). */
  | { what: "gone"; target: Target }
  /** The ReplicaSet has no ownerReference to `ownerUid` any more. */
  | { what: "released"; target: Target; ownerUid: string }
  /** The ramp Rollout owns the ReplicaSet and is Healthy with `hash` as its stable version. */
  | { what: "adopted"; rollout: Target; replicaSet: string; hash: string };

export type Step = { description: string; write: Write };

export const API = {
  replicaSet: { group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet" },
  deployment: { group: "apps", version: "v1", plural: "deployments", kind: "Deployment" },
  service: { group: "", version: "v1", plural: "services", kind: "Service" },
  pod: { group: "", version: "v1", plural: "pods", kind: "Pod" },
  rampRollout: { group: "ramp.dev", version: "v1alpha1", plural: "rollouts", kind: "Rollout" },
  argoRollout: { group: "argoproj.io", version: "v1alpha1", plural: "rollouts", kind: "Rollout" },
  canary: { group: "flagger.app", version: "v1beta1", plural: "canaries", kind: "Canary" },
  destinationRule: {
    group: "networking.istio.io",
    version: "v1",
    plural: "destinationrules",
    kind: "DestinationRule",
  },
} as const satisfies Record<string, Omit<Target, "namespace" | "name">>;

export const target = (api: Omit<Target, "namespace" | "name">, namespace: string, name: string): Target => ({
  ...api,
  namespace,
  name,
});

/** `ReplicaSet web-6d8f` / `Rollout.argoproj.io web`: the object as kubectl names it. */
export function describeTarget(t: Target): string {
  const kind = t.group === "" || t.group === "apps" ? t.kind : `${t.kind}.${t.group}`;
  return `${kind} ${t.name}`;
}

/** The write as one line: verb, object and body, e.g. `PATCH Service web (merge) {"spec":…}`. */
export function renderWrite(w: Write): string {
  switch (w.verb) {
    case "patch":
      return `PATCH ${describeTarget(w.target)} (${w.type}) ${JSON.stringify(w.body)}`;
    case "create":
      return `CREATE ${describeTarget(w.target)}${w.ifAbsent ? " (unless it exists)" : ""}`;
    case "delete":
      return `DELETE ${describeTarget(w.target)} (propagationPolicy=${w.propagationPolicy})`;
    case "labelPods":
      return `PATCH Pod ${w.pods.length > 0 ? w.pods.join(", ") : "(none yet)"} (merge) ${JSON.stringify({ metadata: { labels: w.labels } })}`;
    case "wait":
      return `WAIT ${renderWait(w.until)}`;
  }
}

function renderWait(w: Wait): string {
  switch (w.what) {
    case "gone":
      return `until ${describeTarget(w.target)} is gone`;
    case "released":
      return `until ${describeTarget(w.target)} has no ownerReference to ${w.ownerUid}`;
    case "adopted":
      return `until ${describeTarget(w.rollout)} owns ReplicaSet ${w.replicaSet} and is Healthy at ${w.hash}`;
  }
}

/** The plan as printed by --dry-run: numbered steps, each with its write indented below. */
export function renderPlan(steps: Step[]): string[] {
  return steps.flatMap((s, i) => [`${i + 1}. ${s.description}`, `   ${renderWrite(s.write)}`]);
}
