// The steps every migration shares: make the running ReplicaSet and its pods look like ramp's version
// (labels only: a label patch restarts nothing), release it from its old owner, create the ramp objects,
// and wait for the controller to adopt it.
import { HASH_LABEL, REVISION_ANNOTATION, ROLLOUT_LABEL } from "../../api/labels.ts";
import type { Migration } from "./model.ts";
import { API, type Step, target } from "./steps.ts";

const rsName = (m: Migration): string => m.adopted.replicaSet.metadata?.name ?? "";

export const replicaSetTarget = (m: Migration) => target(API.replicaSet, m.namespace, rsName(m));
export const rolloutTarget = (m: Migration) => target(API.rampRollout, m.namespace, m.name);

/**
 * The ReplicaSet's own labels (how the controller finds and adopts it), its revision, and its pod
 * template's labels, so a pod it creates from now on (a replacement) carries the hash too.
 */
export function labelReplicaSet(m: Migration): Step {
  const { hash, revision } = m.adopted;
  return {
    description:
      `Label ReplicaSet ${rsName(m)} as version ${hash} of ramp Rollout ${m.name} (revision ${revision}), ` +
      "and its pod template, so a replacement pod is born labelled",
    write: {
      verb: "patch",
      target: replicaSetTarget(m),
      type: "merge",
      body: {
        metadata: {
          labels: { [ROLLOUT_LABEL]: m.name, [HASH_LABEL]: hash },
          annotations: { [REVISION_ANNOTATION]: revision },
        },
        spec: { template: { metadata: { labels: { [HASH_LABEL]: hash } } } },
      },
    },
  };
}

/** Every running pod gets the hash label; its other labels stay, so every selector still matches it. */
export function labelPods(m: Migration): Step {
  const rs = m.adopted.replicaSet.metadata;
  return {
    description:
      `Label the ${m.adopted.pods.length} running pod(s) of ${rsName(m)} with ${HASH_LABEL}=${m.adopted.hash} ` +
      "(a label patch restarts nothing; their other labels stay, so every Service still selects them)",
    write: {
      verb: "labelPods",
      namespace: m.namespace,
      owner: { name: rs?.name ?? "", uid: rs?.uid ?? "" },
      labels: { [HASH_LABEL]: m.adopted.hash },
      pods: m.adopted.pods.flatMap((p) => (p.metadata?.name ? [p.metadata.name] : [])),
    },
  };
}

/** Removes the old controller's ownerReference (the uid is tested first, so only that one goes). */
export function releaseReplicaSet(m: Migration, ownerUid: string, owner: string): Step[] {
  const refs = m.adopted.replicaSet.metadata?.ownerReferences ?? [];
  const i = refs.findIndex((r) => r.uid === ownerUid);
  if (i < 0) return [];
  return [
    {
      description: `Release ReplicaSet ${rsName(m)} from ${owner}: remove its ownerReference (pods untouched)`,
      write: {
        verb: "patch",
        target: replicaSetTarget(m),
        type: "json",
        body: [
          { op: "test", path: `/metadata/ownerReferences/${i}/uid`, value: ownerUid },
          { op: "remove", path: `/metadata/ownerReferences/${i}` },
        ],
      },
    },
  ];
}

/** The converted objects the Rollout references (AnalysisTemplates…), then the Rollout itself. */
export function createRampObjects(m: Migration): Step[] {
  const extras: Step[] = m.ramp.extras.map((o) => ({
    description: `Create ramp ${o.kind} ${o.metadata.name} (converted), unless it exists`,
    write: {
      verb: "create",
      target: extraTarget(m, o.kind ?? "", o.metadata.name),
      body: o as unknown as Record<string, unknown>,
      ifAbsent: true,
    },
  }));
  return [
    ...extras,
    {
      description:
        `Create ramp Rollout ${m.name}: its template is version ${m.adopted.hash}, which ${rsName(m)} runs, ` +
        "so the controller adopts that ReplicaSet as a first deploy already done (no new pods)",
      write: {
        verb: "create",
        target: rolloutTarget(m),
        body: m.ramp.rollout as unknown as Record<string, unknown>,
        ifAbsent: true,
      },
    },
  ];
}

/** A ramp.dev object by kind; a Cluster* kind is cluster-scoped (no namespace). */
function extraTarget(m: Migration, kind: string, name: string) {
  const plural = `${kind.toLowerCase()}s`;
  const namespace = kind.startsWith("Cluster") ? "" : m.namespace;
  return { group: API.rampRollout.group, version: API.rampRollout.version, plural, kind, namespace, name };
}

export function waitAdopted(m: Migration): Step {
  return {
    description: `Wait until ramp Rollout ${m.name} owns ${rsName(m)} and is Healthy with ${m.adopted.hash} as stable`,
    write: {
      verb: "wait",
      until: { what: "adopted", rollout: rolloutTarget(m), replicaSet: rsName(m), hash: m.adopted.hash },
    },
  };
}

/** With --force mid-rollout: the source's version in progress becomes the Rollout's, shipped by ramp's steps. */
export function shipInProgress(m: Migration): Step[] {
  if (!m.ramp.ship) return [];
  return [
    {
      description:
        `Ship the version the source had in progress as ramp Rollout ${m.name}'s next version ` +
        "(from its first step, under ramp)",
      write: { verb: "patch", target: rolloutTarget(m), type: "merge", body: { spec: m.ramp.ship } },
    },
  ];
}
