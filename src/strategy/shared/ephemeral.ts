// Role metadata (Argo's ephemeral metadata): canaryMetadata/stableMetadata, previewMetadata/activeMetadata.
// A version's pods carry the labels and annotations of the role it has now; when its role changes
// (canary → stable on promotion, preview → active on the switch) its pod template and its running pods are
// patched in place, so no pod restarts. What a ReplicaSet's pods carry is recorded on it as data, written
// last, so a crash between the template, the pods and the record replays the whole change.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { EPHEMERAL_ANNOTATION } from "../../api/labels.ts";
import type { ReplicaSetWrite } from "../../core/plan.ts";
import { canonicalJson } from "../../kube/hash.ts";

/** spec.strategy.*.canaryMetadata and its siblings, as the schema gives them. */
export type PodMetadata = {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
};
type Meta = { labels: Record<string, string>; annotations: Record<string, string> };

const normal = (m: PodMetadata | undefined): Meta => ({
  labels: { ...m?.labels },
  annotations: { ...m?.annotations },
});

/** What the ReplicaSet's pods carry now, by its record; none recorded is none applied. */
function applied(rs: V1ReplicaSet): Meta {
  const raw = rs.metadata?.annotations?.[EPHEMERAL_ANNOTATION];
  if (!raw) return normal(undefined);
  try {
    const m = JSON.parse(raw) as Partial<Meta>;
    return { labels: { ...m.labels }, annotations: { ...m.annotations } };
  } catch {
    // A record someone mangled: treat it as nothing applied, and write everything again.
    return normal(undefined);
  }
}

/** The merge patch from `from` to `to`: new and changed keys set, keys no longer wanted removed (null). */
function diff(from: Record<string, string>, to: Record<string, string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(to)) if (from[k] !== v) out[k] = v;
  for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
  return out;
}

/** The record for `m` (undefined when there is nothing to record). */
export const recordOf = (m: PodMetadata | undefined): string | undefined => {
  const n = normal(m);
  return Object.keys(n.labels).length + Object.keys(n.annotations).length === 0
    ? undefined
    : canonicalJson(n);
};

/** A ReplicaSet as created for a role: its pod template carries the role's metadata, recorded on it. */
export function withRole(rs: V1ReplicaSet, m: PodMetadata | undefined): V1ReplicaSet {
  const record = recordOf(m);
  const template = rs.spec?.template;
  if (!record || !template || !rs.spec) return rs;
  const n = normal(m);
  return {
    ...rs,
    metadata: {
      ...rs.metadata,
      annotations: { ...rs.metadata?.annotations, [EPHEMERAL_ANNOTATION]: record },
    },
    spec: {
      ...rs.spec,
      template: {
        ...template,
        metadata: {
          ...template.metadata,
          // The template's own labels win: they carry the selector and the hash.
          labels: { ...n.labels, ...template.metadata?.labels },
          annotations: { ...n.annotations, ...template.metadata?.annotations },
        },
      },
    },
  };
}

/**
 * The writes that give each existing ReplicaSet's pods the metadata of its role; none where its record
 * already says so (a Rollout without role metadata never writes).
 */
export function roleWrites(
  roles: (readonly [V1ReplicaSet | undefined, PodMetadata | undefined])[],
): ReplicaSetWrite[] {
  return roles.flatMap(([rs, m]) => {
    const name = rs?.metadata?.name;
    if (!rs || !name) return [];
    const want = normal(m);
    const have = applied(rs);
    if (canonicalJson(want) === canonicalJson(have)) return [];
    return [
      {
        op: "roleMetadata" as const,
        name,
        uid: rs.metadata?.uid ?? "",
        selector: rs.spec?.selector?.matchLabels ?? {},
        labels: diff(have.labels, want.labels),
        annotations: diff(have.annotations, want.annotations),
        record: recordOf(m) ?? null,
      },
    ];
  });
}
