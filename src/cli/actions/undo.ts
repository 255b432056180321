// `kubectl ramp undo`: put a previous revision's pod template back into spec.template. The ReplicaSet
// keeps the template, but with the defaults the apiserver filled in (a Rollout's template is stored as
// written); the template is restored exactly when its hash can be matched, so the old version (and its
// ReplicaSet) comes back instead of a look-alike new version.
import type { V1ReplicaSet } from "@kubernetes/client-node";
import { PodTemplateSpec } from "../../api/index.ts";
import { HASH_LABEL, REVISION_ANNOTATION } from "../../api/labels.ts";
import { isObject } from "../../json.ts";
import { podTemplateHash } from "../../kube/hash.ts";
import { ActionRefused } from "./actions.ts";
import type { RolloutRef, SpecClient } from "./client.ts";
import { GITOPS_WARNING, refuseWorkloadRef, type SpecActionResult } from "./spec.ts";

type Json = Record<string, unknown>;
const isEmptyObject = (v: unknown) => isObject(v) && Object.keys(v).length === 0;

/** A field the apiserver defaults in a ReplicaSet's pod template, found by walking `path` (`*` = each). */
type Defaulted = { path: string[]; field: string; isDefault: (value: unknown, parent: Json) => boolean };

const is = (x: unknown) => (v: unknown) => v === x;
// imagePullPolicy defaults to Always for :latest or an untagged image, IfNotPresent otherwise.
const pullDefault = (v: unknown, c: Json) => {
  const image = String(c.image ?? "");
  const tag = image.includes("@") ? "digest" : (image.split("/").pop()?.split(":")[1] ?? "");
  return v === (tag === "" || tag === "latest" ? "Always" : "IfNotPresent");
};

const CONTAINER_LISTS = ["containers", "initContainers"];
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"];
const VOLUME_SOURCES = ["configMap", "secret", "projected", "downwardAPI"];

/** The pod-template defaults of the apiserver (k8s.io/kubernetes pkg/apis/core/v1/defaults.go). */
const DEFAULTED: Defaulted[] = [
  { path: ["spec"], field: "dnsPolicy", isDefault: is("ClusterFirst") },
  { path: ["spec"], field: "restartPolicy", isDefault: is("Always") },
  { path: ["spec"], field: "schedulerName", isDefault: is("default-scheduler") },
  { path: ["spec"], field: "securityContext", isDefault: isEmptyObject },
  { path: ["spec"], field: "terminationGracePeriodSeconds", isDefault: is(30) },
  { path: ["metadata"], field: "creationTimestamp", isDefault: is(null) },
  ...CONTAINER_LISTS.flatMap((list): Defaulted[] => [
    { path: ["spec", list, "*"], field: "imagePullPolicy", isDefault: pullDefault },
    { path: ["spec", list, "*"], field: "resources", isDefault: isEmptyObject },
    { path: ["spec", list, "*"], field: "terminationMessagePath", isDefault: is("/dev/termination-log") },
    { path: ["spec", list, "*"], field: "terminationMessagePolicy", isDefault: is("File") },
    { path: ["spec", list, "*", "ports", "*"], field: "protocol", isDefault: is("TCP") },
    {
      path: ["spec", list, "*", "env", "*", "valueFrom", "fieldRef"],
      field: "apiVersion",
      isDefault: is("v1"),
    },
    ...PROBES.flatMap((probe): Defaulted[] => [
      { path: ["spec", list, "*", probe], field: "timeoutSeconds", isDefault: is(1) },
      { path: ["spec", list, "*", probe], field: "periodSeconds", isDefault: is(10) },
      { path: ["spec", list, "*", probe], field: "successThreshold", isDefault: is(1) },
      { path: ["spec", list, "*", probe], field: "failureThreshold", isDefault: is(3) },
      { path: ["spec", list, "*", probe, "httpGet"], field: "scheme", isDefault: is("HTTP") },
    ]),
  ]),
  ...VOLUME_SOURCES.map((src) => ({
    path: ["spec", "volumes", "*", src],
    field: "defaultMode",
    isDefault: is(420),
  })),
];

/** The objects holding `d.field` at its default value. */
function holders(root: unknown, d: Defaulted): Json[] {
  let level: unknown[] = [root];
  for (const step of d.path) {
    level = level.flatMap((node) => {
      if (step === "*") return Array.isArray(node) ? node : [];
      return isObject(node) && step in node ? [node[step]] : [];
    });
  }
  return level.filter((n): n is Json => isObject(n) && d.field in n && d.isDefault(n[d.field], n));
}

/** Most candidates this searches (2^16): templates with more defaulted kinds fall back to the copy. */
const MAX_KINDS = 16;

/**
 * The template as the Rollout held it: the ReplicaSet's template without the hash label and with the
 * apiserver's defaults removed where that reproduces `hash`. Kinds of default the current spec.template
 * does not spell out are tried removed first. `exact` is false when no candidate has the hash.
 */
export function restoreTemplate(
  rsTemplate: unknown,
  hash: string,
  current: unknown,
): { template: Json; exact: boolean } {
  const base = structuredClone(isObject(rsTemplate) ? rsTemplate : {});
  const meta = isObject(base.metadata) ? base.metadata : {};
  if (isObject(meta.labels)) delete meta.labels[HASH_LABEL];
  const kinds = DEFAULTED.filter((d) => holders(base, d).length > 0).slice(0, MAX_KINDS);
  // Bit i set: kind i is removed. Start with the kinds the current template leaves out.
  const likely = kinds.reduce((m, d, i) => (holders(current, d).length === 0 ? m | (1 << i) : m), 0);
  const order = [
    likely,
    ...Array.from({ length: 1 << kinds.length }, (_, m) => m).filter((m) => m !== likely),
  ];
  for (const mask of order) {
    const candidate = structuredClone(base);
    kinds.forEach((d, i) => {
      if (mask & (1 << i)) for (const h of holders(candidate, d)) delete h[d.field];
    });
    const parsed = PodTemplateSpec.safeParse(candidate);
    if (parsed.success && podTemplateHash(parsed.data) === hash) return { template: candidate, exact: true };
  }
  return { template: base, exact: false };
}

const revisionOf = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
const hashOf = (rs: V1ReplicaSet) => rs.metadata?.labels?.[HASH_LABEL];

type RawRollout = {
  metadata?: { uid?: string; resourceVersion?: string };
  spec?: { template?: unknown; workloadRef?: { name?: string } };
  status?: { stableRS?: string };
};

/** Rolls spec.template back to revision `toRevision`, or by default to the revision before the current one. */
export async function undoRollout(
  client: SpecClient,
  ref: RolloutRef,
  opts: { toRevision?: number } = {},
): Promise<SpecActionResult & { revision: number; hash: string; exact: boolean }> {
  const r = (await client.get(ref)) as RawRollout;
  refuseWorkloadRef(r, ref, (d) => `kubectl rollout undo deployment/${d}, or revert it in Git`);
  const label = `rollout "${ref.name}"`;
  const parsed = PodTemplateSpec.safeParse(r.spec?.template);
  const currentHash = parsed.success ? podTemplateHash(parsed.data) : undefined;
  const uid = r.metadata?.uid;
  const versions = (await client.replicaSets(ref))
    .filter((rs) => !uid || rs.metadata?.ownerReferences?.some((o) => o.uid === uid && o.controller))
    .filter((rs) => revisionOf(rs) > 0 && hashOf(rs) !== undefined)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  const known = versions.map(revisionOf).join(", ") || "none";
  const target = opts.toRevision
    ? versions.find((rs) => revisionOf(rs) === opts.toRevision)
    : versions.find((rs) => hashOf(rs) !== currentHash);
  if (!target)
    throw new ActionRefused(
      opts.toRevision
        ? `${label} has no revision ${opts.toRevision} (revisions kept: ${known})`
        : `${label} has no previous revision to go back to (revisions kept: ${known})`,
    );
  const revision = revisionOf(target);
  const hash = hashOf(target) ?? "";
  if (hash === currentHash) throw new ActionRefused(`${label} is already at revision ${revision}`);
  const { template, exact } = restoreTemplate(target.spec?.template, hash, r.spec?.template);
  const rv = r.metadata?.resourceVersion;
  await client.patch(
    ref,
    [
      ...(rv ? [{ op: "test", path: "/metadata/resourceVersion", value: rv }] : []),
      { op: "replace", path: "/spec/template", value: template },
    ],
    "json",
  );
  const images = (
    isObject(template.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : []
  )
    .map((c: unknown) => (isObject(c) ? `${String(c.name)}=${String(c.image)}` : ""))
    .join(", ");
  const what =
    hash === r.status?.stableRS
      ? "the stable version: traffic returns to it without steps"
      : exact
        ? `version ${hash}`
        : "a new version with the same content (the template could not be restored byte for byte)";
  return {
    revision,
    hash,
    exact,
    message: `${label} rolled back to revision ${revision} (${images}): ${what}`,
    warning: GITOPS_WARNING,
  };
}
